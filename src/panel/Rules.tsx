// The intercept rules section: the origin's rules in order (the first that matches acts) with their live hit counts,
// switched on and off, reordered, edited and deleted; the editor; export and import as a JSON file.
import { useState } from 'preact/hooks';
import type { SessionStore } from '../model/store';
import { describeAction, newRuleId, parseRulesJson, rulesJson } from '../model/intercept/rules';
import type { InterceptRule } from '../model/intercept/types';
import { saveBlob } from '../platform/download';
import { EMPTY_FIELDS, fieldsOf, ruleFromFields, type RuleFields } from './ruleFields';
import { RuleEditor } from './RuleEditor';
import { useStoreRevision } from './useStore';

export const RULES_FILE_NAME = 'frameline-rules.json';
/** How often hit counts follow the store (as the rest of the panel around the timeline does). */
const HITS_REFRESH_MS = 200;

export interface RulesProps {
  rules: InterceptRule[];
  onRules: (rules: InterceptRule[]) => void;
  /** Where the rules are kept (null: nowhere, they hold until the panel closes). */
  origin: string | null;
  loaded: boolean;
  unsaved: boolean;
  /** The live session, whose marks count each rule's hits. */
  store: SessionStore;
}

export function Rules({ rules, onRules, origin, loaded, unsaved, store }: RulesProps) {
  useStoreRevision(store, HITS_REFRESH_MS);
  const [fields, setFields] = useState<RuleFields>(EMPTY_FIELDS);
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const hits = store.ruleMarks.hits;

  const reset = () => {
    setFields(EMPTY_FIELDS);
    setEditing(null);
    setError(null);
  };
  const submit = (asBreakpoint = false) => {
    const old = editing !== null ? rules.find((r) => r.id === editing) : undefined;
    const made = ruleFromFields(asBreakpoint ? { ...fields, action: 'break' } : fields, old?.id ?? newRuleId(), old?.enabled ?? true);
    if ('error' in made) {
      setError(made.error);
      return;
    }
    onRules(old ? rules.map((r) => (r.id === old.id ? made.rule : r)) : [...rules, made.rule]);
    setNotice(null);
    reset();
  };
  const toggle = (id: string, enabled: boolean) => onRules(rules.map((r) => (r.id === id ? { ...r, enabled } : r)));
  const remove = (id: string) => {
    if (editing === id) reset();
    onRules(rules.filter((r) => r.id !== id));
  };
  const move = (i: number, by: -1 | 1) => {
    const j = i + by;
    if (j < 0 || j >= rules.length) return;
    const next = [...rules];
    [next[i], next[j]] = [next[j], next[i]];
    onRules(next);
  };
  const edit = (r: InterceptRule) => {
    setFields(fieldsOf(r));
    setEditing(r.id);
    setError(null);
  };
  const exportRules = () => saveBlob(new Blob([rulesJson(rules)], { type: 'application/json' }), RULES_FILE_NAME);
  const importRules = async (file: File) => {
    let got: ReturnType<typeof parseRulesJson>;
    try {
      got = parseRulesJson(await file.text());
    } catch (e) {
      got = { error: `Could not read the file: ${e instanceof Error ? e.message : String(e)}` };
    }
    if ('error' in got) {
      setError(`${file.name}: ${got.error}. Nothing was imported.`);
      setNotice(null);
      return;
    }
    // An imported rule with an id already here takes its place (a file imported again updates its rules).
    const byId = new Map(got.rules.map((r) => [r.id, r]));
    const kept = rules.map((r) => byId.get(r.id) ?? r);
    const added = got.rules.filter((r) => !rules.some((k) => k.id === r.id));
    onRules([...kept, ...added]);
    setError(null);
    setNotice(`Imported ${got.rules.length} rules from ${file.name}.`);
  };

  return (
    <section class="rules" data-testid="rules" data-loaded={String(loaded)}>
      <div class="rules-head">
        <strong>Intercept rules</strong>
        <span class="muted">
          {origin ? (
            <>
              kept for <code data-testid="rules-origin">{origin}</code>;
            </>
          ) : (
            'the inspected page’s origin is not known: they hold until the panel closes;'
          )}{' '}
          the first rule that matches a frame acts. They act only while Frameline is open on this tab.
        </span>
        <span class="spacer" />
        <button type="button" data-testid="rules-export" disabled={rules.length === 0} title={`Save the rules as ${RULES_FILE_NAME}`} onClick={exportRules}>
          Export
        </button>
        <label class="button" title="Add the rules of an exported file">
          Import
          <input
            type="file"
            accept=".json,application/json"
            data-testid="rules-import"
            disabled={!loaded}
            hidden
            onChange={(e) => {
              const input = e.currentTarget;
              const f = input.files?.[0];
              if (f) void importRules(f);
              input.value = '';
            }}
          />
        </label>
      </div>
      {unsaved && <div class="notice warn">Storage refused the rules: they hold until the panel closes.</div>}
      {rules.length === 0 ? (
        <div class="muted rules-empty" data-testid="rules-empty">
          {loaded ? 'No rules. A rule blocks, rewrites, delays, answers or closes on the frames its query matches.' : 'Reading the rules…'}
        </div>
      ) : (
        <ol class="rules-list">
          {rules.map((r, i) => (
            <li
              key={r.id}
              class={`rule-row${r.enabled ? '' : ' disabled'}${editing === r.id ? ' editing' : ''}`}
              data-testid="rule-row"
              data-rule-id={r.id}
              data-action={r.action.kind}
              data-enabled={String(r.enabled)}
              data-hits={hits.get(r.id) ?? 0}
            >
              <input type="checkbox" data-testid="rule-enabled" title="Enabled" checked={r.enabled} onChange={(e) => toggle(r.id, e.currentTarget.checked)} />
              <code class="rule-query">{r.query || '(every frame)'}</code>
              <span class="rule-action">{describeAction(r.action)}</span>
              <span class="count" title="Frames this rule acted on">
                {hits.get(r.id) ?? 0} hits
              </span>
              <span class="rule-buttons">
                <button type="button" data-testid="rule-up" title="Earlier: checked before the rules below" disabled={i === 0} onClick={() => move(i, -1)}>
                  ↑
                </button>
                <button type="button" data-testid="rule-down" title="Later" disabled={i === rules.length - 1} onClick={() => move(i, 1)}>
                  ↓
                </button>
                <button type="button" data-testid="rule-edit" onClick={() => edit(r)}>
                  Edit
                </button>
                <button type="button" data-testid="rule-delete" onClick={() => remove(r.id)}>
                  Delete
                </button>
              </span>
            </li>
          ))}
        </ol>
      )}
      <RuleEditor fields={fields} onFields={setFields} editing={editing !== null} disabled={!loaded} onSubmit={() => submit()} onBreakpoint={() => submit(true)} onCancel={reset} />
      {error && (
        <div class="rule-error" data-testid="rule-error" role="alert">
          {error}
        </div>
      )}
      {notice && (
        <div class="muted" data-testid="rules-notice">
          {notice}
        </div>
      )}
    </section>
  );
}
