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
  /** Memory the panel may use for frames; past it the oldest frames are evicted (and counted). */
  memoryBudgetMB: number;
  /** Keep frames when the inspected page navigates (each page load marked on the timeline), or clear them. */
  preserveAcrossNavigation: boolean;
}
export const DEFAULT_SETTINGS: Settings = { captureStart: 'panel-shown', memoryBudgetMB: 500, preserveAcrossNavigation: true };

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

/** Send a payload on a captured connection's live socket, inject it as received, or send it on a fresh socket. */
export interface ReplayRequest {
  /** Chosen by the panel; the result carries it back. */
  id: number;
  conn: number;
  mode: 'send' | 'inject' | 'fresh';
  /** Exactly one of text / b64 (binary). */
  text?: string;
  b64?: string;
  /** For `fresh` on a connection that is not in the live capture (an imported session): where to connect. */
  target?: { url: string; protocols: string[] };
}

export interface ReplayResult {
  id: number;
  ok: boolean;
  /** What went wrong, in words for the user; nothing was sent when `ok` is false. */
  error?: string;
  /** The socket exists but is not open: the composer offers a fresh connection. */
  closed?: boolean;
}

export type HostToPanel =
  | { v: typeof PROTOCOL_VERSION; type: 'batch'; records: CaptureRecord[] }
  | { v: typeof PROTOCOL_VERSION; type: 'status'; status: HostStatus }
  | { v: typeof PROTOCOL_VERSION; type: 'replay-result'; result: ReplayResult };

export type PanelToHost =
  | { v: typeof PROTOCOL_VERSION; type: 'hello' }
  /** Start capturing now (the panel was shown, or the user asked to re-attach after a detach). */
  | { v: typeof PROTOCOL_VERSION; type: 'attach' }
  /** Reload the inspected page so its sockets are captured from their handshake. */
  | { v: typeof PROTOCOL_VERSION; type: 'reload' }
  | { v: typeof PROTOCOL_VERSION; type: 'replay'; req: ReplayRequest };

export function isPanelToHost(m: unknown): m is PanelToHost {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as { v?: unknown; type?: unknown };
  if (o.v !== PROTOCOL_VERSION) return false;
  if (o.type === 'hello' || o.type === 'attach' || o.type === 'reload') return true;
  if (o.type !== 'replay') return false;
  const r = (m as { req?: Partial<ReplayRequest> }).req;
  return (
    typeof r === 'object' && r !== null && typeof r.id === 'number' && typeof r.conn === 'number' &&
    (r.mode === 'send' || r.mode === 'inject' || r.mode === 'fresh') &&
    (typeof r.text === 'string') !== (typeof r.b64 === 'string')
  );
}

export function isHostToPanel(m: unknown): m is HostToPanel {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as { v?: unknown; type?: unknown; records?: unknown; status?: unknown };
  if (o.v !== PROTOCOL_VERSION) return false;
  return (
    (o.type === 'batch' && Array.isArray(o.records)) ||
    (o.type === 'status' && typeof o.status === 'object') ||
    (o.type === 'replay-result' && typeof (m as { result?: unknown }).result === 'object')
  );
}
