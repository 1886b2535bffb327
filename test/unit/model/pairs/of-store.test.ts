// Pairing as the panel reads it: one per store, following frames as they arrive (also while a filter matches them on
// arrival), the user's rules per origin, and queries over it.
import { afterEach, describe, expect, it } from 'vitest';
import { SessionStore } from '../../../../src/model/store';
import { pairsOf, pairRuleFor, setPairRules } from '../../../../src/model/pairs/of-store';
import { queryContextOf } from '../../../../src/model/query-context';
import { parseQuery } from '../../../../src/model/query';
import { PAIR_FLAG as F } from '../../../../src/model/pairs/types';
import { formatLatency } from '../../../../src/model/time';
import type { CaptureRecord, Direction } from '../../../../src/model/types';

const conn = (id: number, url = 'ws://x/rpc'): CaptureRecord => ({ t: 'conn', conn: { id, url, state: 'open', openedBeforeCapture: false, target: { type: 'page' } } });
const frame = (id: number, dir: Direction, ts: number, text: string, c = 1): CaptureRecord => ({ t: 'frame', frame: { id, conn: c, dir, opcode: 1, ts, size: text.length, text } });
const rpcReq = (id: number, method: string) => JSON.stringify({ jsonrpc: '2.0', id, method });
const rpcAns = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, result: 'ok' });

function filter(store: SessionStore, q: string) {
  const pred = parseQuery(q).predicate!;
  const ctx = queryContextOf(store);
  store.setFilter((f, c) => pred(f, c, ctx));
}

afterEach(() => setPairRules({}));

describe('pairs of a store', () => {
  it('follows the store: frames appended later are paired when asked', () => {
    const s = new SessionStore();
    s.apply([conn(1), frame(1, 'sent', 1, rpcReq(1, 'get'))]);
    const p = pairsOf(s);
    expect(p.sync().flagsOf(1)).toBe(F.request | F.unanswered);
    s.apply([frame(2, 'received', 1.25, rpcAns(1))]);
    expect(p.sync().flagsOf(1)).toBe(F.request);
    expect(p.pairs.requestOf(2)).toBe(1);
    expect(p.pairs.latencyOf(2)).toBeCloseTo(250);
    expect(pairsOf(s)).toBe(p);
  });

  it('a filter over pairing matches frames as they arrive (pairing sees each before the filter reads it)', () => {
    const s = new SessionStore();
    s.apply([conn(1)]);
    filter(s, 'pair:answer');
    s.apply([frame(1, 'sent', 1, rpcReq(1, 'a')), frame(2, 'sent', 1, rpcReq(2, 'b')), frame(3, 'received', 1.1, rpcAns(2)), frame(4, 'received', 1.2, rpcAns(1))]);
    expect(s.visibleCount).toBe(2);
    filter(s, 'latency>150ms');
    expect(s.visibleCount).toBe(1);
    expect(s.visibleAt(0)!.id).toBe(4);
  });

  it('`unanswered` read again after an answer arrives no longer shows the request', () => {
    const s = new SessionStore();
    s.apply([conn(1), frame(1, 'sent', 1, rpcReq(1, 'a')), frame(2, 'sent', 1, rpcReq(2, 'b'))]);
    filter(s, 'unanswered');
    expect(s.visibleCount).toBe(2);
    s.apply([frame(3, 'received', 2, rpcAns(1))]);
    filter(s, 'unanswered');
    expect(s.visibleCount).toBe(1);
    expect(s.visibleAt(0)!.id).toBe(2);
  });

  it('a clear of the store starts pairing afresh', () => {
    const s = new SessionStore();
    s.apply([conn(1), frame(1, 'sent', 1, rpcReq(1, 'a'))]);
    expect(pairsOf(s).sync().exchanges).toBe(1);
    s.clear('live');
    expect(pairsOf(s).sync().exchanges).toBe(0);
    s.apply([frame(2, 'received', 2, rpcAns(1))]);
    expect(pairsOf(s).sync().flagsOf(2)).toBe(F.orphan);
  });

  it("the user's rule for an origin pairs a protocol Frameline does not know, and is dropped when it does not compile", () => {
    const s = new SessionStore();
    s.apply([
      conn(1, 'wss://app.example:8443/live?x=1'),
      frame(1, 'sent', 1, JSON.stringify({ op: 'get', reqId: 'a' })),
      frame(2, 'received', 1.5, JSON.stringify({ inReplyTo: 'a', data: 1 })),
    ]);
    expect(pairsOf(s).sync().exchanges).toBe(0);
    setPairRules({ 'wss://app.example:8443': { requestId: '$.reqId', answerId: '$.inReplyTo', method: '$.op' }, 'ws://bad': { requestId: 'nope', answerId: '$.x' } });
    expect(pairRuleFor('wss://app.example:8443/other')).toMatchObject({ requestId: '$.reqId' });
    expect(pairRuleFor('ws://bad/x')).toBeUndefined();
    const p = pairsOf(s).sync();
    expect(p.requestOf(2)).toBe(1);
    expect(p.summary()).toMatchObject([{ name: 'get', count: 1, answered: 1 }]);
    setPairRules({});
    expect(pairsOf(s).sync().exchanges).toBe(0);
  });
});

describe('formatLatency', () => {
  it('says a latency in the unit that reads best', () => {
    expect(formatLatency(0.44)).toBe('0.4 ms');
    expect(formatLatency(999.6)).toBe('1.00 s');
    expect(formatLatency(12.4)).toBe('12 ms');
    expect(formatLatency(1240)).toBe('1.24 s');
    expect(formatLatency(12_400)).toBe('12.4 s');
    expect(formatLatency(125_000)).toBe('2 m 5 s');
    expect(formatLatency(NaN)).toBe('—');
  });
});
