// Pair terms: unanswered, unanswered>age, latency comparisons, pair:<kind>; nothing without pairs; inline errors.
import { describe, expect, it } from 'vitest';
import { exchangeQuery, parseQuery, type QueryContext } from '../../../../src/model/query';
import { Pairs } from '../../../../src/model/pairs/pairs';
import { PAIR_ROLE as R, type PairKey } from '../../../../src/model/pairs/types';
import type { Frame } from '../../../../src/model/types';
import { queryError } from './fixtures';

// 1 request a (t=0) → 3 answer (t=0.3); 2 request b (t=1), never answered; 4 orphan answer (t=2);
// 5 request c (t=8), unanswered; 6 answers a second request d (t=8.5, opened by 5 too) after 50 ms.
const keys: Record<number, PairKey[]> = {
  1: [{ role: R.request, key: 'a', name: 'get' }],
  2: [{ role: R.request, key: 'b', name: 'get' }],
  3: [{ role: R.answer, key: 'a' }],
  4: [{ role: R.answer, key: 'zz' }],
  5: [{ role: R.request, key: 'c', name: 'put' }, { role: R.request, key: 'd', name: 'put' }],
  6: [{ role: R.answer, key: 'd' }],
};
const ts = [0, 0, 1, 0.3, 2, 8, 8.05];
const frames: Frame[] = [1, 2, 3, 4, 5, 6].map((id) => ({ id, conn: 1, dir: keys[id][0].role === R.request ? 'sent' : 'received', opcode: 1, ts: ts[id], size: 1, text: 'x' }));
const pairs = new Pairs((f) => keys[f.id] ?? null);
for (const f of frames) pairs.add(f);
const ctx: QueryContext = { startTs: 0, pairs };
const ids = (q: string, c: QueryContext = ctx) => {
  const p = parseQuery(q).predicate!;
  return frames.filter((f) => p(f, undefined, c)).map((f) => f.id);
};

describe('pair terms', () => {
  it('unanswered: requests with an open exchange; with an age, measured against the newest frame', () => {
    expect(ids('unanswered')).toEqual([2, 5]);
    expect(ids('UNANSWERED')).toEqual([2, 5]);
    expect(ids('unanswered>5s')).toEqual([2]);
    expect(ids('unanswered<=60ms')).toEqual([5]);
    expect(ids('unanswered>=7s')).toEqual([2]);
    expect(ids('-unanswered')).toEqual([1, 3, 4, 6]);
    expect(ids('"unanswered"')).toEqual([]); // quoted: a text search
  });

  it('latency compares any answer a frame carries', () => {
    expect(ids('latency>200ms')).toEqual([3]);
    expect(ids('latency<0.1s')).toEqual([6]);
    expect(ids('latency>=50ms latency<=300ms')).toEqual([3, 6]);
    expect(ids('latency>1m')).toEqual([]);
  });

  it('pair: kinds', () => {
    expect(ids('pair:request')).toEqual([1, 2, 5]);
    expect(ids('pair:answer')).toEqual([3, 6]);
    expect(ids('pair:paired')).toEqual([1, 3, 6]);
    expect(ids('pair:orphan')).toEqual([4]);
    expect(ids('pair:superseded')).toEqual([]);
    expect(ids('pair:orphan OR latency>200ms')).toEqual([3, 4]);
  });

  it('render canonically', () => {
    expect(parseQuery('latency>0.2s  unanswered>=5s pair:Answer').text).toBe('latency>200ms unanswered>=5000ms pair:answer');
  });

  it('match nothing without pairs in the context', () => {
    for (const q of ['unanswered', 'unanswered>1s', 'latency>0ms', 'pair:request']) expect(ids(q, { startTs: 0 })).toEqual([]);
  });

  it('report errors where they are', () => {
    expect(queryError('x latency>200').position).toBe(10);
    expect(queryError('latency:200ms').message).toMatch(/latency takes a comparison/);
    expect(queryError('unanswered:5s').message).toMatch(/unanswered takes an age/);
    expect(queryError('unanswered>5').message).toMatch(/Not a time with its unit/);
    const e = queryError('a pair:nope');
    expect([e.position, e.message]).toEqual([7, 'pair: takes request, answer, paired, unanswered, orphan, superseded, more']);
  });
});

describe('exchange: a name’s whole exchanges', () => {
  // 1 getUser → 2; 3 subscribe Prices: 4 first item, 5 and 6 more items, 7 the end; 8 orphan; 9 opens getUser and
  // listOrders (a batch), 10 answers both (a batch answer); 11 opens put, 12 cancels it (the page's own way).
  const k: Record<number, PairKey[]> = {
    1: [{ role: R.request, key: '1', name: 'getUser' }],
    2: [{ role: R.answer, key: '1' }],
    3: [{ role: R.request, key: 's', name: 'Prices' }],
    4: [{ role: R.item, key: 's' }],
    5: [{ role: R.item, key: 's' }],
    6: [{ role: R.item, key: 's' }],
    7: [{ role: R.answer, key: 's' }],
    8: [{ role: R.answer, key: 'nobody' }],
    9: [{ role: R.request, key: '2', name: 'getUser' }, { role: R.request, key: '3', name: 'listOrders' }],
    10: [{ role: R.answer, key: '3' }, { role: R.answer, key: '2' }],
    11: [{ role: R.request, key: '4', name: 'put' }],
    12: [{ role: R.cancel, key: '4' }],
  };
  const sent = new Set([1, 3, 9, 11, 12]);
  const fs: Frame[] = Object.keys(k).map((s) => {
    const id = Number(s);
    return { id, conn: 1, dir: sent.has(id) ? 'sent' : 'received', opcode: 1, ts: id, size: 1, text: 'x' };
  });
  const make = () => {
    const p = new Pairs((f) => k[f.id] ?? null);
    for (const f of fs) p.add(f);
    return p;
  };
  const x = make();
  const of = (q: string, p: Pairs = x) => {
    const pred = parseQuery(q).predicate!;
    const c: QueryContext = { startTs: 0, pairs: p };
    return fs.filter((f) => pred(f, undefined, c)).map((f) => f.id);
  };

  it('matches the requests of that name and their answers', () => {
    expect(of('exchange:getUser')).toEqual([1, 2, 9, 10]);
    expect(of('exchange:listOrders')).toEqual([9, 10]); // the second request of a batch, answered first in the reply
  });

  it('matches a stream’s items and its end, and a cancel', () => {
    expect(of('exchange:Prices')).toEqual([3, 4, 5, 6, 7]);
    expect(of('exchange:put')).toEqual([11, 12]);
  });

  it('an orphan matches no name', () => {
    expect(of('exchange:*')).toEqual([1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12]);
    expect(of('-exchange:*')).toEqual([8]);
  });

  it('is a glob, case-insensitive, exact without *', () => {
    expect(of('exchange:get*')).toEqual([1, 2, 9, 10]);
    expect(of('exchange:*orders')).toEqual([9, 10]);
    expect(of('exchange:GETUSER')).toEqual([1, 2, 9, 10]);
    expect(of('exchange:getuse')).toEqual([]);
    expect(of('exchange:p*s')).toEqual([3, 4, 5, 6, 7]);
    expect(of('exchange:prices OR exchange:put')).toEqual([3, 4, 5, 6, 7, 11, 12]);
    expect(parseQuery('exchange:GetUser').text).toBe('exchange:getuser');
  });

  it('after eviction: a frame whose exchange is gone matches nothing', () => {
    const p = make();
    p.evictBefore(4); // the subscribe (3) is gone: its items are left without their exchange
    expect(of('exchange:prices', p)).toEqual([]);
    expect(of('exchange:getuser', p)).toEqual([9, 10]);
    p.evictBefore(10); // the batch request is gone, its answer stays
    expect(of('exchange:*', p)).toEqual([11, 12]);
  });

  it('matches nothing without pairs; names what it wants', () => {
    expect(ids('exchange:get', { startTs: 0 })).toEqual([]);
    expect(queryError('exchange:').message).toMatch(/exchange: takes a request name/);
    expect(queryError('exchange>1').message).toMatch(/exchange: takes a request name/);
  });

  it('exchangeQuery quotes what the query cannot carry as it is', () => {
    const names = ['getUser', 'user.get', 'Get User', 'a(b)', 'say "hi"', `it's "x"`, 'back\\slash', '//path', 'a:b'];
    const p = new Pairs((f) => (f.id <= names.length ? [{ role: R.request, key: String(f.id), name: names[f.id - 1] }] : null));
    const fr = names.map((_, i): Frame => ({ id: i + 1, conn: 1, dir: 'sent', opcode: 1, ts: i, size: 1, text: 'x' }));
    for (const f of fr) p.add(f);
    for (const [i, n] of names.entries()) {
      const pred = parseQuery(exchangeQuery(n)).predicate!;
      expect(fr.filter((f) => pred(f, undefined, { startTs: 0, pairs: p })).map((f) => f.id), `${n} → ${exchangeQuery(n)}`).toEqual([i + 1]);
    }
    expect(exchangeQuery('getUser')).toBe('exchange:getUser');
    expect(exchangeQuery('Get User')).toBe('exchange:"Get User"');
    expect(exchangeQuery('say "hi"')).toBe(`exchange:'say "hi"'`);
    expect(exchangeQuery('')).toBe('exchange:*');
  });
});
