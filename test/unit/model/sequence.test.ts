import { describe, expect, it } from 'vitest';
import { planSequence } from '../../../src/model/sequence';
import type { Frame } from '../../../src/model/types';

const f = (id: number, ts: number): Frame => ({ id, conn: 1, dir: 'sent', opcode: 1, ts, size: 1, text: String(id) });
const frames = [f(3, 10.5), f(1, 10.0), f(2, 10.1), f(4, 10.5)];

describe('sequence timing', () => {
  it('keeps capture order and the original gaps', () => {
    const p = planSequence(frames, { kind: 'original' });
    expect(p.map((s) => s.frame.id)).toEqual([1, 2, 3, 4]);
    expect(p.map((s) => Math.round(s.at))).toEqual([0, 100, 500, 500]);
  });

  it('scales the gaps by a speed clamped to ×0.1…×10', () => {
    expect(planSequence(frames, { kind: 'scaled', speed: 2 }).map((s) => Math.round(s.at))).toEqual([0, 50, 250, 250]);
    expect(planSequence(frames, { kind: 'scaled', speed: 0.5 }).map((s) => Math.round(s.at))).toEqual([0, 200, 1000, 1000]);
    expect(planSequence(frames, { kind: 'scaled', speed: 1000 }).at(-1)!.at).toBeCloseTo(50);
  });

  it('or uses a fixed interval', () => {
    expect(planSequence(frames, { kind: 'fixed', intervalMs: 30 }).map((s) => s.at)).toEqual([0, 30, 60, 90]);
  });
});
