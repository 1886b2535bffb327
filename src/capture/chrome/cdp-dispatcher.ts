// Chrome: every CDP event the debugger delivers → normalized records, written into a RecordSink (the batcher).
// Pure: no chrome.*, no DOM; fed by src/platform/chrome/debugger-host.ts. One method per CDP event (Network, Target,
// Page), in the manner of devtools-frontend's NetworkDispatcher, typed from devtools-protocol. Every method validates
// its params and returns early on malformed input; any event order is accepted (a frame or close for a requestId that
// was never announced is a socket opened before capture started: it is kept, marked, and its URL resolved later).
// What the host must do beside the records (set up a child target, look at the page's sockets) it is told through
// `CdpHostEvents`.
import type { Protocol } from 'devtools-protocol';
import type { ProtocolMapping } from 'devtools-protocol/types/protocol-mapping';
import type { Connection, Header, Initiator, SocketTarget, StackFrame } from '../../model/types';
import { OPCODE } from '../../model/types';
import type { RecordSink } from '../../model/batch';
import { anchorFrom, fromWallMs, toWallMs } from '../../model/time';
import type { RuleHit } from '../../model/intercept/types';
import { parseRuleHit, writeRuleHit } from '../rule-hits';
import { base64ByteLength, utf8ByteLength } from '../../model/bytes';
import { headerValue } from '../../model/headers';
import { payloadKey } from './page-hook';
import type { ReplayMarks } from './replay-marks';

/** `undefined` is the root (tab) session; child sessions (OOPIFs, workers) have chrome.debugger's sessionId. */
export type SessionKey = string | undefined;

/** What the debugger host does beside the records, when the dispatcher sees these events. */
export interface CdpHostEvents {
  /** A child target (out-of-process iframe, worker) was auto-attached, paused until the host resumes it. */
  childAttached?(session: string, type: string): void;
  childDetached?(session: string): void;
  socketCreated?(session: SessionKey): void;
  socketClosed?(session: SessionKey): void;
  /** Called once for each socket first seen through a frame or close (opened before capture started). */
  unannouncedSocket?(session: SessionKey, conn: Connection): void;
}

export interface CdpCaptureOptions {
  out: RecordSink;
  /** Wall clock in ms; used only to estimate the time anchor until a handshake brings CDP's own wallTime. */
  now?: () => number;
  host?: CdpHostEvents;
  /** Frameline's own replays, to mark the sent frames they produce. */
  replays?: ReplayMarks;
}

type Events = ProtocolMapping.Events;
/** One handler per CDP event it knows; params are checked, never trusted, so every field may be missing. */
type Handlers = { [M in keyof Events]?: (session: SessionKey, params: Partial<Events[M][0]>) => void };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
/** CDP's target types a socket's context can have (anything else is 'other'). */
const TARGET_TYPES: readonly SocketTarget['type'][] = ['page', 'iframe', 'worker', 'shared_worker', 'service_worker'];

function headerList(h: unknown): Header[] {
  if (!isObj(h)) return [];
  const out: Header[] = [];
  for (const [name, value] of Object.entries(h)) {
    // CDP joins repeated headers with '\n'.
    for (const v of String(value).split('\n')) out.push({ name, value: v });
  }
  return out;
}

function initiatorOf(raw: unknown): Initiator | undefined {
  if (!isObj(raw) || typeof raw.type !== 'string') return undefined;
  const init: Initiator = { type: raw.type };
  if (typeof raw.url === 'string') init.url = raw.url;
  if (typeof raw.lineNumber === 'number') init.lineNumber = raw.lineNumber;
  const stack: StackFrame[] = [];
  // The stack trace and its async parents, flattened, capped.
  for (let st: unknown = raw.stack; isObj(st) && stack.length < 64; st = st.parent) {
    if (!Array.isArray(st.callFrames)) break;
    for (const f of st.callFrames as Protocol.Runtime.CallFrame[]) {
      if (!isObj(f)) continue;
      stack.push({
        functionName: str(f.functionName) ?? '',
        url: str(f.url) ?? '',
        lineNumber: num(f.lineNumber) ?? 0,
        columnNumber: num(f.columnNumber) ?? 0,
      });
    }
  }
  if (stack.length) {
    init.stack = stack;
    init.url ??= stack[0].url;
    init.lineNumber ??= stack[0].lineNumber;
  }
  return init;
}

export class CdpCapture {
  private readonly out: RecordSink;
  private readonly now: () => number;
  private readonly host: CdpHostEvents;
  private readonly replays?: ReplayMarks;
  private readonly sessions = new Map<number, SessionKey>();
  private readonly ids = new Map<number, Connection>();
  private readonly conns = new Map<string, Connection>();
  private readonly targets = new Map<string, SocketTarget>();
  private nextConnId = 1;
  private nextFrameId = 1;
  /** wall seconds − monotonic seconds; `exact` once it comes from CDP's own wallTime. */
  private anchor: number | undefined;
  private anchorExact = false;
  /** Keys of the latest received payloads of unannounced connections (to tell their page sockets apart). */
  private readonly recentKeys = new Map<number, string[]>();
  /** Malformed or unusable events that were ignored. */
  malformed = 0;

  constructor(opts: CdpCaptureOptions) {
    this.out = opts.out;
    this.now = opts.now ?? Date.now;
    this.host = opts.host ?? {};
    this.replays = opts.replays;
  }

  /** Feed one CDP event. Unknown methods are ignored; nothing here throws on bad input. */
  handle(session: SessionKey, method: string, params: unknown): void {
    const h = (this.handlers as Record<string, ((s: SessionKey, p: object) => void) | undefined>)[method];
    if (!h) return;
    if (!isObj(params)) {
      this.malformed++;
      return;
    }
    h(session, params);
  }

  /** The live connections of a session (for resolving URLs and close codes from the page). */
  connectionsOf(session: SessionKey): Connection[] {
    const prefix = (session ?? '') + '|';
    const out: Connection[] = [];
    for (const [k, c] of this.conns) if (k.startsWith(prefix)) out.push(c);
    return out;
  }

  /** Capture lost sight of the page (the debugger detached): what its live sockets do now is unknown. */
  detached(): void {
    for (const c of this.ids.values()) {
      if (!isLive(c)) continue;
      c.state = 'unknown';
      c.stateNote = 'The debugger was detached while this socket was live: its frames and close since then were not seen.';
      this.emitConn(c);
    }
  }

  /**
   * Capture sees the page again (re-attached): a socket of unknown state whose URL no live socket of the page has any
   * more was closed meanwhile; where the page has as many live sockets of that URL as there are unknown ones (beside
   * those known open), they are open. Otherwise they stay unknown until a frame of theirs arrives.
   */
  reconcile(session: SessionKey, live: ReadonlyArray<{ url: string; readyState: number }>): void {
    const liveByUrl = new Map<string, number>();
    for (const s of live) if (s.readyState <= 2) liveByUrl.set(s.url, (liveByUrl.get(s.url) ?? 0) + 1);
    const unknownByUrl = new Map<string, Connection[]>();
    for (const c of this.connectionsOf(session)) {
      if (isLive(c)) liveByUrl.set(c.url, (liveByUrl.get(c.url) ?? 0) - 1);
      else if (c.state === 'unknown' && c.url) unknownByUrl.set(c.url, [...(unknownByUrl.get(c.url) ?? []), c]);
    }
    for (const [url, conns] of unknownByUrl) {
      const n = liveByUrl.get(url) ?? 0;
      if (n > 0 && n < conns.length) continue; // some closed, some not: which is unknown
      for (const c of conns) {
        c.state = n > 0 ? 'open' : 'closed';
        c.stateNote = n > 0 ? 'Still open when the debugger attached again; frames while it was detached were not seen.' : 'Closed while the debugger was detached: its close code and time were not seen.';
        this.emitConn(c);
      }
    }
  }

  /**
   * Write the connections still connecting, open or closing (and the time anchor) again: for a panel that connects
   * after they were announced (a reloaded panel), so its connection list, composer and HAR export have them.
   */
  snapshot(): void {
    if (this.anchor !== undefined) this.out.record({ t: 'anchor', anchor: this.anchor });
    for (const c of this.ids.values()) if (isLive(c) || c.state === 'unknown') this.emitConn(c);
  }

  /** Wall-clock ms of a CDP timestamp, or null before any anchor is known. */
  wallMsOf(ts: number): number | null {
    return this.anchor === undefined ? null : toWallMs(ts, this.anchor);
  }

  /** A page-side probe resolved the URL (or the candidate URLs) of a socket opened before capture. */
  resolveUrl(connId: number, urls: string[]): void {
    const c = this.byId(connId);
    if (!c || !c.openedBeforeCapture || c.url) return;
    const unique = [...new Set(urls)];
    if (unique.length === 1) {
      c.url = unique[0];
      delete c.urlCandidates;
    } else if (unique.length > 1) {
      if (c.urlCandidates?.join('\n') === unique.join('\n')) return;
      c.urlCandidates = unique;
    } else return;
    this.emitConn(c);
  }

  /** Keys of what an unannounced connection received lately (to match it with a live socket). */
  recentKeysOf(connId: number): string[] {
    return this.recentKeys.get(connId) ?? [];
  }

  /** A page-side probe saw the socket's close event: code, reason, wasClean. */
  setCloseInfo(connId: number, code: number, reason: string, wasClean: boolean): void {
    const c = this.byId(connId);
    if (!c || c.closeCode !== undefined) return;
    c.closeCode = code;
    c.closeReason = reason;
    c.wasClean = wasClean;
    this.emitConn(c);
  }

  /** The connection with this id, and the CDP session it lives in. */
  connection(id: number): { conn: Connection; session: SessionKey } | undefined {
    const conn = this.byId(id);
    return conn ? { conn, session: this.sessions.get(id) } : undefined;
  }

  /** A message Frameline dispatched to the page as if the server had sent it (CDP does not see it). */
  injected(connId: number, opcode: number, payload: { text?: string; b64?: string }): void {
    const c = this.byId(connId);
    if (!c) return;
    const binary = payload.text === undefined;
    const data = payload.text ?? payload.b64 ?? '';
    const size = binary ? base64ByteLength(data) : utf8ByteLength(data);
    this.out.frame(this.nextFrameId++, c.id, 'received', opcode, this.nowTs(), size, data, binary, 'injected');
  }

  /**
   * What intercept rules did in the page's contexts of a session: marks, and frames the network did not carry. A hit
   * is placed on the connection of its socket's URL (of several, the one made nearest the socket's creation time);
   * hits of no known connection are counted.
   */
  ruleHits(session: SessionKey, reported: readonly unknown[]): void {
    for (const x of reported) {
      const hit = parseRuleHit(x);
      if (!hit) {
        this.malformed++;
        continue;
      }
      const c = this.connectionOfHit(session, hit);
      if (!c) {
        this.unplacedHits++;
        continue;
      }
      const ts = this.anchor === undefined ? this.nowTs() : fromWallMs(hit.t, this.anchor);
      writeRuleHit(this.out, hit, c.id, ts, () => this.nextFrameId++);
    }
  }
  /** Rule hits whose socket matched no captured connection. */
  unplacedHits = 0;

  private connectionOfHit(session: SessionKey, hit: RuleHit): Connection | undefined {
    let pool = this.connectionsOf(session).filter((c) => c.url === hit.url);
    if (pool.length === 0) pool = [...this.ids.values()].filter((c) => c.url === hit.url);
    if (pool.length <= 1 || hit.created === null) return pool.find(isLive) ?? pool[pool.length - 1];
    const gap = (c: Connection) => {
      const w = c.createdTs !== undefined ? this.wallMsOf(c.createdTs) : null;
      return w === null ? Infinity : Math.abs(w - hit.created!);
    };
    return pool.reduce((a, b) => (gap(b) < gap(a) ? b : a));
  }

  private byId(id: number): Connection | undefined {
    return this.ids.get(id);
  }

  /** Monotonic seconds now, on the anchor's clock (for events CDP does not time: navigations, injected frames). */
  private nowTs(): number {
    return this.now() / 1000 - (this.anchor ?? this.now() / 1000);
  }

  private readonly handlers: Handlers = {
    'Target.attachedToTarget': (_s, p) => {
      const sid = str(p.sessionId);
      const info = p.targetInfo;
      if (!sid || !isObj(info)) return void this.malformed++;
      const type = TARGET_TYPES.find((t) => t === info.type) ?? 'other';
      this.targets.set(sid, { type, url: str(info.url) || undefined });
      this.host.childAttached?.(sid, str(info.type) ?? '');
    },

    'Target.detachedFromTarget': (_s, p) => {
      const sid = str(p.sessionId);
      if (!sid) return void this.malformed++;
      // A worker or frame went away: its sockets went with it, and CDP will say nothing more about them.
      for (const c of this.connectionsOf(sid)) {
        if (c.state === 'closed' || c.state === 'error') continue;
        c.state = 'closed';
        c.closeTs ??= c.openTs ?? c.createdTs;
        this.emitConn(c);
      }
      this.targets.delete(sid);
      this.host.childDetached?.(sid);
    },

    // The inspected page's main frame navigated (no parent, root session): a mark on the timeline.
    'Page.frameNavigated': (s, p) => {
      const frame = p.frame;
      if (!isObj(frame)) return void this.malformed++;
      if (s !== undefined || frame.parentId || typeof frame.url !== 'string') return;
      this.out.record({ t: 'navigated', url: frame.url, ts: this.nowTs() });
    },

    'Network.webSocketCreated': (s, p) => {
      const id = str(p.requestId);
      const url = str(p.url);
      if (!id || url === undefined) return void this.malformed++;
      const c = this.ensure(s, id, false);
      c.url = url;
      c.openedBeforeCapture = false;
      delete c.urlCandidates;
      this.recentKeys.delete(c.id);
      const init = initiatorOf(p.initiator);
      if (init) c.initiator = init;
      this.emitConn(c);
      this.host.socketCreated?.(s);
    },

    'Network.webSocketWillSendHandshakeRequest': (s, p) => {
      const id = str(p.requestId);
      const ts = num(p.timestamp);
      if (!id || ts === undefined || !isObj(p.request)) return void this.malformed++;
      const wall = num(p.wallTime);
      if (wall !== undefined && !this.anchorExact) {
        this.anchor = anchorFrom(ts, wall);
        this.anchorExact = true;
        this.out.record({ t: 'anchor', anchor: this.anchor });
      }
      this.ensureAnchor(ts);
      const c = this.ensure(s, id, false);
      c.createdTs = ts;
      c.request = { headers: headerList(p.request.headers) };
      this.emitConn(c);
    },

    'Network.webSocketHandshakeResponseReceived': (s, p) => {
      const id = str(p.requestId);
      const ts = num(p.timestamp);
      const r = p.response;
      if (!id || ts === undefined || !isObj(r)) return void this.malformed++;
      this.ensureAnchor(ts);
      const c = this.ensure(s, id, false);
      const headers = headerList(r.headers);
      c.response = { status: num(r.status) ?? 0, statusText: str(r.statusText) ?? '', headers };
      if (typeof r.headersText === 'string') c.response.headersText = r.headersText;
      // The request as CDP saw it go out (Host, extensions): preferred over the first view. Chrome leaves Cookie out
      // of both (README).
      if (isObj(r.requestHeaders)) c.request = { headers: headerList(r.requestHeaders) };
      if (c.request && typeof r.requestHeadersText === 'string') c.request.headersText = r.requestHeadersText;
      c.protocol = headerValue(headers, 'Sec-WebSocket-Protocol') ?? '';
      c.extensions = headerValue(headers, 'Sec-WebSocket-Extensions') ?? '';
      if (c.response.status === 101) {
        c.openTs = ts;
        if (c.state === 'connecting') c.state = 'open';
      } else {
        c.state = 'error';
        c.error ??= `Handshake failed: HTTP ${c.response.status} ${c.response.statusText}`.trim();
      }
      this.emitConn(c);
    },

    'Network.webSocketFrameSent': (s, p) => this.frame(s, p, 'sent'),

    'Network.webSocketFrameReceived': (s, p) => this.frame(s, p, 'received'),

    'Network.webSocketFrameError': (s, p) => {
      const id = str(p.requestId);
      const ts = num(p.timestamp);
      const message = str(p.errorMessage) ?? 'Unknown WebSocket error';
      if (!id || ts === undefined) return void this.malformed++;
      this.ensureAnchor(ts);
      const c = this.ensure(s, id, true);
      if (c.state !== 'closed') c.state = 'error';
      c.error = message;
      this.emitConn(c);
      this.out.frame(this.nextFrameId++, c.id, 'received', OPCODE.error, ts, 0, message, false);
    },

    'Network.webSocketClosed': (s, p) => {
      const id = str(p.requestId);
      const ts = num(p.timestamp);
      if (!id || ts === undefined) return void this.malformed++;
      this.ensureAnchor(ts);
      const c = this.ensure(s, id, true);
      c.closeTs = ts;
      if (c.state !== 'error') c.state = 'closed';
      this.emitConn(c);
      this.host.socketClosed?.(s);
    },
  };

  private frame(s: SessionKey, p: Partial<Protocol.Network.WebSocketFrameSentEvent>, dir: 'sent' | 'received') {
    const id = str(p.requestId);
    const ts = num(p.timestamp);
    const r = p.response;
    if (!id || ts === undefined || !isObj(r) || typeof r.payloadData !== 'string') return void this.malformed++;
    this.ensureAnchor(ts);
    const c = this.ensure(s, id, true);
    if (c.state === 'unknown') {
      // A frame after a detach: the socket is open, whatever was missed meanwhile.
      c.state = 'open';
      c.stateNote = 'Seen again after the debugger was detached; frames while it was detached were not seen.';
      this.emitConn(c);
    }
    const opcode = num(r.opcode) ?? OPCODE.text;
    const data = r.payloadData;
    if (c.openedBeforeCapture && dir === 'received') this.rememberKey(c.id, opcode, data);
    // Binary (and any control frame CDP may report) arrives base64-encoded.
    const binary = opcode !== OPCODE.text;
    const size = binary ? base64ByteLength(data) : utf8ByteLength(data);
    const replayed = dir === 'sent' && this.replays?.take(c.id, c.url, opcode, data);
    this.out.frame(this.nextFrameId++, c.id, dir, opcode, ts, size, data, binary, replayed ? 'replayed' : undefined);
  }

  private rememberKey(connId: number, opcode: number, data: string) {
    let keys = this.recentKeys.get(connId);
    if (!keys) this.recentKeys.set(connId, (keys = []));
    keys.push(opcode === OPCODE.text ? payloadKey(data, 0) : payloadKey(undefined, base64ByteLength(data)));
    if (keys.length > 32) keys.shift();
  }

  /** The connection for (session, requestId), created on first sight whatever the event. */
  private ensure(s: SessionKey, requestId: string, unannouncedIfNew: boolean): Connection {
    const key = (s ?? '') + '|' + requestId;
    let c = this.conns.get(key);
    if (c) return c;
    c = {
      id: this.nextConnId++,
      url: '',
      state: unannouncedIfNew ? 'open' : 'connecting',
      openedBeforeCapture: unannouncedIfNew,
      target: (s !== undefined && this.targets.get(s)) || { type: s === undefined ? 'page' : 'other' },
    };
    this.conns.set(key, c);
    this.sessions.set(c.id, s);
    this.ids.set(c.id, c);
    if (unannouncedIfNew) {
      this.emitConn(c);
      this.host.unannouncedSocket?.(s, c);
    }
    return c;
  }

  private ensureAnchor(ts: number) {
    if (this.anchor !== undefined) return;
    // No handshake seen yet (sockets opened before capture): estimate from the receive time.
    this.anchor = anchorFrom(ts, this.now() / 1000);
    this.out.record({ t: 'anchor', anchor: this.anchor });
  }

  private emitConn(c: Connection) {
    // A snapshot: the store must not share our mutable object across contexts or batches.
    this.out.record({
      t: 'conn',
      conn: { ...c, target: { ...c.target }, ...(c.urlCandidates ? { urlCandidates: [...c.urlCandidates] } : {}) },
    });
  }
}

function isLive(c: Connection): boolean {
  return c.state === 'connecting' || c.state === 'open' || c.state === 'closing';
}
