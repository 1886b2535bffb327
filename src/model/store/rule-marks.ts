// Which stored frames an intercept rule acted on, and what it did. A mark names its frame (one the capture source
// made because the network carried none), or is placed on the frame the network carried: the newest unmarked frame
// of its connection and direction with that payload. The page reports a rule's work a little after CDP reports the
// frame, or before (a delayed frame), so a mark not placed yet waits for later frames, for a while. Pure.
import { bytesToBase64 } from '../bytes';
import type { Frame, RuleMark } from '../types';

/** How far back (frames) a mark looks for its frame, and how long (seconds of capture time) it waits for one. */
const LOOK_BACK = 5000;
const WAIT_S = 30;
/** How long before the mark's time its frame may have been captured (clocks of page and CDP differ a little). */
const NEAR_S = 5;
/** Marks kept at most (the oldest are forgotten; their frames are usually long evicted by then). */
const MAX_MARKS = 200_000;

export interface MarkedFrames {
  readonly frameCount: number;
  frameAt(i: number): Frame | undefined;
}

export class RuleMarks {
  private readonly byFrame = new Map<number, RuleMark>();
  private waiting: RuleMark[] = [];
  /** Frames each rule acted on (placed marks), by rule id. */
  readonly hits = new Map<string, number>();
  /** Marks whose frame never came (counted, shown in the rules section). */
  unplaced = 0;
  /** Bumped on every change (views re-read). */
  version = 0;

  of(frameId: number): RuleMark | undefined {
    return this.byFrame.get(frameId);
  }

  get size(): number {
    return this.byFrame.size;
  }

  /** A mark reported: placed now if its frame is stored, else kept waiting. */
  add(m: RuleMark, frames: MarkedFrames): void {
    if (m.frame !== undefined) this.place(m.frame, m);
    else if (!this.tryPlace(m, frames, 0)) this.waiting.push(m);
  }

  /** Frames arrived (from index `from` on): place the marks that wait for them; forget those waiting too long. */
  retry(frames: MarkedFrames, from: number): void {
    if (this.waiting.length === 0) return;
    const newest = frames.frameAt(frames.frameCount - 1)?.ts ?? 0;
    this.waiting = this.waiting.filter((m) => {
      if (this.tryPlace(m, frames, from)) return false;
      if (newest - m.ts > WAIT_S) {
        this.unplaced++;
        this.version++;
        return false;
      }
      return true;
    });
  }

  clear(): void {
    this.byFrame.clear();
    this.waiting = [];
    this.hits.clear();
    this.unplaced = 0;
    this.version++;
  }

  private place(frameId: number, m: RuleMark) {
    if (this.byFrame.has(frameId)) return;
    if (this.byFrame.size >= MAX_MARKS) this.byFrame.delete(this.byFrame.keys().next().value!);
    this.byFrame.set(frameId, m);
    this.hits.set(m.rule, (this.hits.get(m.rule) ?? 0) + 1);
    this.version++;
  }

  /**
   * Looks back from the newest frame (to `from`, at most LOOK_BACK frames, and no further than NEAR_S before the
   * mark) for the unmarked frame the mark describes nearest the mark's time (a payload may repeat).
   */
  private tryPlace(m: RuleMark, frames: MarkedFrames, from: number): boolean {
    const want = m.find;
    if (!want) return false;
    const n = frames.frameCount;
    const stop = Math.max(from, n - LOOK_BACK, 0);
    let best: Frame | undefined;
    let bestGap = Infinity;
    for (let i = n - 1; i >= stop; i--) {
      const f = frames.frameAt(i);
      if (!f) continue;
      if (f.ts < m.ts - NEAR_S) break;
      if (f.conn !== m.conn || f.dir !== m.dir || f.opcode !== want.opcode || f.mark || this.byFrame.has(f.id)) continue;
      const payload = want.binary ? (f.bytes ? bytesToBase64(f.bytes) : undefined) : f.text;
      if (payload !== want.payload) continue;
      const gap = Math.abs(f.ts - m.ts);
      if (gap < bestGap) {
        best = f;
        bestGap = gap;
      }
    }
    if (!best) return false;
    this.place(best.id, m);
    return true;
  }
}
