import { describe, expect, it } from 'vitest';
import { SessionStore } from '../../../src/model/store';
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

  it('finds frames by id', () => {
    const s = new SessionStore();
    const recs = [frame(1, 'a'), frame(1, 'b'), frame(1, 'c')];
    s.apply(recs);
    const id = (recs[1] as { frame: WireFrame }).frame.id;
    expect(s.frameById(id)?.text).toBe('b');
    expect(s.frameById(99999)).toBeUndefined();
  });
});
