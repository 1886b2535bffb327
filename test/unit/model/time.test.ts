import { describe, expect, it } from 'vitest';
import { anchorFrom, formatClock, formatRelative, toWallMs } from '../../../src/model/time';

describe('time conversion', () => {
  it('turns CDP monotonic seconds into wall-clock ms with one anchor', () => {
    const anchor = anchorFrom(203.853679, 1795309824.350543);
    expect(toWallMs(203.853679, anchor)).toBeCloseTo(1795309824350.543, 3);
    // A frame 1.5 s later on the monotonic clock is 1.5 s later on the wall clock.
    expect(toWallMs(205.353679, anchor) - toWallMs(203.853679, anchor)).toBeCloseTo(1500, 6);
  });

  it('formats clock and relative times', () => {
    const d = new Date(2026, 10, 22, 9, 5, 7, 42).getTime();
    expect(formatClock(d)).toBe('09:05:07.042');
    expect(formatRelative(12)).toBe('+12 ms');
    expect(formatRelative(1234.5)).toBe('+1.234 s');
  });
});
