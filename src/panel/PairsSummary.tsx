// The pair summary (issue #23): how many requests, answered, unanswered, per request name with its latency
// percentiles, sortable; a click on a name asks for its whole exchanges (onPick). Below it, the user's pairing rule
// for a protocol Frameline does not know, kept per origin.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Pairs } from '../model/pairs/pairs';
import { compileRule } from '../model/pairs/rule';
import { sortSummary, type SummaryColumn, type SummaryRow } from '../model/pairs/summary';
import type { PairRule } from '../model/pairs/types';
import { formatLatency } from '../model/time';

export interface PairsSummaryProps {
  pairs: Pairs;
  /** Changes when the view should look at `pairs` again (it re-reads only when pairs.version moved). */
  revision: number;
  /** A row's name was clicked (or Enter pressed on it). */
  onPick: (name: string) => void;
  /** The pairing rule of the selected connection's origin; absent: no rule form. */
  rule?: { origin: string; rule: PairRule | null; onRule: (r: PairRule | null) => void };
}

const COLUMNS: { key: SummaryColumn; label: string; title: string; num: boolean }[] = [
  { key: 'name', label: 'Name', title: 'Method, event, topic or destination of the request', num: false },
  { key: 'count', label: 'Count', title: 'Requests', num: true },
  { key: 'answered', label: 'Answered', title: 'Requests with an answer', num: true },
  { key: 'unanswered', label: 'Unanswered', title: 'Requests without an answer (superseded ones included)', num: true },
  { key: 'p50', label: 'p50', title: 'Median latency of the answered requests', num: true },
  { key: 'p95', label: 'p95', title: '95th percentile latency of the answered requests', num: true },
  { key: 'max', label: 'Max', title: 'Greatest latency', num: true },
];

export interface SummarySort {
  column: SummaryColumn;
  descending: boolean;
}

export const DEFAULT_SORT: SummarySort = { column: 'count', descending: true };

/** A click on a header: the same column turns around; another starts with names A→Z, numbers largest first. */
export function nextSort(s: SummarySort, column: SummaryColumn): SummarySort {
  return s.column === column ? { column, descending: !s.descending } : { column, descending: column !== 'name' };
}

/** A latency as a data attribute: ms rounded to 0.1, '' when there is none. */
export const msAttr = (ms: number): string => (Number.isFinite(ms) ? String(Math.round(ms * 10) / 10) : '');

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export const EMPTY_TEXT =
  'No request/answer pairs yet. Frameline pairs JSON-RPC, Socket.IO acks, GraphQL over WebSocket, SignalR, MQTT, STOMP receipts and WAMP by their ids; for another protocol, define a rule below.';

export function PairsSummary({ pairs, onPick, rule }: PairsSummaryProps) {
  const [sort, setSort] = useState<SummarySort>(DEFAULT_SORT);
  // `revision` re-renders; the work is redone only when pairing changed (or the order asked for did).
  const version = pairs.version;
  const stats = useMemo(() => pairs.stats, [pairs, version]);
  const rows = useMemo(() => sortSummary(pairs.summary(), sort.column, sort.descending), [pairs, version, sort]);
  const ariaSort = (c: SummaryColumn) => (sort.column === c ? (sort.descending ? 'descending' : 'ascending') : undefined);
  return (
    <div class="ps" data-testid="pairs-summary">
      {stats.requests > 0 || stats.orphans > 0 ? (
        <div
          class="ps-stats"
          data-testid="pairs-summary-stats"
          data-requests={stats.requests}
          data-answered={stats.answered}
          data-unanswered={stats.unanswered}
          data-superseded={stats.superseded}
          data-orphans={stats.orphans}
        >
          {plural(stats.requests, 'request')} · {stats.answered} answered · {stats.unanswered} unanswered · {stats.superseded} superseded ·{' '}
          <span title="Answers with no open request: never seen, already ended, or evicted">{plural(stats.orphans, 'orphan')}</span>
        </div>
      ) : null}
      {rows.length === 0 ? (
        <p class="ps-empty" data-testid="pairs-summary-empty">
          {EMPTY_TEXT}
        </p>
      ) : (
        <div class="ps-scroll">
          <table class="ps-table">
            <thead>
              <tr>
                {COLUMNS.map((c) => (
                  <th key={c.key} class={c.num ? 'ps-num' : undefined} aria-sort={ariaSort(c.key)}>
                    <button type="button" class="head" data-testid={`pairs-sort-${c.key}`} title={`${c.title}: sort`} onClick={() => setSort((s) => nextSort(s, c.key))}>
                      {c.label}
                      {sort.column === c.key ? (sort.descending ? ' ▼' : ' ▲') : ''}
                    </button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <SummaryLine key={r.name} row={r} onPick={onPick} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rule && <RuleForm {...rule} />}
    </div>
  );
}

function SummaryLine({ row: r, onPick }: { row: SummaryRow; onPick: (name: string) => void }) {
  return (
    <tr
      class="ps-row"
      data-testid="pairs-summary-row"
      data-method={r.name}
      data-count={r.count}
      data-unanswered={r.unanswered}
      data-p50-ms={msAttr(r.p50)}
      data-p95-ms={msAttr(r.p95)}
      tabIndex={0}
      title={`Show every frame of the ${r.name} exchanges`}
      onClick={() => onPick(r.name)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          onPick(r.name);
        }
      }}
    >
      <td class="ps-name">{r.name}</td>
      <td class="ps-num">{r.count}</td>
      <td class="ps-num">{r.answered}</td>
      <td class={r.unanswered ? 'ps-num ps-warn' : 'ps-num'}>{r.unanswered}</td>
      <td class="ps-num">{formatLatency(r.p50)}</td>
      <td class="ps-num">{formatLatency(r.p95)}</td>
      <td class="ps-num">{formatLatency(r.max)}</td>
    </tr>
  );
}

/** The rule the form's fields make, or the reason it is refused (compileRule's). */
export function ruleFromFields(f: { requestId: string; answerId: string; method: string; requestDir: 'sent' | 'received' }): { rule: PairRule } | { error: string } {
  const rule: PairRule = { requestId: f.requestId.trim(), answerId: f.answerId.trim() };
  if (f.method.trim()) rule.method = f.method.trim();
  if (f.requestDir !== 'sent') rule.requestDir = f.requestDir;
  try {
    compileRule(rule);
  } catch (e) {
    return { error: (e as Error).message };
  }
  return { rule };
}

function RuleForm({ origin, rule, onRule }: NonNullable<PairsSummaryProps['rule']>) {
  const [requestId, setRequestId] = useState('');
  const [answerId, setAnswerId] = useState('');
  const [method, setMethod] = useState('');
  const [requestDir, setRequestDir] = useState<'sent' | 'received'>('sent');
  const [error, setError] = useState<string | null>(null);
  // What is kept (another origin chosen, or the rule saved or cleared) is what the fields show; by content, so a rule
  // object made afresh on each render does not wipe what is being typed.
  const kept = rule ? JSON.stringify([rule.requestId, rule.answerId, rule.method ?? '', rule.requestDir ?? 'sent']) : '';
  useEffect(() => {
    setRequestId(rule?.requestId ?? '');
    setAnswerId(rule?.answerId ?? '');
    setMethod(rule?.method ?? '');
    setRequestDir(rule?.requestDir ?? 'sent');
    setError(null);
  }, [origin, kept]);
  const save = (e: Event) => {
    e.preventDefault();
    const made = ruleFromFields({ requestId, answerId, method, requestDir });
    if ('error' in made) setError(made.error);
    else {
      setError(null);
      onRule(made.rule);
    }
  };
  const clear = () => {
    setError(null);
    setRequestId('');
    setAnswerId('');
    setMethod('');
    setRequestDir('sent');
    // Always: the prop may lag a just-saved rule by one panel refresh.
    onRule(null);
  };
  return (
    <form class="ps-rule" data-testid="pair-rule" onSubmit={save}>
      <div class="ps-rule-head">
        <strong>Pairing rule</strong>{' '}
        <span class="muted">
          {origin ? (
            <>
              kept for <code data-testid="pair-rule-origin">{origin}</code>; it pairs that origin’s connections in place of their decoder.
            </>
          ) : (
            'this connection’s URL has no origin: the rule holds until the panel closes.'
          )}
        </span>
      </div>
      <label>
        Request id
        <input data-testid="pair-rule-request-id" type="text" placeholder="$.reqId" spellcheck={false} value={requestId} onInput={(e) => setRequestId(e.currentTarget.value)} />
      </label>
      <label>
        Answer id
        <input data-testid="pair-rule-answer-id" type="text" placeholder="$.replyTo" spellcheck={false} value={answerId} onInput={(e) => setAnswerId(e.currentTarget.value)} />
      </label>
      <label title="Optional: what the summary groups requests by">
        Name
        <input data-testid="pair-rule-method" type="text" placeholder="$.op (optional)" spellcheck={false} value={method} onInput={(e) => setMethod(e.currentTarget.value)} />
      </label>
      <label title="When both ids are at the same path and no name path tells requests apart: the way requests go">
        Requests are
        <select data-testid="pair-rule-request-dir" value={requestDir} onChange={(e) => setRequestDir(e.currentTarget.value === 'received' ? 'received' : 'sent')}>
          <option value="sent">sent</option>
          <option value="received">received</option>
        </select>
      </label>
      <span class="ps-rule-actions">
        <button type="submit" data-testid="pair-rule-save">
          Save
        </button>
        <button type="button" data-testid="pair-rule-clear" title="Forget the rule: the decoder pairs again" onClick={clear}>
          Clear
        </button>
      </span>
      {error && (
        <span class="ps-rule-error" data-testid="pair-rule-error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
