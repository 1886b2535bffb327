// Firefox: page-hook events (src/capture/firefox/page-hook.ts) and webRequest handshakes → the same normalized records
// as CDP gives in Chrome, written into a RecordSink. Pure: no browser.*, no DOM; fed by src/platform/firefox/hook-host.ts.
// Times: the hook reports wall-clock milliseconds, so records carry wall-clock seconds with an anchor of 0.
// A socket is known by (frame id, document, hook socket number); its handshake comes from webRequest and is paired
// with it by frame and URL, in order (the two arrive by different paths, in either order).
import type { Connection, ConnectionState, Header, Initiator, StackFrame } from '../../model/types';
import { OPCODE } from '../../model/types';
import type { RecordSink } from '../../model/batch';
import { base64ByteLength, utf8ByteLength } from '../../model/bytes';
import { headerValue } from '../../model/headers';
import type { RuleHit } from '../../model/intercept/types';
import { parseRuleHit, writeRuleHit } from '../rule-hits';
import type { HookBatch, HookEvent } from './hook-protocol';

/** A WebSocket handshake as Firefox's webRequest reports it (relayed by the background router). */
export interface WsHandshake {
  phase: 'request' | 'response' | 'error';
  requestId: string;
  frameId: number;
  url: string;
  /** Wall-clock ms. */
  t: number;
  headers?: Header[];
  status?: number;
  statusLine?: string;
  error?: string;
  /** The URL of the document or worker that made the request, as webRequest tells it. */
  originUrl?: string;
}

/** How long a handshake waits for its page-hook socket before it is shown on its own (handshake only). */
export const LONELY_HANDSHAKE_MS = 2000;
export const HANDSHAKE_ONLY =
  'Firefox shows Frameline only the handshake of this socket: it was made where no page hook runs (a worker, or a ' +
  'frame extensions may not script), so its frames cannot be captured.';

export const UNTRUSTED =
  "Frameline's hook came into this page after the page's own scripts (the page was open when Frameline was installed " +
  'or updated): the page may have tampered with what the hook relies on, so this record is not vouched for and ' +
  'replay is refused. Reload the page to capture it faithfully.';

export interface SocketLocation {
  frameId: number;
  doc: string;
  s: number;
}

const STATES: ConnectionState[] = ['connecting', 'open', 'closing', 'closed'];

/** Firefox's `Error().stack` ("fn@url:line:col" per line) → stack frames, without the hook's own frames. */
export function parseFirefoxStack(stack: string | undefined): StackFrame[] {
  if (!stack) return [];
  const out: StackFrame[] = [];
  for (const line of stack.split('\n')) {
    const m = /^(.*?)@(.*):(\d+):(\d+)$/.exec(line.trim());
    if (!m) continue;
    if (/^(moz|chrome)-extension:|^<anonymous code>$/.test(m[2])) continue; // Frameline's own hook (a MAIN-world script)
    out.push({ functionName: m[1], url: m[2], lineNumber: Number(m[3]) - 1, columnNumber: Number(m[4]) - 1 });
    if (out.length >= 64) break;
  }
  return out;
}

export class HookCapture {
  private nextConn = 1;
  private nextFrame = 1;
  private readonly byKey = new Map<string, Connection>();
  private readonly locations = new Map<number, SocketLocation>();
  private readonly docs = new Map<number, string>(); // frame id → its current document
  /** Frames whose current document's hook came late (HookBatch.late): frame id → that document. */
  private readonly lateDocs = new Map<number, string>();
  /** Handshakes not yet paired with a socket, and sockets not yet paired with a handshake, by frame + URL. */
  private readonly lonelyHandshakes = new Map<string, WsHandshake[]>();
  private readonly lonelySockets = new Map<string, Connection[]>();
  private readonly byRequest = new Map<string, Connection>();
  private readonly handshakes = new Map<string, WsHandshake[]>(); // request id → its events, until paired
  /** Unpaired handshakes made since capture started (request id → time), candidates for `sweep`. */
  private readonly fresh = new Map<string, number>();
  /** The hook's creation time of each socket (its `t`, also what rule hits name it by), by key. */
  private readonly madeAt = new Map<string, number>();
  /** Events (and rule hits) dropped because their shape was wrong. */
  malformed = 0;
  /** Rule hits whose socket matched no connection of their document. */
  unplacedHits = 0;

  constructor(
    private readonly out: RecordSink,
    /** Wall-clock ms when capture started: sockets made before it have frames that were not captured. */
    private readonly startedAt: number,
  ) {
    out.record({ t: 'anchor', anchor: 0 });
  }

  /** Where the hook of a connection lives (for replay). */
  locate(conn: number): SocketLocation | undefined {
    return this.locations.get(conn);
  }

  connection(conn: number): Connection | undefined {
    const loc = this.locations.get(conn);
    return loc ? this.byKey.get(`${loc.frameId}:${loc.doc}:${loc.s}`) : undefined;
  }

  /** The current document of a frame (0: the top document). */
  docOf(frameId: number): string | undefined {
    return this.docs.get(frameId);
  }

  /** Whether some frame's current document got its hook late: the page should be reloaded to be trusted. */
  get reloadToTrust(): boolean {
    return this.lateDocs.size > 0;
  }

  /** Whether a document's hook came late: replay there is refused. */
  isLate(frameId: number, doc: string): boolean {
    return this.lateDocs.get(frameId) === doc;
  }

  batch(frameId: number, b: HookBatch): void {
    const prev = this.docs.get(frameId);
    if (prev !== b.doc) {
      this.docs.set(frameId, b.doc);
      if (frameId === 0 && prev !== undefined) this.out.record({ t: 'navigated', url: b.href, ts: Date.now() / 1000 });
    }
    if (b.late) this.lateDocs.set(frameId, b.doc);
    else if (this.lateDocs.get(frameId) !== b.doc) this.lateDocs.delete(frameId);
    const late = this.isLate(frameId, b.doc); // sticks to its document, whatever a later batch says
    for (const e of b.events) this.event(frameId, b.doc, b.href, e, late);
  }

  private event(frameId: number, doc: string, href: string, e: HookEvent, late: boolean) {
    const key = `${frameId}:${doc}:${e.s}`;
    if (e.k === 'socket') {
      if (this.byKey.has(key)) return;
      const stack = parseFirefoxStack(e.stack);
      const initiator: Initiator | undefined = stack.length ? { type: 'script', url: stack[0].url, lineNumber: stack[0].lineNumber, stack } : undefined;
      const c: Connection = {
        id: this.nextConn++,
        url: e.url,
        state: STATES[e.state] ?? 'connecting',
        openedBeforeCapture: e.pre || e.t < this.startedAt,
        target: { type: frameId === 0 ? 'page' : 'iframe', url: href },
        createdTs: e.t / 1000,
        ...(initiator ? { initiator } : {}),
        ...(e.protocol ? { protocol: e.protocol } : {}),
        ...(e.extensions ? { extensions: e.extensions } : {}),
        ...(late ? { untrusted: UNTRUSTED } : {}),
      };
      if (e.pre) c.createdTs = undefined;
      this.byKey.set(key, c);
      this.madeAt.set(key, e.t);
      this.locations.set(c.id, { frameId, doc, s: e.s });
      this.emitConn(c);
      this.pair(frameId, c);
      return;
    }
    const c = this.byKey.get(key);
    if (!c) {
      this.malformed++;
      return;
    }
    switch (e.k) {
      case 'open':
        this.update(c, { state: 'open', openTs: e.t / 1000, protocol: e.protocol || c.protocol, extensions: e.extensions || c.extensions });
        break;
      case 'frame': {
        const binary = e.text === undefined;
        const data = binary ? e.b64! : e.text!;
        const size = binary ? base64ByteLength(data) : utf8ByteLength(data);
        this.out.frame(this.nextFrame++, c.id, e.dir, binary ? OPCODE.binary : OPCODE.text, e.t / 1000, size, data, binary, e.mark);
        break;
      }
      case 'error':
        this.update(c, { error: c.error ?? 'The socket reported an error (the page gets no details; see the handshake status).' });
        this.out.frame(this.nextFrame++, c.id, 'received', OPCODE.error, e.t / 1000, 0, c.error ?? 'error', false);
        break;
      case 'close':
        this.update(c, { state: 'closed', closeTs: e.t / 1000, closeCode: e.code, closeReason: e.reason, wasClean: e.wasClean });
        break;
    }
  }

  /**
   * What intercept rules did in one document: marks, and frames the network did not carry. A hit is placed on the
   * connection of its document with its socket's URL, made when the hit says (else the nearest; a hit that names no
   * time, on the latest live one); hits of no known connection are counted in `unplacedHits`.
   */
  ruleHits(frameId: number, doc: string, reported: readonly unknown[]): void {
    for (const x of reported) {
      const hit = parseRuleHit(x);
      if (!hit) {
        this.malformed++;
        continue;
      }
      const c = this.connectionOfHit(frameId, doc, hit);
      if (!c) {
        this.unplacedHits++;
        continue;
      }
      writeRuleHit(this.out, hit, c.id, hit.t / 1000, () => this.nextFrame++);
    }
  }

  private connectionOfHit(frameId: number, doc: string, hit: RuleHit): Connection | undefined {
    const prefix = `${frameId}:${doc}:`;
    let best: Connection | undefined;
    let bestGap = Infinity;
    for (const [key, c] of this.byKey) {
      if (!key.startsWith(prefix) || c.url !== hit.url) continue;
      const live = c.state !== 'closed' && c.state !== 'error';
      const gap = hit.created === null ? (live ? 0 : 1) : Math.abs((this.madeAt.get(key) ?? -Infinity) - hit.created);
      // Ties go to the later connection (the map keeps the order they were made in).
      if (gap <= bestGap) {
        best = c;
        bestGap = gap;
      }
    }
    return best;
  }

  /** The hook of a document is gone (navigation, frame removed): its open sockets are closed with it. */
  docGone(frameId: number, doc: string): void {
    if (this.lateDocs.get(frameId) === doc) this.lateDocs.delete(frameId);
    for (const [key, c] of this.byKey) {
      if (!key.startsWith(`${frameId}:${doc}:`)) continue;
      if (c.state !== 'closed' && c.state !== 'error') this.update(c, { state: 'closed', closeTs: Date.now() / 1000 });
    }
  }

  handshake(h: WsHandshake): void {
    const c = this.byRequest.get(h.requestId);
    if (c) return this.applyHandshake(c, h);
    const list = this.handshakes.get(h.requestId);
    if (list) {
      list.push(h);
      return;
    }
    this.handshakes.set(h.requestId, [h]);
    if (h.t >= this.startedAt) this.fresh.set(h.requestId, h.t);
    const k = `${h.frameId} ${h.url}`;
    const sockets = this.lonelySockets.get(k);
    const sock = sockets?.shift();
    if (sockets && !sockets.length) this.lonelySockets.delete(k);
    if (sock) this.bind(sock, h.requestId);
    else {
      const q = this.lonelyHandshakes.get(k) ?? [];
      q.push(h);
      if (q.length > 64) this.handshakes.delete(q.shift()!.requestId);
      this.lonelyHandshakes.set(k, q);
    }
  }

  private pair(frameId: number, c: Connection) {
    const k = `${frameId} ${c.url}`;
    const q = this.lonelyHandshakes.get(k);
    // Handshakes older than the socket by more than a minute are not its own.
    while (q?.length && q[0].t < (c.createdTs ?? 0) * 1000 - 60_000) this.handshakes.delete(q.shift()!.requestId);
    const h = q?.shift();
    if (q && !q.length) this.lonelyHandshakes.delete(k);
    if (h) this.bind(c, h.requestId);
    else {
      const s = this.lonelySockets.get(k) ?? [];
      s.push(c);
      if (s.length > 64) s.shift();
      this.lonelySockets.set(k, s);
    }
  }

  /**
   * Show handshakes whose socket never came from a page hook (Firefox runs no content script in workers) as
   * connections of their own, marked handshake-only. Call now and then with the wall clock in ms.
   */
  sweep(now: number): void {
    for (const [requestId, t] of this.fresh) {
      if (now - t < LONELY_HANDSHAKE_MS) continue;
      this.fresh.delete(requestId);
      const events = this.handshakes.get(requestId);
      if (!events) continue;
      const first = events[0];
      const k = `${first.frameId} ${first.url}`;
      const q = this.lonelyHandshakes.get(k);
      const at = q?.findIndex((h) => h.requestId === requestId) ?? -1;
      if (at < 0) continue;
      q!.splice(at, 1);
      if (!q!.length) this.lonelyHandshakes.delete(k);
      const c: Connection = {
        id: this.nextConn++,
        url: first.url,
        state: 'connecting',
        openedBeforeCapture: false,
        target: { type: 'other', ...(first.originUrl ? { url: first.originUrl } : {}) },
        createdTs: first.t / 1000,
        handshakeOnly: HANDSHAKE_ONLY,
      };
      const response = events.find((h) => h.phase === 'response');
      if (response?.status === 101) Object.assign(c, { state: 'open', openTs: response.t / 1000 });
      this.emitConn(c);
      this.bind(c, requestId);
    }
  }

  private bind(c: Connection, requestId: string) {
    this.fresh.delete(requestId);
    this.byRequest.set(requestId, c);
    const events = this.handshakes.get(requestId) ?? [];
    this.handshakes.delete(requestId);
    for (const h of events) this.applyHandshake(c, h);
  }

  private applyHandshake(c: Connection, h: WsHandshake) {
    if (h.phase === 'request') {
      this.update(c, { request: { headers: h.headers ?? [], reportedByBrowser: true } });
    } else if (h.phase === 'response') {
      const status = h.status ?? 0;
      const statusText = (h.statusLine ?? '').replace(/^HTTP\/\S+\s+\d+\s*/, '');
      const headers = h.headers ?? [];
      const patch: Partial<Connection> = { response: { status, statusText, headers } };
      const protocol = headerValue(headers, 'sec-websocket-protocol');
      const extensions = headerValue(headers, 'sec-websocket-extensions');
      if (protocol !== undefined && !c.protocol) patch.protocol = protocol;
      if (extensions !== undefined && !c.extensions) patch.extensions = extensions;
      if (status !== 101) patch.error = `Handshake failed: the server answered ${status}${statusText ? ' ' + statusText : ''}.`;
      this.update(c, patch);
    } else {
      this.update(c, { error: `Handshake failed: ${h.error ?? 'network error'}.` });
    }
  }

  private update(c: Connection, patch: Partial<Connection>) {
    Object.assign(c, patch);
    this.emitConn(c);
  }

  private emitConn(c: Connection) {
    this.out.record({ t: 'conn', conn: { ...c } });
  }
}
