// Timing of a replayed sequence. Pure.
import type { Frame } from './types';

export type SequenceTiming =
  | { kind: 'original' }
  /** Original gaps divided by `speed` (0.1 = ten times slower … 10 = ten times faster). */
  | { kind: 'scaled'; speed: number }
  /** A fixed gap between frames, in ms. */
  | { kind: 'fixed'; intervalMs: number };

export interface PlannedStep {
  frame: Frame;
  /** When to send it, in ms after the sequence starts (the first at 0). */
  at: number;
}

export const MIN_SPEED = 0.1;
export const MAX_SPEED = 10;

/** Frames in capture order with their send times. */
export function planSequence(frames: readonly Frame[], timing: SequenceTiming): PlannedStep[] {
  const sorted = [...frames].sort((a, b) => a.ts - b.ts || a.id - b.id);
  const out: PlannedStep[] = [];
  let at = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0) {
      const gap = Math.max(0, (sorted[i].ts - sorted[i - 1].ts) * 1000);
      if (timing.kind === 'original') at += gap;
      else if (timing.kind === 'scaled') at += gap / Math.min(MAX_SPEED, Math.max(MIN_SPEED, timing.speed));
      else at += Math.max(0, timing.intervalMs);
    }
    out.push({ frame: sorted[i], at });
  }
  return out;
}
