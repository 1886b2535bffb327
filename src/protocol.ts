// The one typed protocol for messages between Frameline's contexts (capture host ⇄ panel).
// Bump PROTOCOL_VERSION on any incompatible change; both ends check it.
import { isRecordBatch, type RecordBatch } from './model/batch';
import type { HookBatch, HookReplay, HookReplayResult } from './capture/firefox/hook-protocol';
import type { WsHandshake } from './capture/firefox/hook-capture';
import type { HeldFrame, HoldDecision, PageRule, RuleHit } from './model/intercept/types';

export const PROTOCOL_VERSION = 4;

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
  /** Firefox: events a page hook had kept for a host and let go, told none listened (or hearing nothing for 10 s). */
  discarded?: number;
  /** Firefox: a document of the tab got its hook after its own scripts (Frameline installed or updated while it was
   *  open): its records are not vouched for and replay there is refused until the page is reloaded. */
  reloadToTrust?: boolean;
  /** Intercept rules in force in the page (absent when none were ever set). */
  intercept?: InterceptStatus;
  /** Set by the panel itself when its extension context is gone (Frameline reloaded): there is nothing to reattach. */
  final?: true;
}

export interface InterceptStatus {
  /** Rules the panel set that the page runs now. */
  rules: number;
  /** JS contexts (documents, frames, workers) the rules reached on the last refresh. */
  contexts: number;
  /** Hits the page had to let go unreported (its buffer was full), and hits whose socket matched no connection. */
  lost: number;
  /** Why rules could not act somewhere, in words (e.g. a document hooked after its own scripts), if anywhere. */
  note?: string;
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
  /** Records as capture wrote them (src/model/batch.ts: frames as columns), the same object the store applies. */
  | { v: typeof PROTOCOL_VERSION; type: 'batch'; batch: RecordBatch }
  | { v: typeof PROTOCOL_VERSION; type: 'status'; status: HostStatus }
  | { v: typeof PROTOCOL_VERSION; type: 'replay-result'; result: ReplayResult }
  /** The frames hold rules keep in the page now (manual intercept), oldest first; `overflow`: frames a hold rule matched
   *  past the page's limit, let through. Sent when the list changes. */
  | { v: typeof PROTOCOL_VERSION; type: 'held'; held: HeldFrame[]; overflow: number };

export type PanelToHost =
  | { v: typeof PROTOCOL_VERSION; type: 'hello' }
  /** Start capturing now (the panel was shown, or the user asked to re-attach after a detach). */
  | { v: typeof PROTOCOL_VERSION; type: 'attach' }
  /** Reload the inspected page so its sockets are captured from their handshake. */
  | { v: typeof PROTOCOL_VERSION; type: 'reload' }
  | { v: typeof PROTOCOL_VERSION; type: 'replay'; req: ReplayRequest }
  /** The intercept rules in force from now on (enabled ones, in order; [] switches intercept off). */
  | { v: typeof PROTOCOL_VERSION; type: 'rules'; rules: PageRule[] }
  /** Decide a held frame (HeldFrame.key): forward it (as it was, or edited) or drop it. */
  | { v: typeof PROTOCOL_VERSION; type: 'release'; key: string; decision: HoldDecision }
  /** Forward every held frame as it was (intercept switched off, or "Forward all"). */
  | { v: typeof PROTOCOL_VERSION; type: 'release-all' };

export const batchMessage = (batch: RecordBatch): HostToPanel => ({ v: PROTOCOL_VERSION, type: 'batch', batch });

const obj = (m: unknown): m is Record<string, unknown> => typeof m === 'object' && m !== null;

export function isPanelToHost(m: unknown): m is PanelToHost {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as { v?: unknown; type?: unknown };
  if (o.v !== PROTOCOL_VERSION) return false;
  if (o.type === 'hello' || o.type === 'attach' || o.type === 'reload' || o.type === 'release-all') return true;
  if (o.type === 'release') return typeof (m as { key?: unknown }).key === 'string' && isDecision((m as { decision?: unknown }).decision);
  if (o.type === 'rules') return isRules((m as { rules?: unknown }).rules);
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
    (o.type === 'batch' && isRecordBatch((m as { batch?: unknown }).batch)) ||
    (o.type === 'status' && typeof o.status === 'object') ||
    (o.type === 'replay-result' && typeof (m as { result?: unknown }).result === 'object') ||
    (o.type === 'held' && Array.isArray((m as { held?: unknown }).held))
  );
}

// ——— Firefox: page hook ⇄ background router ⇄ hook host ———
// The content script (one per frame) and the hook host (in the panel page) both connect to the background router,
// which pipes between the frames of a tab and that tab's host, adding the frame id it knows from the port's sender.
// See src/platform/firefox/background-router.ts.

export const CONTENT_PORT = 'frameline:content';
/** Chrome: a page that holds a debugger attachment keeps this port to the background open, which detaches the tab once
 *  every such port of the tab is gone (the page closed without its own detach taking effect). */
export const attachPortName = (tabId: number) => `frameline:attached:${tabId}`;
export const parseAttachPortName = (name: string): number | undefined => {
  const m = /^frameline:attached:(\d+)$/.exec(name);
  return m ? Number(m[1]) : undefined;
};

export const hookHostPortName = (tabId: number) => `frameline:hook-host:${tabId}`;
export const parseHookHostPortName = (name: string): number | undefined => {
  const m = /^frameline:hook-host:(\d+)$/.exec(name);
  return m ? Number(m[1]) : undefined;
};

export type ContentToRouter =
  /** `seq`: the relay's count of its batches, acknowledged by the router (see content-relay.ts). */
  | { type: 'batch'; batch: HookBatch; bad: number; seq?: number }
  | { type: 'replay-result'; doc: string; result: HookReplayResult }
  /** Batches the content script had to drop while the router was unreachable. */
  | { type: 'lost'; doc: string; count: number }
  /** What intercept rules did in the document (validated); `lost`: hits the hook or the relay could not keep,
   *  `bad`: hits of a wrong shape, dropped. */
  | { type: 'hits'; doc: string; hits: RuleHit[]; lost: number; bad: number }
  /** The frames hold rules keep in the document now (validated; `key` empty, `id` the hook's), on each change. */
  | { type: 'held'; doc: string; held: HeldEntry[]; overflow: number; bad: number };

/** A held frame as a document's hook listed it (validated). */
export type HeldEntry = HeldFrame & { id: number };

export type RouterToContent =
  /** `fresh`: a new host took the tab over from another: announce the live sockets again, though armed already. */
  | { type: 'arm'; on: boolean; fresh?: boolean }
  | { type: 'replay'; doc: string; req: HookReplay }
  /** Intercept rules in force for the next `lease` ms; [] switches them off. */
  | { type: 'rules'; rules: PageRule[]; lease: number }
  | { type: 'release'; doc: string; id: number; decision: HoldDecision }
  /** The router has passed on (or is keeping) every batch up to `seq`. */
  | { type: 'ack'; seq: number };

export type RouterToHost =
  /** `seq`: the relay's batch number: a batch sent again after a background restart is passed on once. */
  | { type: 'hook'; frameId: number; batch: HookBatch; bad: number; seq?: number }
  | { type: 'hook-result'; frameId: number; doc: string; result: HookReplayResult }
  | { type: 'lost'; frameId: number; doc: string; count: number }
  | { type: 'doc-gone'; frameId: number; doc: string }
  | { type: 'handshake'; h: WsHandshake }
  | { type: 'hits'; frameId: number; doc: string; hits: RuleHit[]; lost: number; bad: number }
  /** The documents of the tab the last rules were sent to (those whose hook came late excepted: they refuse them). */
  | { type: 'rules-reach'; contexts: number }
  | { type: 'held'; frameId: number; doc: string; held: HeldEntry[]; overflow: number; bad: number }
  /** Another host connected for this tab (a second Frameline panel on it): this one gets nothing more. */
  | { type: 'superseded' };

/** Runtime message to the router (from Frameline's own pages): answers with a RouterStatus. */
export const ROUTER_STATUS = 'frameline:router-status';
export interface RouterStatus {
  /** Per tab: whether a capture host listens (and has a panel), how many frames have a page hook, hook events passed. */
  tabs: Record<number, { host: boolean; panel: boolean; frames: number; forwarded: number }>;
}

export type HostToRouter =
  | { type: 'replay'; frameId: number; doc: string; req: HookReplay }
  /** Whether a panel is connected to this host (diagnostics: the router's status reports it). */
  | { type: 'panel'; linked: boolean }
  /** Intercept rules for every document of the tab, now and for those that come while the lease runs. */
  | { type: 'rules'; rules: PageRule[]; lease: number }
  | { type: 'release'; frameId: number; doc: string; id: number; decision: HoldDecision };

const isWire = (p: unknown): boolean => obj(p) && (typeof p.text === 'string' || typeof p.b64 === 'string');
const isDecision = (d: unknown): d is HoldDecision =>
  obj(d) && (d.forward === false || (d.forward === true && (d.payload === undefined || isWire(d.payload))));
const isRules = (rules: unknown): rules is PageRule[] =>
  Array.isArray(rules) && rules.every((r) => obj(r) && typeof r.id === 'string' && obj(r.match) && obj(r.action));
const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;

export function isRouterToContent(m: unknown): m is RouterToContent {
  if (!obj(m)) return false;
  if (m.type === 'arm') return typeof m.on === 'boolean' && (m.fresh === undefined || typeof m.fresh === 'boolean');
  if (m.type === 'rules') return isRules(m.rules) && isCount(m.lease);
  if (m.type === 'release') return typeof m.doc === 'string' && isCount(m.id) && isDecision(m.decision);
  if (m.type === 'ack') return isCount(m.seq);
  return m.type === 'replay' && typeof m.doc === 'string' && obj(m.req) && typeof m.req.id === 'number';
}

export function isContentToRouter(m: unknown): m is ContentToRouter {
  if (!obj(m)) return false;
  if (m.type === 'batch') {
    return obj(m.batch) && typeof m.batch.doc === 'string' && Array.isArray(m.batch.events) && typeof m.bad === 'number' && (m.seq === undefined || isCount(m.seq));
  }
  if (m.type === 'replay-result') return typeof m.doc === 'string' && obj(m.result) && typeof m.result.id === 'number';
  if (m.type === 'hits') return typeof m.doc === 'string' && Array.isArray(m.hits) && isCount(m.lost) && isCount(m.bad);
  if (m.type === 'held') return typeof m.doc === 'string' && Array.isArray(m.held) && isCount(m.overflow) && isCount(m.bad);
  return m.type === 'lost' && typeof m.doc === 'string' && typeof m.count === 'number';
}

export function isRouterToHost(m: unknown): m is RouterToHost {
  if (!obj(m)) return false;
  switch (m.type) {
    case 'hook':
      return typeof m.frameId === 'number' && obj(m.batch) && Array.isArray(m.batch.events) && (m.seq === undefined || isCount(m.seq));
    case 'hook-result':
      return typeof m.frameId === 'number' && typeof m.doc === 'string' && obj(m.result);
    case 'lost':
    case 'doc-gone':
      return typeof m.frameId === 'number' && typeof m.doc === 'string';
    case 'handshake':
      return obj(m.h) && typeof m.h.requestId === 'string' && typeof m.h.url === 'string';
    case 'hits':
      return typeof m.frameId === 'number' && typeof m.doc === 'string' && Array.isArray(m.hits) && isCount(m.lost) && isCount(m.bad);
    case 'rules-reach':
      return isCount(m.contexts);
    case 'held':
      return typeof m.frameId === 'number' && typeof m.doc === 'string' && Array.isArray(m.held) && isCount(m.overflow) && isCount(m.bad);
    case 'superseded':
      return true;
    default:
      return false;
  }
}

export function isHostToRouter(m: unknown): m is HostToRouter {
  if (obj(m) && m.type === 'panel') return typeof m.linked === 'boolean';
  if (obj(m) && m.type === 'rules') return isRules(m.rules) && isCount(m.lease);
  if (obj(m) && m.type === 'release') return typeof m.frameId === 'number' && typeof m.doc === 'string' && isCount(m.id) && isDecision(m.decision);
  return obj(m) && m.type === 'replay' && typeof m.frameId === 'number' && typeof m.doc === 'string' && obj(m.req);
}
