// What the panel can ask of its capture host (src/platform/host-link.ts), however it reaches it.
import type { ReplayRequest, ReplayResult } from '../protocol';

export interface PanelHost {
  attach(): void;
  reload(): void;
  replay(req: Omit<ReplayRequest, 'id'>): Promise<ReplayResult>;
}
