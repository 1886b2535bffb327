// The pairing engine: its rules (out of order, duplicates, reuse, orphans, several messages per frame, streams),
// eviction and clear through a store, and the summary.
import { describe, expect, it } from 'vitest';
import { Pairs, type PairSource } from '../../../../src/model/pairs/pairs';
import { PAIR_FLAG as F, PAIR_ROLE as R, type PairKey } from '../../../../src/model/pairs/types';
import { SessionStore } from '../../../../src/model/store';
import { decodingOf, summaryOf } from '../../../../src/model/decode/decoding';
import { pairSource } from '../../../../src/model/pairs/source';
import { compileRule } from '../../../../src/model/pairs/rule';
import { sortSummary } from '../../../../src/model/pairs/summary';
import type { CaptureRecord, Direction, Frame } from '../../../../src/model/types';

/** Frames whose keys are given with them. */
function harness() {
  const keys = new Map<number, PairKey[]>();
  const source: PairSource = (f) => keys.get(f.id) ?? null;
  const pairs = new Pairs(source);
  let id = 0;
  const add = (dir: Direction, ts: number, ...ks: PairKey[]): number => {
    const f: Frame = { id: ++id, conn: 1, dir, opcode: 1, ts, size: 1, text: '' };
    if (ks.length) keys.set(f.id, ks);
    pairs.add(f);
    return f.id;
  };
  return { pairs, add };
}
const req = (key: string, name = 'm'): PairKey => ({ role: R.request, key, name });
const ans = (key: string): PairKey => ({ role: R.answer, key });
const item = (key: string): PairKey => ({ role: R.item, key });

describe('pairing rules', () => {
  it('pairs answers out of order, with latency from the frames’ times', () => {
    const { pairs, add } = harness();
    const a = add('sent', 1, req('1'));
    const b = add('sent', 1.1, req('2'));
    const bAns = add('received', 1.15, ans('2'));
    const aAns = add('received', 1.5, ans('1'));
    expect(pairs.partnerOf(a)).toBe(aAns);
    expect(pairs.partnerOf(bAns)).toBe(b);
    expect(pairs.latencyOf(aAns)).toBeCloseTo(500);
    expect(pairs.latencyOf(a)).toBeCloseTo(500);
    expect(pairs.latencyOf(bAns)).toBeCloseTo(50);
    expect(pairs.flagsOf(a)).toBe(F.request);
    expect(pairs.flagsOf(aAns)).toBe(F.answer);
    expect(pairs.stats).toMatchObject({ requests: 2, answered: 2, unanswered: 0, orphans: 0 });
  });

  it('answers go the other way: a request’s own direction does not answer it', () => {
    const { pairs, add } = harness();
    const a = add('sent', 1, req('1'));
    const same = add('sent', 2, ans('1'));
    expect(pairs.flagsOf(same)).toBe(F.orphan);
    expect(pairs.flagsOf(a)).toBe(F.request | F.unanswered);
    const back = add('received', 3, req('1'));
    const fromPage = add('sent', 4, ans('1'));
    expect(pairs.partnerOf(fromPage)).toBe(back);
    expect(pairs.flagsOf(a)).toBe(F.request | F.unanswered);
  });

  it('a duplicate id supersedes the open request; the answer goes to the latest', () => {
    const { pairs, add } = harness();
    const first = add('sent', 1, req('7'));
    const second = add('sent', 2, req('7'));
    const answer = add('received', 2.25, ans('7'));
    expect(pairs.partnerOf(answer)).toBe(second);
    expect(pairs.latencyOf(answer)).toBeCloseTo(250);
    expect(pairs.flagsOf(first)).toBe(F.request | F.unanswered | F.superseded);
    expect(pairs.pairsOf(first)[0].state).toBe('superseded');
    expect(pairs.stats).toMatchObject({ requests: 2, answered: 1, unanswered: 1, superseded: 1 });
  });

  it('an id can be used again once its exchange ended; a second answer is an orphan', () => {
    const { pairs, add } = harness();
    add('sent', 1, req('1'));
    add('received', 2, ans('1'));
    const late = add('received', 3, ans('1'));
    expect(pairs.flagsOf(late)).toBe(F.orphan);
    const again = add('sent', 4, req('1'));
    const answer = add('received', 4.5, ans('1'));
    expect(pairs.partnerOf(answer)).toBe(again);
    expect(pairs.stats).toMatchObject({ requests: 2, answered: 2, orphans: 1 });
  });

  it('answers without a request are counted as orphans', () => {
    const { pairs, add } = harness();
    const o = add('received', 1, ans('x'));
    expect(pairs.flagsOf(o)).toBe(F.orphan);
    expect(pairs.partnerOf(o)).toBeNaN();
    expect(pairs.stats.orphans).toBe(1);
  });

  it('a frame of several messages answers some and opens others', () => {
    const { pairs, add } = harness();
    add('sent', 1, req('1'), req('2'));
    const mixed = add('received', 1.2, ans('1'), req('9', 'back'), ans('nope'));
    expect(pairs.flagsOf(mixed)).toBe(F.answer | F.request | F.unanswered | F.orphan);
    expect(pairs.flagsOf(1)).toBe(F.request | F.unanswered); // request 2 still open
    const end = add('received', 1.5, ans('2'));
    expect(pairs.flagsOf(1)).toBe(F.request);
    expect(pairs.pairsOf(1).map((p) => p.answerId)).toEqual([mixed, end]);
    const both = add('received', 2, ans('3'), ans('2'));
    expect(pairs.flagsOf(both)).toBe(F.orphan);
  });

  it('a batch answer whose first request was evicted still jumps to the request that is held', () => {
    // Found by the property test: two requests answered by one frame, then the older request evicted.
    const { pairs, add } = harness();
    add('received', 1, req('3'));
    const held = add('received', 2, req('2'));
    const batch = add('sent', 3, ans('3'), ans('2'));
    expect(pairs.requestOf(batch)).toBe(1);
    pairs.evictBefore(held);
    expect(pairs.partnerOf(batch)).toBe(held);
    expect(pairs.requestOf(batch)).toBe(held);
    expect(pairs.partnerOf(held)).toBe(batch);
    pairs.evictBefore(batch);
    expect(pairs.partnerOf(batch)).toBeNaN();
  });

  it('the first answers of one frame give its least and greatest latency', () => {
    const { pairs, add } = harness();
    add('sent', 1, req('1'));
    add('sent', 1.5, req('2'));
    const r = pairs.rowOf(add('received', 2, ans('1'), ans('2')));
    expect(pairs.minLatencyAt(r)).toBeCloseTo(500);
    expect(pairs.maxLatencyAt(r)).toBeCloseTo(1000);
  });

  it('streams: the first item answers, later ones continue, the end closes; a cancel closes unanswered requests', () => {
    const { pairs, add } = harness();
    const sub = add('sent', 1, req('s'));
    const first = add('received', 1.1, item('s'));
    const next = add('received', 1.2, item('s'));
    const done = add('received', 1.3, ans('s'));
    expect(pairs.partnerOf(sub)).toBe(first);
    expect(pairs.flagsOf(next)).toBe(F.more);
    expect(pairs.flagsOf(done)).toBe(F.more);
    expect(pairs.pairsOf(sub)[0].state).toBe('ended');
    const other = add('sent', 2, req('t'));
    add('sent', 3, { role: R.cancel, key: 't' });
    expect(pairs.flagsOf(other)).toBe(F.request);
    expect(pairs.pairsOf(other)[0].state).toBe('cancelled');
    expect(pairs.stats).toMatchObject({ requests: 2, answered: 1, unanswered: 0 });
    // MQTT QoS 2: PUBLISH → PUBREC (answer) → PUBREL (follow) → PUBCOMP.
    const pub = add('sent', 4, req('5'));
    const rec = add('received', 4.1, item('5'));
    const rel = add('sent', 4.2, { role: R.follow, key: '5' });
    const comp = add('received', 4.3, ans('5'));
    expect(pairs.partnerOf(pub)).toBe(rec);
    expect([pairs.flagsOf(rel), pairs.flagsOf(comp)]).toEqual([F.more, F.more]);
  });

  it('links every frame of an exchange to its name, through batches, compaction and eviction', () => {
    const keys = new Map<number, PairKey[]>();
    const pairs = new Pairs((f) => keys.get(f.id) ?? null, 4); // small columns: they move and grow
    const add = (id: number, dir: Direction, ...ks: PairKey[]) => {
      keys.set(id, ks);
      pairs.add({ id, conn: 1, dir, opcode: 1, ts: id, size: 1 });
    };
    const named = (id: number, name: string) => {
      const r = pairs.rowOf(id);
      return r >= 0 && pairs.hasExchangeName(r, (n) => n === name);
    };
    for (let i = 0; i < 50; i++) {
      const b = i * 3 + 1;
      add(b, 'sent', req(`a${i}`, `a${i}`), req(`b${i}`, `b${i}`));
      add(b + 1, 'received', ans(`a${i}`), item(`b${i}`)); // answers two: the second is kept aside
      add(b + 2, 'received', item(`b${i}`), item(`a${i}`)); // b goes on; a ended: an orphan
    }
    const also = (pairs as unknown as { also: Map<number, number[]> }).also;
    expect(also.size).toBe(50);
    expect([named(2, 'a0'), named(2, 'b0'), named(3, 'b0'), named(3, 'a0')]).toEqual([true, true, true, false]);
    expect([named(148, 'b49'), named(149, 'a49'), named(1, 'b49')]).toEqual([true, true, false]);
    pairs.evictBefore(101); // the request of 101 and 102 is gone
    expect(also.size).toBe(17); // the answers of frames 101 on
    expect([named(101, 'a33'), named(101, 'b33'), named(102, 'b33')]).toEqual([false, false, false]);
    expect([named(104, 'b34'), named(105, 'b34'), named(105, 'a34')]).toEqual([true, true, false]);
    pairs.evictBefore(1000);
    expect(also.size).toBe(0);
  });

  it('keeps connections apart', () => {
    const keys = new Map<number, PairKey[]>([[1, [req('1')]], [2, [ans('1')]], [3, [ans('1')]]]);
    const pairs = new Pairs((f) => keys.get(f.id) ?? null);
    pairs.add({ id: 1, conn: 1, dir: 'sent', opcode: 1, ts: 0, size: 0 });
    pairs.add({ id: 2, conn: 2, dir: 'received', opcode: 1, ts: 0, size: 0 });
    pairs.add({ id: 3, conn: 1, dir: 'received', opcode: 1, ts: 1, size: 0 });
    expect([pairs.flagsOf(2), pairs.partnerOf(3)]).toEqual([F.orphan, 1]);
  });
});

describe('summary', () => {
  it('counts per name with nearest-rank percentiles and the max, sortable by any column', () => {
    const { pairs, add } = harness();
    for (let i = 0; i < 100; i++) {
      add('sent', i, req(String(i), 'get'));
      add('received', i + (i + 1) / 1000, ans(String(i)));
    }
    add('sent', 200, req('x', 'put'));
    add('sent', 201, req('y', 'put'));
    add('received', 201.002, ans('y'));
    const rows = pairs.summary();
    const get = rows.find((r) => r.name === 'get')!;
    expect(get).toMatchObject({ count: 100, answered: 100, unanswered: 0 });
    expect(get.p50).toBeCloseTo(50);
    expect(get.p95).toBeCloseTo(95);
    expect(get.max).toBeCloseTo(100);
    expect(rows.find((r) => r.name === 'put')).toMatchObject({ count: 2, answered: 1, unanswered: 1 });
    expect(sortSummary(rows, 'count', true).map((r) => r.name)).toEqual(['get', 'put']);
    expect(sortSummary(rows, 'p50').map((r) => r.name)).toEqual(['put', 'get']);
    expect(pairs.summary()).toBe(rows); // kept while nothing changed
  });

  it('percentiles match a sort on random latencies', () => {
    const { pairs, add } = harness();
    const lats: number[] = [];
    for (let i = 0; i < 500; i++) {
      const l = Math.floor(Math.random() * 1000) / 1000;
      lats.push(l * 1000);
      add('sent', i, req(String(i)));
      add('received', i + l, ans(String(i)));
    }
    lats.sort((a, b) => a - b);
    const row = pairs.summary()[0];
    expect(row.p50).toBeCloseTo(lats[249], 6);
    expect(row.p95).toBeCloseTo(lats[474], 6);
    expect(row.max).toBeCloseTo(lats[499], 6);
  });
});

describe('fed by a store', () => {
  const conn = (id: number, url = 'ws://x/rpc'): CaptureRecord => ({ t: 'conn', conn: { id, url, state: 'open', openedBeforeCapture: false, target: { type: 'page' } } });
  const frame = (id: number, dir: Direction, ts: number, text: string, c = 1): CaptureRecord => ({ t: 'frame', frame: { id, conn: c, dir, opcode: 1, ts, size: text.length, text } });
  const rpc = (id: number, m: string) => JSON.stringify({ jsonrpc: '2.0', id, method: m, params: [] });
  const res = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, result: 1 });

  it('reads new frames, forgets evicted ones and starts afresh after a clear', () => {
    const store = new SessionStore({ chunkBits: 4 });
    const pairs = new Pairs(pairSource(decodingOf(store)));
    store.apply([conn(1), frame(1, 'sent', 1, rpc(1, 'a')), frame(2, 'sent', 1.1, rpc(2, 'b')), frame(3, 'received', 1.2, res(2))]);
    pairs.sync(store);
    expect(pairs.partnerOf(3)).toBe(2);
    expect(pairs.flagsOf(1)).toBe(F.request | F.unanswered);
    pairs.sync(store); // nothing new
    expect(pairs.stats.requests).toBe(2);
    // Evict: a tiny budget keeps only the newest frames.
    const batch: CaptureRecord[] = [];
    for (let i = 4; i < 2000; i++) batch.push(frame(i, 'received', 2 + i / 1000, JSON.stringify({ jsonrpc: '2.0', method: 'tick', params: ['x'.repeat(1000)] })));
    store.apply(batch);
    store.setBudget(1024 * 1024);
    pairs.sync(store);
    expect(store.stats.evicted).toBeGreaterThan(3);
    expect(pairs.flagsOf(1)).toBe(0);
    expect(pairs.stats.requests).toBe(0);
    store.apply([frame(5000, 'received', 9, res(1))]);
    pairs.sync(store);
    expect(pairs.flagsOf(5000)).toBe(F.orphan); // its request was evicted
    store.clear();
    store.apply([conn(1), frame(6000, 'sent', 10, rpc(4, 'c')), frame(6001, 'received', 10.5, res(4))]);
    pairs.sync(store);
    expect(pairs.stats).toMatchObject({ requests: 1, answered: 1, orphans: 0 });
    expect(pairs.latencyOf(6001)).toBeCloseTo(500);
  });

  it('pairs decoded protocols: graphql-ws subscriptions, MQTT packet ids, STOMP receipts', () => {
    const store = new SessionStore();
    const pairs = new Pairs(pairSource(decodingOf(store)));
    const gql = { t: 'conn', conn: { id: 2, url: 'ws://x/graphql', protocol: 'graphql-transport-ws', state: 'open', openedBeforeCapture: false, target: { type: 'page' } } } as CaptureRecord;
    store.apply([
      gql,
      frame(1, 'sent', 1, JSON.stringify({ type: 'subscribe', id: 'q1', payload: { query: 'subscription Prices { p }', operationName: 'Prices' } }), 2),
      frame(2, 'received', 1.3, JSON.stringify({ id: 'q1', type: 'next', payload: { data: { p: 1 } } }), 2),
      frame(3, 'received', 1.4, JSON.stringify({ id: 'q1', type: 'next', payload: { data: { p: 2 } } }), 2),
      frame(4, 'sent', 2, JSON.stringify({ id: 'q1', type: 'complete' }), 2),
    ]);
    pairs.sync(store);
    expect(pairs.partnerOf(1)).toBe(2);
    expect(pairs.latencyOf(2)).toBeCloseTo(300);
    expect(pairs.flagsOf(3)).toBe(F.more);
    expect(pairs.pairsOf(1)[0]).toMatchObject({ name: 'Prices', state: 'ended' });
    // The timeline names what a `next` answers: its own frame carries only the id.
    const d = decodingOf(store);
    const row = (id: number) => summaryOf(d.decode(store.frameById(id)!)!, pairs.answeredNameOf(id));
    expect([row(1), row(2), row(3), row(4)]).toEqual(['subscribe #q1 Prices', 'next #q1 Prices {"p":1}', 'next #q1 Prices {"p":2}', 'complete #q1 Prices']);
  });

  it('an answer, a stream item or a cancel names the exchange it belongs to; a request, an orphan or an evicted one none', () => {
    const { pairs, add } = harness();
    const sub = add('sent', 1, req('s', 'OnPrice'));
    const first = add('received', 1.1, item('s'));
    const later = add('received', 1.2, item('s'));
    const orphan = add('received', 1.3, ans('zz'));
    const plain = add('received', 1.4);
    const call = add('sent', 2, req('c', 'eth_call'));
    const both = add('received', 2.1, ans('c'), req('back', 'ping'));
    const cancel = add('sent', 3, { role: R.cancel, key: 's' });
    expect([sub, first, later, orphan, plain, both, cancel].map((id) => pairs.answeredNameOf(id))).toEqual([
      undefined, 'OnPrice', 'OnPrice', undefined, undefined, undefined, 'OnPrice',
    ]);
    expect(pairs.answeredNameOf(add('received', 2.2, ans('c')))).toBeUndefined(); // c already ended: an orphan
    pairs.evictBefore(call);
    expect(pairs.answeredNameOf(later)).toBeUndefined();
  });

  it('a user rule pairs a protocol no decoder knows', () => {
    const store = new SessionStore();
    const rule = compileRule({ requestId: '$.reqId', answerId: '$.replyTo', method: '$.op' });
    const pairs = new Pairs(pairSource(decodingOf(store), (c) => (c === 3 ? rule : undefined)));
    store.apply([
      conn(3, 'ws://x/custom'),
      frame(1, 'sent', 1, '{"op":"buy","reqId":"r1"}', 3),
      frame(2, 'received', 1.25, '{"replyTo":"r1","ok":true}', 3),
    ]);
    pairs.sync(store);
    expect(pairs.partnerOf(2)).toBe(1);
    expect(pairs.summary()[0]).toMatchObject({ name: 'buy', count: 1, answered: 1 });
    const same = compileRule({ requestId: '$.id', answerId: '$.id' });
    expect(same.keys({ id: 1, conn: 1, dir: 'sent', opcode: 1, ts: 0, size: 0, text: '{"id":3}' })).toEqual([{ role: R.request, key: '3', name: 'request' }]);
    expect(same.keys({ id: 1, conn: 1, dir: 'received', opcode: 1, ts: 0, size: 0, text: '{"id":3}' })).toEqual([{ role: R.answer, key: '3' }]);
    expect(() => compileRule({ requestId: 'id', answerId: '$.x' })).toThrow(/request id path must start with \$/);
    expect(() => compileRule({ requestId: '$.a', answerId: '$[x]' })).toThrow(/answer id path/);
  });
});
