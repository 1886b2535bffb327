// What the panel can ask of its capture host (over the port in DevTools, directly when the panel is a tab).
import type { ReplayRequest, ReplayResult } from '../protocol';

export interface PanelHost {
  attach(): void;
  reload(): void;
  replay(req: Omit<ReplayRequest, 'id'>): Promise<ReplayResult>;
}
