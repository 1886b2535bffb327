import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_CONNECTIONS, SessionStore } from '../../../src/model/store';
import type { CaptureRecord, Connection, WireFrame } from '../../../src/model/types';
import { parseQuery } from '../../../src/model/query';

const conn = (id: number, url = `ws://h/${id}`): Connection => ({
  id,
  url,
  state: 'open',
  openedBeforeCapture: false,
  target: { type: 'page' },
});
let nextId = 1;
const frame = (c: number, text: string, dir: 'sent' | 'received' = 'received'): CaptureRecord => ({
  t: 'frame',
  frame: { id: nextId++, conn: c, dir, opcode: 1, ts: nextId, size: text.length, text } satisfies WireFrame,
});

describe('session store', () => {
  it('applies batches through one door and serves rows by index', () => {
    const s = new SessionStore();
    let notified = 0;
    s.subscribe(() => notified++);
    s.apply([{ t: 'conn', conn: conn(1) }, frame(1, 'a'), frame(1, 'b', 'sent')]);
    expect(notified).toBe(1); // once per batch, not per record
    expect(s.frameCount).toBe(2);
    expect(s.frameAt(1)?.text).toBe('b');
    expect(s.stats).toMatchObject({ framesSent: 1, framesReceived: 1, bytesSent: 1, bytesReceived: 1 });
    expect(s.framesPerConnection.get(1)).toBe(2);
  });

  it('upserts connections by id, keeping first-seen order', () => {
    const s = new SessionStore();
    s.apply([{ t: 'conn', conn: conn(2) }, { t: 'conn', conn: conn(1) }, { t: 'conn', conn: { ...conn(2), state: 'closed' } }]);
    expect(s.connectionOrder).toEqual([2, 1]);
    expect(s.connections.get(2)?.state).toBe('closed');
  });

  it('keeps binary payloads as bytes', () => {
    const s = new SessionStore();
    s.apply([{ t: 'frame', frame: { id: 1, conn: 1, dir: 'sent', opcode: 2, ts: 0, size: 5, b64: 'AAEC/v8=' } }]);
    expect(s.frameAt(0)?.bytes).toEqual(new Uint8Array([0, 1, 2, 254, 255]));
    expect(s.frameAt(0)?.text).toBeUndefined();
  });

  it('filters, and matches frames that arrive while a filter is on (visible count exact)', () => {
    const s = new SessionStore();
    s.apply([frame(1, 'apple'), frame(1, 'banana'), frame(2, 'APPLE pie')]);
    const q = parseQuery('apple').predicate!;
    s.setFilter((fr, c) => q(fr, c, { startTs: 0 }));
    expect(s.visibleCount).toBe(2);
    expect(s.visibleAt(1)?.text).toBe('APPLE pie');
    s.apply([frame(1, 'pineapple'), frame(1, 'cherry')]);
    expect(s.visibleCount).toBe(3);
    expect(s.frameCount).toBe(5);
    expect(s.visibleIndexOf(s.visibleAt(2)!.id)).toBe(2);
    s.setFilter(null);
    expect(s.visibleCount).toBe(5);
  });

  it('counts frames arriving while paused instead of storing them', () => {
    const s = new SessionStore();
    s.apply([frame(1, 'a')]);
    s.setPaused(true);
    s.apply([frame(1, 'b'), frame(1, 'c')]);
    expect(s.frameCount).toBe(1);
    expect(s.stats.pausedDropped).toBe(2);
    s.setPaused(false);
    s.apply([frame(1, 'd')]);
    expect(s.frameCount).toBe(2);
  });

  it('clear forgets frames, connections and counts', () => {
    const s = new SessionStore();
    s.apply([{ t: 'conn', conn: conn(1) }, frame(1, 'a'), frame(1, 'b')]);
    s.setFilter(() => true);
    s.clear();
    expect(s.frameCount).toBe(0);
    expect(s.visibleCount).toBe(0);
    expect(s.connections.size).toBe(0);
    expect(s.stats.framesReceived).toBe(0);
    s.apply([frame(1, 'after')]);
    expect(s.visibleCount).toBe(1);
  });

  it("the user's Clear keeps the connections still open (handshake and order), so their next frames have a connection", () => {
    const s = new SessionStore();
    const withHandshake: Connection = { ...conn(2), request: { headers: [{ name: 'Host', value: 'h' }] } };
    s.apply([
      { t: 'conn', conn: { ...conn(1), state: 'closed' } },
      { t: 'conn', conn: withHandshake },
      { t: 'conn', conn: { ...conn(3), state: 'connecting' } },
      { t: 'conn', conn: { ...conn(4), state: 'error' } },
      frame(1, 'a'),
      frame(2, 'b'),
    ]);
    s.clear('live');
    expect(s.frameCount).toBe(0);
    expect(s.connectionOrder).toEqual([2, 3]);
    expect(s.connections.get(2)?.request?.headers[0].value).toBe('h');
    expect(s.framesPerConnection.size).toBe(0);
    s.apply([frame(2, 'after')]);
    expect(s.framesPerConnection.get(2)).toBe(1);
  });

  it('finds frames by id', () => {
    const s = new SessionStore();
    const recs = [frame(1, 'a'), frame(1, 'b'), frame(1, 'c')];
    s.apply(recs);
    const id = (recs[1] as { frame: WireFrame }).frame.id;
    expect(s.frameById(id)?.text).toBe('b');
    expect(s.frameById(99999)).toBeUndefined();
  });
});

describe('memory budget', () => {
  const big = (id: number, n = 1000): CaptureRecord => ({
    t: 'frame',
    frame: { id, conn: 1 + (id % 3), dir: id % 2 ? 'sent' : 'received', opcode: 1, ts: id, size: n, text: 'x'.repeat(n) },
  });

  it('evicts the oldest frames past the budget and counts them', () => {
    const s = new SessionStore();
    s.setBudget(1024 * 1024); // 1 MB ≈ 900 frames of 1000 B + overhead
    s.apply(Array.from({ length: 3000 }, (_, i) => big(i + 1)));
    expect(s.stats.evicted).toBeGreaterThan(1900);
    expect(s.frameCount + s.stats.evicted).toBe(3000);
    expect(s.usedBytes).toBeLessThanOrEqual(1024 * 1024);
    expect(s.frameAt(s.frameCount - 1)!.id).toBe(3000); // the newest are kept, in order
    expect(s.frameAt(0)!.id).toBe(s.stats.evicted + 1);
    expect(s.frameById(1)).toBeUndefined();
    expect(s.frameById(3000)?.id).toBe(3000);
    expect([...s.framesPerConnection.values()].reduce((a, b) => a + b)).toBe(s.frameCount);
  });

  it('keeps the filter exact while evicting, and lowering the budget evicts at once', () => {
    const s = new SessionStore();
    s.setFilter((f) => f.dir === 'sent');
    s.apply(Array.from({ length: 2000 }, (_, i) => big(i + 1)));
    expect(s.visibleCount).toBe(1000);
    s.setBudget(1024 * 1024);
    const sent = Array.from({ length: s.frameCount }, (_, i) => s.frameAt(i)!).filter((f) => f.dir === 'sent');
    expect(s.visibleCount).toBe(sent.length);
    expect(s.visibleAt(0)).toBe(sent[0]);
    expect(s.visibleAt(s.visibleCount - 1)!.id).toBe(1999);
  });

  it('moves visibleEpoch when the visible rows change other than by rows added: a filter, a clear, eviction of visible rows', () => {
    const s = new SessionStore();
    let epoch = s.visibleEpoch;
    const moved = () => {
      const m = s.visibleEpoch !== epoch;
      epoch = s.visibleEpoch;
      return m;
    };
    const add = (from: number, to: number) => s.apply(Array.from({ length: to - from + 1 }, (_, i) => big(from + i, 100_000)));
    add(1, 12);
    expect(moved()).toBe(false);
    s.setFilter((f) => f.id > 5);
    expect(moved()).toBe(true);
    add(13, 13);
    expect(moved()).toBe(false);
    s.setFilter(null);
    expect(moved()).toBe(true);
    s.setFilter((f) => f.id > 5);
    moved();
    s.setBudget(1024 * 1024); // ten frames of 100 kB: the oldest, hidden, go
    expect([s.frameAt(0)!.id, moved()]).toEqual([5, false]);
    add(14, 15); // and then visible ones
    expect([s.frameAt(0)!.id, moved()]).toEqual([7, true]);
    s.setFilter(null);
    moved();
    add(16, 17); // unfiltered, every frame evicted was visible
    expect([s.frameAt(0)!.id, moved()]).toEqual([9, true]);
    s.clear();
    expect(moved()).toBe(true);
  });

  it('holds its invariants whatever happens (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ k: fc.constant('add' as const), n: fc.integer({ min: 1, max: 400 }), size: fc.integer({ min: 0, max: 20_000 }) }),
            fc.record({ k: fc.constant('budget' as const), mb: fc.integer({ min: 1, max: 8 }) }),
            fc.record({ k: fc.constant('filter' as const), on: fc.boolean() }),
            fc.record({ k: fc.constant('pause' as const), on: fc.boolean() }),
          ),
          { maxLength: 40 },
        ),
        (ops) => {
          const s = new SessionStore();
          let id = 0;
          let offered = 0;
          let paused = false;
          const visibleIds = () => Array.from({ length: s.visibleCount }, (_, i) => s.visibleIdAt(i));
          for (const op of ops) {
            const [ids, epoch] = [visibleIds(), s.visibleEpoch];
            if (op.k === 'add') {
              s.apply(Array.from({ length: op.n }, () => big(++id, op.size)));
              offered += op.n;
            } else if (op.k === 'budget') s.setBudget(op.mb * 1024 * 1024);
            else if (op.k === 'filter') s.setFilter(op.on ? (f) => f.conn === 2 : null);
            else {
              s.setPaused(op.on);
              paused = op.on;
            }
            // While visibleEpoch stands, the rows visible before are all still there, in a row: others were only added.
            const now = visibleIds();
            if (s.visibleEpoch === epoch) expect(now.slice(now.indexOf(ids[0]), now.indexOf(ids[0]) + ids.length)).toEqual(ids);
            if (op.k === 'filter') expect(s.visibleEpoch).toBeGreaterThan(epoch);
          }
          void paused;
          // Nothing is lost silently: stored + evicted + paused = offered.
          expect(s.frameCount + s.stats.evicted + s.stats.pausedDropped).toBe(offered);
          // Within budget, unless a single (newest) frame is larger than it.
          if (s.frameCount > 1) expect(s.usedBytes).toBeLessThanOrEqual(s.budgetBytes);
          // Ids increase; visible rows are exactly the stored frames the filter accepts, in order.
          const stored = Array.from({ length: s.frameCount }, (_, i) => s.frameAt(i)!);
          for (let i = 1; i < stored.length; i++) expect(stored[i].id).toBeGreaterThan(stored[i - 1].id);
          const want = s.filter ? stored.filter((f) => s.filter!(f, undefined)) : stored;
          expect(Array.from({ length: s.visibleCount }, (_, i) => s.visibleAt(i)!.id)).toEqual(want.map((f) => f.id));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('many connections (a page that opens sockets in a loop)', () => {
  const closed = (id: number): Connection => ({ ...conn(id), state: 'closed' });

  it('past MAX_CONNECTIONS drops the oldest closed connections whose frames are gone, counted; live ones and ones with frames stay', () => {
    const s = new SessionStore();
    const recs: CaptureRecord[] = [{ t: 'conn', conn: conn(1) }, { t: 'conn', conn: closed(2) }, frame(2, 'kept')];
    for (let id = 3; id <= MAX_CONNECTIONS; id++) recs.push({ t: 'conn', conn: closed(id) });
    s.apply(recs);
    expect(s.connectionOrder.length).toBe(MAX_CONNECTIONS);
    expect(s.stats.connectionsEvicted).toBe(0);
    s.apply([{ t: 'conn', conn: conn(MAX_CONNECTIONS + 1) }]);
    expect(s.connectionOrder.length).toBe(Math.floor(MAX_CONNECTIONS * 0.9));
    expect(s.stats.connectionsEvicted).toBe(MAX_CONNECTIONS + 1 - Math.floor(MAX_CONNECTIONS * 0.9));
    expect(s.connectionOrder.slice(0, 2)).toEqual([1, 2]); // open, and closed with a frame stored
    expect(s.connections.has(3)).toBe(false);
    expect(s.connectionOrder.at(-1)).toBe(MAX_CONNECTIONS + 1);
    // A late record of an evicted connection does not bring it back at the end of the list.
    s.apply([{ t: 'conn', conn: { ...closed(3), closeCode: 1000 } }]);
    expect(s.connections.has(3)).toBe(false);
    s.clear();
    expect(s.stats.connectionsEvicted).toBe(0);
  });

  it('when every connection is live or has frames, none is dropped', () => {
    const s = new SessionStore();
    const recs: CaptureRecord[] = [];
    for (let id = 1; id <= MAX_CONNECTIONS + 5; id++) recs.push({ t: 'conn', conn: conn(id) });
    s.apply(recs);
    expect(s.connectionOrder.length).toBe(MAX_CONNECTIONS + 5);
    expect(s.stats.connectionsEvicted).toBe(0);
  });
});

describe('navigation', () => {
  const conn = (id: number): CaptureRecord => ({ t: 'conn', conn: { id, url: `ws://h/${id}`, state: 'open', openedBeforeCapture: false, target: { type: 'page' } } });
  const fr = (id: number, c: number): CaptureRecord => ({ t: 'frame', frame: { id, conn: c, dir: 'sent', opcode: 1, ts: id, size: 1, text: 'x' } });

  it('preserves frames across navigations and marks the first frame of each page load', () => {
    const s = new SessionStore();
    s.apply([conn(1), fr(1, 1), { t: 'navigated', url: 'http://h/next', ts: 2 }, conn(2), fr(3, 2)]);
    expect(s.frameCount).toBe(2);
    expect(s.navigationStarts.get(3)).toBe('http://h/next');
  });

  it('with preserve off, a navigation clears the old page, whose late events are ignored', () => {
    const s = new SessionStore();
    s.preserve = false;
    s.apply([conn(1), fr(1, 1), { t: 'navigated', url: 'http://h/next', ts: 2 }, { t: 'conn', conn: { id: 1, url: 'ws://h/1', state: 'closed', openedBeforeCapture: false, target: { type: 'page' } } }, conn(2), fr(3, 2)]);
    expect(s.connectionOrder).toEqual([2]);
    expect(s.frameCount).toBe(1);
    expect(s.frameAt(0)!.id).toBe(3);
  });
});

describe('filtering a large store in slices', () => {
  const fr = (id: number): CaptureRecord => ({
    t: 'frame',
    frame: { id, conn: 1, dir: id % 3 === 0 ? 'sent' : 'received', opcode: 1, ts: id, size: 500, text: `${id} ${'y'.repeat(490)}` },
  });
  function sliced() {
    const s = new SessionStore();
    const steps: Array<() => void> = [];
    s.syncLimit = 100;
    s.sliceMs = 0; // one slice ≈ 512 frames
    s.schedule = (fn) => steps.push(fn);
    const step = () => steps.shift()?.();
    const drain = () => {
      while (steps.length) step();
    };
    return { s, steps, step, drain };
  }
  const sent = (f: { dir: string }) => f.dir === 'sent';
  const ids = (s: SessionStore) => Array.from({ length: s.visibleCount }, (_, i) => s.visibleAt(i)!.id);

  it('shows the newest matches first, stays ordered, and ends exact', () => {
    const { s, drain } = sliced();
    s.apply(Array.from({ length: 5000 }, (_, i) => fr(i + 1)));
    s.setFilter(sent); // the first slice runs at once
    const partial = ids(s);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.at(-1)).toBe(4998); // the newest sent frame is there after the first slice
    expect(s.filtering!.done).toBeGreaterThan(0);
    expect(s.filtering!.done).toBeLessThan(1000);
    expect(partial).toEqual([...partial].sort((a, b) => a - b));
    expect(s.filtering!.done).toBeGreaterThan(0);
    drain();
    expect(s.filtering).toBeNull();
    expect(ids(s)).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1).filter((id) => id % 3 === 0));
  });

  it('keeps frames that arrive during the scan, survives eviction, and is cancelled by a new filter', () => {
    const { s, step, drain, steps } = sliced();
    s.apply(Array.from({ length: 5000 }, (_, i) => fr(i + 1)));
    s.setFilter(sent);
    step();
    s.apply(Array.from({ length: 30 }, (_, i) => fr(5001 + i)));
    s.setBudget(1024 * 1024); // evicts most of the old frames mid-scan
    drain();
    const stored = Array.from({ length: s.frameCount }, (_, i) => s.frameAt(i)!);
    expect(ids(s)).toEqual(stored.filter(sent).map((f) => f.id));
    expect(ids(s).at(-1)).toBe(5028);

    s.apply(Array.from({ length: 3000 }, (_, i) => fr(6000 + i)));
    s.setFilter(sent);
    step();
    s.setFilter((f) => f.id % 2 === 0); // cancels the first scan
    drain();
    expect(steps).toHaveLength(0);
    const now = Array.from({ length: s.frameCount }, (_, i) => s.frameAt(i)!);
    expect(ids(s)).toEqual(now.filter((f) => f.id % 2 === 0).map((f) => f.id));
  });
});

describe('learning ahead of queries', () => {
  const rec = (id: number): CaptureRecord => ({ t: 'frame', frame: { id, conn: 1, dir: 'received', opcode: 1, ts: id, size: 3, text: `f${id}` } });

  it('sees each stored frame once, oldest first, stops at its deadline, resumes with new frames, restarts after Clear', () => {
    const s = new SessionStore({ chunkBits: 3 });
    s.apply(Array.from({ length: 1000 }, (_, i) => rec(i + 1)));
    const seen: number[] = [];
    expect(s.learn((f) => seen.push(f.id), 0)).toBe(false); // past its deadline: stops after a first stretch
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThan(1000);
    expect(s.learn((f) => seen.push(f.id), Infinity)).toBe(true);
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    s.apply([rec(1001), rec(1002)]);
    expect(s.learn((f) => seen.push(f.id), Infinity)).toBe(true);
    expect(seen.slice(1000)).toEqual([1001, 1002]);
    s.setBudget(1024 * 1024);
    s.clear();
    s.apply([rec(5), rec(6)]);
    const again: number[] = [];
    expect(s.learn((f) => again.push(f.id), Infinity)).toBe(true);
    expect(again).toEqual([5, 6]);
  });
});
