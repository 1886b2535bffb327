import { describe, expect, it } from 'vitest';
import { SessionStore } from '../../../../src/model/store';
import type { CaptureRecord, Connection, RuleMark } from '../../../../src/model/types';

const conn = (id: number): Connection => ({ id, url: `ws://h/${id}`, state: 'open', openedBeforeCapture: false, target: { type: 'page' } });
const frame = (id: number, c: number, text: string, ts: number, dir: 'sent' | 'received' = 'received', mark?: 'intercepted'): CaptureRecord => ({
  t: 'frame',
  frame: { id, conn: c, dir, opcode: 1, ts, size: text.length, text, ...(mark ? { mark } : {}) },
});
const mark = (m: Partial<RuleMark>): CaptureRecord => ({
  t: 'ruled',
  mark: { conn: 1, dir: 'received', rule: 'r1', action: 'rewritten', original: { text: 'a' }, delivered: { text: 'b' }, ts: 10, ...m },
});

describe('rule marks in the store', () => {
  it('places a mark on the frame the network carried, nearest its time, even when the payload repeats', () => {
    const s = new SessionStore();
    s.apply([{ t: 'conn', conn: conn(1) }, frame(1, 1, 'a', 5), frame(2, 1, 'a', 9.99), frame(3, 1, 'a', 12)]);
    s.apply([mark({ find: { opcode: 1, payload: 'a', binary: false } })]);
    expect(s.ruleMarks.of(2)?.action).toBe('rewritten');
    expect(s.ruleMarks.of(1)).toBeUndefined();
    expect(s.ruleMarks.hits.get('r1')).toBe(1);
  });

  it('waits for a frame reported after its mark (a delayed sent frame)', () => {
    const s = new SessionStore();
    s.apply([{ t: 'conn', conn: conn(1) }, mark({ dir: 'sent', action: 'delayed', find: { opcode: 1, payload: 'x', binary: false } })]);
    expect(s.ruleMarks.size).toBe(0);
    s.apply([frame(7, 1, 'y', 10.2, 'sent'), frame(8, 1, 'x', 10.5, 'sent')]);
    expect(s.ruleMarks.of(8)?.action).toBe('delayed');
    expect(s.ruleMarks.of(7)).toBeUndefined();
  });

  it('counts a mark whose frame never comes, and keeps a frame a rule made', () => {
    const s = new SessionStore();
    s.apply([{ t: 'conn', conn: conn(1) }, mark({ find: { opcode: 1, payload: 'never', binary: false } })]);
    s.apply([frame(1, 1, 'z', 100)]);
    expect(s.ruleMarks.unplaced).toBe(1);
    s.apply([frame(2, 1, 'blocked one', 101, 'sent', 'intercepted'), mark({ dir: 'sent', action: 'blocked', frame: 2, delivered: undefined })]);
    expect(s.frameById(2)?.mark).toBe('intercepted');
    expect(s.ruleMarks.of(2)?.action).toBe('blocked');
    s.clear();
    expect(s.ruleMarks.size).toBe(0);
  });
});
