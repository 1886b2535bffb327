// Pair terms: unanswered, unanswered>age, latency comparisons, pair:<kind>; nothing without pairs; inline errors.
import { describe, expect, it } from 'vitest';
import { parseQuery, type QueryContext } from '../../../../src/model/query';
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
