// The one typed protocol for messages between Frameline's contexts (capture host ⇄ panel).
// Bump PROTOCOL_VERSION on any incompatible change; both ends check it.
import type { CaptureRecord } from './model/types';

export const PROTOCOL_VERSION = 1;

/** Runtime port name a panel uses to reach the capture host of its inspected tab. */
export const panelPortName = (tabId: number) => `frameline:panel:${tabId}`;
export const parsePanelPortName = (name: string): number | undefined => {
  const m = /^frameline:panel:(\d+)$/.exec(name);
  return m ? Number(m[1]) : undefined;
};

export type CaptureStart = 'panel-shown' | 'devtools-open';

export interface Settings {
  /** When capture starts: when the Frameline panel is first shown (default), or as soon as DevTools opens. */
  captureStart: CaptureStart;
}
export const DEFAULT_SETTINGS: Settings = { captureStart: 'panel-shown' };

export interface HostStatus {
  /** 'idle': not started yet; 'attaching'; 'capturing'; 'detached': the debugger went away (reason says why). */
  phase: 'idle' | 'attaching' | 'capturing' | 'detached';
  reason?: string;
  /** Records dropped because no panel was there to take them and the buffer was full. Never silent. */
  dropped: number;
  /** Malformed CDP events ignored so far. */
  malformed: number;
  tabId: number;
}

export type HostToPanel =
  | { v: typeof PROTOCOL_VERSION; type: 'batch'; records: CaptureRecord[] }
  | { v: typeof PROTOCOL_VERSION; type: 'status'; status: HostStatus };

export type PanelToHost =
  | { v: typeof PROTOCOL_VERSION; type: 'hello' }
  /** Start capturing now (the panel was shown, or the user asked to re-attach after a detach). */
  | { v: typeof PROTOCOL_VERSION; type: 'attach' }
  /** Reload the inspected page so its sockets are captured from their handshake. */
  | { v: typeof PROTOCOL_VERSION; type: 'reload' };

export function isPanelToHost(m: unknown): m is PanelToHost {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as { v?: unknown; type?: unknown };
  return o.v === PROTOCOL_VERSION && (o.type === 'hello' || o.type === 'attach' || o.type === 'reload');
}

export function isHostToPanel(m: unknown): m is HostToPanel {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as { v?: unknown; type?: unknown; records?: unknown; status?: unknown };
  if (o.v !== PROTOCOL_VERSION) return false;
  return (o.type === 'batch' && Array.isArray(o.records)) || (o.type === 'status' && typeof o.status === 'object');
}
