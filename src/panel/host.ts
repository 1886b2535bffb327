// What the panel can ask of its capture host (src/platform/host-link.ts), however it reaches it.
import type { ReplayRequest, ReplayResult } from '../protocol';
import type { PageRule } from '../model/intercept/types';

export interface PanelHost {
  attach(): void;
  reload(): void;
  replay(req: Omit<ReplayRequest, 'id'>): Promise<ReplayResult>;
  /** The intercept rules in force in the inspected page from now on ([]: none). */
  setRules(rules: PageRule[]): void;
}
