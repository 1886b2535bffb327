// @vitest-environment happy-dom
// The pair summary: stats, rows with their data, sorting by header, a row picks its name, the empty state, and the
// rule form (refused inline, saved, cleared).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render } from '@testing-library/preact';
import { EMPTY_TEXT, PairsSummary, msAttr, nextSort, ruleFromFields } from '../../../src/panel/PairsSummary';
import { formatLatency as formatMs } from '../../../src/model/time';
import { Pairs } from '../../../src/model/pairs/pairs';
import { PAIR_ROLE as R, type PairKey, type PairRule } from '../../../src/model/pairs/types';
import type { Direction } from '../../../src/model/types';

afterEach(cleanup);

function build() {
  const keys = new Map<number, PairKey[]>();
  const pairs = new Pairs((f) => keys.get(f.id) ?? null);
  let id = 0;
  const add = (dir: Direction, ts: number, ...ks: PairKey[]) => {
    keys.set(++id, ks);
    pairs.add({ id, conn: 1, dir, opcode: 1, ts, size: 1 });
  };
  return { pairs, add };
}
const req = (key: string, name: string): PairKey => ({ role: R.request, key, name });
const ans = (key: string): PairKey => ({ role: R.answer, key });

/** get ×3 (10, 20, 1500 ms), put ×1 unanswered, list ×2 (5 ms, 7 ms); an orphan. */
function sample() {
  const { pairs, add } = build();
  const lat: [string, string, number][] = [['1', 'get', 0.01], ['2', 'get', 0.02], ['3', 'get', 1.5], ['5', 'list', 0.005], ['6', 'list', 0.00712]];
  let t = 0;
  for (const [k, n, l] of lat) {
    add('sent', (t += 10), req(k, n));
    add('received', t + l, ans(k));
  }
  add('sent', (t += 10), req('4', 'put'));
  add('received', t + 10, ans('zz'));
  return pairs;
}

const rowsOf = (c: Element) => [...c.querySelectorAll<HTMLElement>('[data-testid="pairs-summary-row"]')];
const names = (c: Element) => rowsOf(c).map((r) => r.dataset.method);

describe('pairs summary', () => {
  it('formats latencies and their data attributes', () => {
    expect([formatMs(0.42), formatMs(12.4), formatMs(999.4), formatMs(999.6), formatMs(1240), formatMs(12_345), formatMs(NaN)]).toEqual([
      '0.4 ms', '12 ms', '999 ms', '1.00 s', '1.24 s', '12.3 s', '—',
    ]);
    expect([msAttr(12.345), msAttr(NaN), msAttr(1500)]).toEqual(['12.3', '', '1500']);
    expect(nextSort({ column: 'count', descending: true }, 'count')).toEqual({ column: 'count', descending: false });
    expect(nextSort({ column: 'count', descending: true }, 'name')).toEqual({ column: 'name', descending: false });
    expect(nextSort({ column: 'name', descending: false }, 'p95')).toEqual({ column: 'p95', descending: true });
  });

  it('shows the stats and one row per name, by count first; headers sort', () => {
    const pairs = sample();
    const { container, getByTestId } = render(<PairsSummary pairs={pairs} revision={0} onPick={() => {}} />);
    expect(getByTestId('pairs-summary-stats').textContent).toBe('6 requests · 5 answered · 1 unanswered · 0 superseded · 1 orphan');
    expect(names(container)).toEqual(['get', 'list', 'put']);
    const get = rowsOf(container)[0];
    expect({ ...get.dataset }).toMatchObject({ method: 'get', count: '3', unanswered: '0', p50Ms: '20', p95Ms: '1500' });
    const put = rowsOf(container)[2];
    expect(['data-method', 'data-p50-ms', 'data-p95-ms'].map((a) => put.getAttribute(a))).toEqual(['put', '', '']);
    expect(get.textContent).toBe('get330' + '20 ms' + '1.50 s' + '1.50 s');
    expect(rowsOf(container)[2].textContent).toContain('—');
    const countHead = getByTestId('pairs-sort-count').closest('th')!;
    expect(countHead.getAttribute('aria-sort')).toBe('descending');
    fireEvent.click(getByTestId('pairs-sort-p50'));
    expect(names(container)).toEqual(['get', 'list', 'put']); // largest first, none last
    expect(getByTestId('pairs-sort-p50').closest('th')!.getAttribute('aria-sort')).toBe('descending');
    expect(countHead.hasAttribute('aria-sort')).toBe(false);
    fireEvent.click(getByTestId('pairs-sort-p50'));
    expect(names(container)).toEqual(['list', 'get', 'put']);
    expect(getByTestId('pairs-sort-p50').closest('th')!.getAttribute('aria-sort')).toBe('ascending');
    fireEvent.click(getByTestId('pairs-sort-name'));
    expect(names(container)).toEqual(['get', 'list', 'put']);
    fireEvent.click(getByTestId('pairs-sort-unanswered'));
    expect(names(container)[0]).toBe('put');
  });

  it('a click or Enter on a row picks its name', () => {
    const onPick = vi.fn();
    const { container } = render(<PairsSummary pairs={sample()} revision={0} onPick={onPick} />);
    fireEvent.click(rowsOf(container)[1]);
    fireEvent.keyDown(rowsOf(container)[2], { key: 'Enter' });
    fireEvent.keyDown(rowsOf(container)[2], { key: 'a' });
    expect(onPick.mock.calls).toEqual([['list'], ['put']]);
  });

  it('re-reads pairs only when they changed', () => {
    const { pairs, add } = build();
    const { container, getByTestId, rerender } = render(<PairsSummary pairs={pairs} revision={0} onPick={() => {}} />);
    expect(getByTestId('pairs-summary-empty').textContent).toBe(EMPTY_TEXT);
    const summary = vi.spyOn(pairs, 'summary');
    rerender(<PairsSummary pairs={pairs} revision={1} onPick={() => {}} />);
    expect(summary).not.toHaveBeenCalled();
    add('sent', 1, req('1', 'hello'));
    rerender(<PairsSummary pairs={pairs} revision={2} onPick={() => {}} />);
    expect(summary).toHaveBeenCalledTimes(1);
    expect(names(container)).toEqual(['hello']);
  });

  it('the rule form refuses a bad path inline, saves a good rule, clears it', () => {
    const onRule = vi.fn();
    const ui = (rule: PairRule | null) => <PairsSummary pairs={sample()} revision={0} onPick={() => {}} rule={{ origin: 'wss://x.example:8443', rule, onRule }} />;
    const { getByTestId, queryByTestId, rerender } = render(ui(null));
    expect(getByTestId('pair-rule-origin').textContent).toBe('wss://x.example:8443');
    const type = (id: string, v: string) => fireEvent.input(getByTestId(id), { target: { value: v } });
    type('pair-rule-request-id', 'reqId');
    type('pair-rule-answer-id', '$.replyTo');
    fireEvent.click(getByTestId('pair-rule-save'));
    expect(getByTestId('pair-rule-error').textContent).toMatch(/request id path must start with \$/);
    expect(onRule).not.toHaveBeenCalled();
    type('pair-rule-request-id', ' $.reqId ');
    type('pair-rule-method', '$.op');
    fireEvent.change(getByTestId('pair-rule-request-dir'), { target: { value: 'received' } });
    fireEvent.click(getByTestId('pair-rule-save'));
    expect(queryByTestId('pair-rule-error')).toBeNull();
    const saved = { requestId: '$.reqId', answerId: '$.replyTo', method: '$.op', requestDir: 'received' };
    expect(onRule).toHaveBeenLastCalledWith(saved);
    rerender(ui({ ...saved } as PairRule));
    expect((getByTestId('pair-rule-request-id') as HTMLInputElement).value).toBe('$.reqId');
    type('pair-rule-answer-id', '$.re'); // typing survives a render with an equal rule made afresh
    rerender(ui({ ...saved } as PairRule));
    expect((getByTestId('pair-rule-answer-id') as HTMLInputElement).value).toBe('$.re');
    fireEvent.click(getByTestId('pair-rule-clear'));
    expect(onRule).toHaveBeenLastCalledWith(null);
    expect((getByTestId('pair-rule-request-id') as HTMLInputElement).value).toBe('');
  });

  it('ruleFromFields trims, leaves out the defaults and says what is wrong', () => {
    expect(ruleFromFields({ requestId: '$.id', answerId: '$.id', method: ' ', requestDir: 'sent' })).toEqual({ rule: { requestId: '$.id', answerId: '$.id' } });
    expect(ruleFromFields({ requestId: '$.id', answerId: '$[', method: '', requestDir: 'sent' })).toEqual({ error: expect.stringMatching(/answer id path/) });
  });
});
