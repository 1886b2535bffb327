// The form that makes or changes one intercept rule: a query, an action and the action's own fields. Only the
// fields the chosen action uses are shown; what is wrong is said inline by the section (rule-error).
import { ACTION_KINDS, fieldsShown, REWRITE_OPS, type ActionKind, type RewriteOp, type RuleFields } from './ruleFields';

const VALUE_LABEL: Record<ActionKind, string> = { block: '', rewrite: 'Replacement', delay: 'Delay (ms)', respond: 'Reply', close: 'Code', break: '', hold: 'Longest hold (ms)' };

function valueLabel(f: RuleFields): string {
  if (f.action !== 'rewrite') return VALUE_LABEL[f.action];
  return f.rewriteOp === 'json-set' ? 'JSON value' : f.rewriteOp === 'regex' ? 'Replace with' : f.binary ? 'Replacement (hex)' : 'Replacement';
}

function placeholder(f: RuleFields): string {
  if (f.action === 'delay') return '500';
  if (f.action === 'close') return '1000';
  if (f.binary) return '0a ff 00';
  if (f.action === 'respond') return '{"type":"pong"}';
  return f.rewriteOp === 'json-set' ? '"EUR" or 42 or {"a":1}' : f.rewriteOp === 'regex' ? '$1' : 'new payload';
}

export interface RuleEditorProps {
  fields: RuleFields;
  onFields: (f: RuleFields) => void;
  editing: boolean;
  /** The origin's rules are still being read: a rule added now would be lost under them. */
  disabled?: boolean;
  onSubmit: () => void;
  /** Add a message breakpoint on the query typed (whatever action is chosen). */
  onBreakpoint: () => void;
  onCancel: () => void;
}

export function RuleEditor({ fields: f, onFields, editing, disabled = false, onSubmit, onBreakpoint, onCancel }: RuleEditorProps) {
  const set = (patch: Partial<RuleFields>) => onFields({ ...f, ...patch });
  const shown = fieldsShown(f);
  return (
    <form
      class="rule-editor"
      onSubmit={(e) => {
        e.preventDefault();
        if (!disabled) onSubmit();
      }}
    >
      <label class="rule-query-label">
        Match
        <input
          type="text"
          data-testid="rule-query"
          spellcheck={false}
          placeholder='dir:sent "ping"   or   $.type == "quote"   (empty: every frame)'
          value={f.query}
          onInput={(e) => set({ query: e.currentTarget.value })}
        />
      </label>
      <label>
        Action
        <select data-testid="rule-action" value={f.action} onChange={(e) => set({ action: e.currentTarget.value as ActionKind })}>
          {ACTION_KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </label>
      {f.action === 'rewrite' && (
        <label>
          Rewrite
          <select data-testid="rule-rewrite-op" value={f.rewriteOp} onChange={(e) => set({ rewriteOp: e.currentTarget.value as RewriteOp })}>
            {REWRITE_OPS.map((op) => (
              <option key={op} value={op}>
                {op}
              </option>
            ))}
          </select>
        </label>
      )}
      {shown.path && (
        <label>
          {f.rewriteOp === 'regex' ? 'Regex' : 'JSON path'}
          <input
            type="text"
            data-testid="rule-path"
            spellcheck={false}
            placeholder={f.rewriteOp === 'regex' ? '/"price":\\d+/g' : '$.price'}
            value={f.path}
            onInput={(e) => set({ path: e.currentTarget.value })}
          />
        </label>
      )}
      {shown.value && (
        <label class="rule-value-label">
          {valueLabel(f)}
          <input type="text" data-testid="rule-value" spellcheck={false} placeholder={placeholder(f)} value={f.value} onInput={(e) => set({ value: e.currentTarget.value })} />
        </label>
      )}
      {shown.binary && (
        <label title="The value is bytes written as hex (a binary frame)">
          <input type="checkbox" data-testid="rule-binary" checked={f.binary} onChange={(e) => set({ binary: e.currentTarget.checked })} />
          hex
        </label>
      )}
      {shown.forward && (
        <label title="The server also gets the frame the app sent">
          <input type="checkbox" data-testid="rule-forward" checked={f.forward} onChange={(e) => set({ forward: e.currentTarget.checked })} />
          also send the original
        </label>
      )}
      {shown.reason && (
        <label>
          Reason
          <input type="text" data-testid="rule-reason" placeholder="optional" value={f.reason} onInput={(e) => set({ reason: e.currentTarget.value })} />
        </label>
      )}
      <span class="rule-editor-actions">
        <button type="submit" data-testid="rule-add" disabled={disabled}>
          {editing ? 'Save rule' : 'Add rule'}
        </button>
        {!editing && (
          <button
            type="button"
            data-testid="breakpoint-add"
            disabled={disabled}
            title="Pause the page in DevTools' debugger when a frame matches (sent: in send, with the caller on the stack; received: before the app's listeners)"
            onClick={onBreakpoint}
          >
            Break on match
          </button>
        )}
        {editing && (
          <button type="button" data-testid="rule-cancel" onClick={onCancel}>
            Cancel
          </button>
        )}
      </span>
    </form>
  );
}
