// What the panel can ask of its capture host (src/platform/host-link.ts), however it reaches it.
import type { ReplayRequest, ReplayResult } from '../protocol';
import type { HeldFrame, HoldDecision, PageRule } from '../model/intercept/types';

/** The frames held in the page for the user's decision (manual intercept), as the host last listed them. */
export interface HeldState {
  held: HeldFrame[];
  /** Frames the hold matched past the page's limit: let through. */
  overflow: number;
}

export interface PanelHost {
  attach(): void;
  reload(): void;
  replay(req: Omit<ReplayRequest, 'id'>): Promise<ReplayResult>;
  /** The intercept rules in force in the inspected page from now on ([]: none). */
  setRules(rules: PageRule[]): void;
  /** Forward (as it was, or edited) or drop a held frame. */
  release(key: string, decision: HoldDecision): void;
  /** Forward every held frame as it was. */
  releaseAll(): void;
  held(): HeldState;
  /** Called whenever the held list changes; returns the unsubscribe. */
  onHeld(fn: () => void): () => void;
}
