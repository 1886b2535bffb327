// A held received frame is found among the stored frames the network carried (its row in the timeline); a held sent
// frame has none yet.
import { describe, expect, it } from 'vitest';
import { SessionStore } from '../../../../src/model/store';
import { networkFrameOf } from '../../../../src/model/intercept/held-frame';
import type { CaptureRecord, Connection } from '../../../../src/model/types';
import type { HeldFrame } from '../../../../src/model/intercept/types';

const conn = (id: number, url: string): Connection => ({ id, url, state: 'open', openedBeforeCapture: false, target: { type: 'page' } });
const frame = (id: number, c: number, text: string, dir: 'sent' | 'received' = 'received', mark?: 'intercepted'): CaptureRecord => ({
  t: 'frame',
  frame: { id, conn: c, dir, opcode: 1, ts: id, size: text.length, text, ...(mark ? { mark } : {}) },
});
const held = (over: Partial<HeldFrame>): HeldFrame => ({ key: 'k', rule: 'r', dir: 'received', url: 'ws://a/feed', created: null, t: 0, due: 1, original: { text: 'hi' }, ...over });

describe('networkFrameOf', () => {
  it('finds the newest received frame of the same URL and payload, never a frame a rule made', () => {
    const s = new SessionStore();
    s.apply([{ t: 'conn', conn: conn(1, 'ws://a/feed') }, { t: 'conn', conn: conn(2, 'ws://a/other') }]);
    s.apply([frame(1, 1, 'hi'), frame(2, 2, 'hi'), frame(3, 1, 'hi', 'sent'), frame(4, 1, 'hi'), frame(5, 1, 'hi', 'received', 'intercepted')]);
    expect(networkFrameOf(s, held({}))).toBe(4);
    expect(networkFrameOf(s, held({ url: 'ws://a/other' }))).toBe(2);
    expect(networkFrameOf(s, held({ original: { text: 'nope' } }))).toBeUndefined();
    expect(networkFrameOf(s, held({ dir: 'sent' }))).toBeUndefined();
  });
});
