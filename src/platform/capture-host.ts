// The capture host of one inspected tab: owns the chrome.debugger attachment, feeds CDP events to the pure
// dispatcher (src/capture/cdp.ts), and hands records to the panel in batches (~one message per 16 ms).
// It lives in the DevTools page of that tab (or in the panel page when the panel runs as a normal tab), so the
// attachment lasts exactly as long as the DevTools window: no service-worker lifetime to work around.
import { CdpCapture, type SessionKey } from '../capture/cdp';
import { candidateUrls, matchCloses, urlByPayload, type CloseInfo, type LiveSocket } from '../capture/resolve';
import { Batcher } from '../model/batcher';
import { PROTOCOL_VERSION, batchMessage } from '../protocol';
import type { HostStatus, HostToPanel, PanelToHost, ReplayRequest, ReplayResult } from '../protocol';
import { PageProbe, type PageReplay } from './page-probe';
import { ReplayMarks } from '../capture/replay-marks';
import { OPCODE } from '../model/types';
import { base64ToBytes, bytesToBase64 } from '../model/bytes';
import { toWallMs } from '../model/time';
import { describeReplayError } from './replay-errors';
import { handlePanelMessage } from './panel-messages';

export { describeReplayError };

export interface PanelLink {
  post(msg: HostToPanel): void;
}

const AUTO_ATTACH = { autoAttach: true, waitForDebuggerOnStart: true, flatten: true };
const CLOSE_READ_DELAYS = [30, 150, 600, 2000];
const HEARTBEAT_MS = 2000;
const SETUP_TIMEOUT_MS = 3000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timed out')), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

export class CaptureHost {
  private link: PanelLink | null = null;
  private readonly batcher: Batcher;
  private readonly capture: CdpCapture;
  private readonly probe: PageProbe;
  private status: HostStatus;
  private readonly scanTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly pendingCloses = new Map<string, CloseInfo[]>();
  private readonly closeReads = new Set<string>();
  private readonly resolving = new Set<string>();
  private readonly liveSockets = new Map<string, LiveSocket[]>();
  private listening = false;
  private handlerErrors = 0;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private readonly replays = new ReplayMarks();
  private anchor: number | undefined;

  /** Called on every status change, whether or not a panel is connected. */
  onStatus?: (status: HostStatus) => void;

  constructor(readonly tabId: number) {
    this.status = { phase: 'idle', dropped: 0, malformed: 0, tabId };
    this.batcher = new Batcher({
      flush: (records) => this.link?.post(batchMessage(records)),
    });
    this.capture = new CdpCapture({
      emit: (r) => {
        if (r.t === 'anchor') this.anchor = r.anchor;
        this.batcher.push(r);
      },
      replays: this.replays,
      onUnannouncedSocket: (s) => this.scheduleScan(s, 50),
    });
    this.probe = new PageProbe((session, method, params) => this.send(session, method, params));
  }

  connectPanel(link: PanelLink): void {
    this.link = link;
    this.postStatus();
    this.batcher.setOpen(true);
  }

  disconnectPanel(link: PanelLink): void {
    if (this.link !== link) return;
    this.link = null;
    this.batcher.setOpen(false);
  }

  handle(msg: PanelToHost): void {
    handlePanelMessage(this, msg, () => this.postStatus(), (m) => this.link?.post(m));
  }

  /** Attach the debugger and enable capture (idempotent). */
  async start(): Promise<void> {
    if (this.status.phase === 'capturing' || this.status.phase === 'attaching') return;
    if (typeof chrome.debugger?.attach !== 'function') {
      this.setPhase('detached', 'This browser gives extensions no debugger access (Firefox): capture here needs the page hook of a later Frameline.');
      return;
    }
    this.listen();
    this.setPhase('attaching');
    try {
      await chrome.debugger.attach({ tabId: this.tabId }, '1.3');
    } catch (e) {
      this.setPhase('detached', `Could not attach the debugger: ${(e as Error).message ?? e}`);
      return;
    }
    try {
      await this.send(undefined, 'Network.enable', {});
      // The page hook and the first scan help (close codes, URLs of older sockets) but must never hold capture up:
      // a busy or paused page gets a few seconds, then capture reports running anyway.
      await withTimeout(this.probe.installInDocuments(undefined), SETUP_TIMEOUT_MS).catch(() => {});
      await withTimeout(this.send(undefined, 'Target.setAutoAttach', AUTO_ATTACH), SETUP_TIMEOUT_MS).catch(() => {});
      // Sockets that exist already: watch them now, before their next messages (see PageProbe).
      this.liveSockets.set('', (await withTimeout(this.probe.scan(undefined), SETUP_TIMEOUT_MS).catch(() => [])) ?? []);
      this.setPhase('capturing');
      this.heartbeat();
    } catch (e) {
      this.setPhase('detached', `Could not enable capture: ${(e as Error).message ?? e}`);
    }
  }

  /** Replay a payload: on the live socket, injected as received, or on a fresh socket to the same URL. */
  async replay(req: ReplayRequest): Promise<ReplayResult> {
    const fail = (error: string, closed = false): ReplayResult => ({ id: req.id, ok: false, error, ...(closed ? { closed } : {}) });
    const found = this.capture.connection(req.conn);
    if (!found && !(req.mode === 'fresh' && req.target)) {
      return fail('This connection is not part of the live capture (it was cleared or imported): only a fresh connection is possible.');
    }
    if (this.status.phase !== 'capturing') {
      const why = this.status.reason ?? 'The debugger is detached.';
      return fail(`${why} Capture is not running, so nothing was sent; reattach, then send again.`);
    }
    if (!found) return this.freshTo(req);
    const { conn, session } = found;
    if (!conn.url) return fail('The URL of this socket is unknown, so Frameline cannot tell which socket of the page it is. Nothing was sent.');
    const opcode = req.b64 !== undefined ? OPCODE.binary : OPCODE.text;
    let data = req.text;
    if (req.b64 !== undefined) {
      try {
        data = bytesToBase64(base64ToBytes(req.b64)); // the same base64 CDP will report
      } catch {
        return fail('The binary payload is not valid base64. Nothing was sent.');
      }
    }
    const payload = req.b64 !== undefined ? { b64: data } : { text: data };
    const created = conn.createdTs !== undefined && this.anchorKnown() ? this.wallMsOf(conn.createdTs) : null;
    const protocols = (conn.request?.headers.find((h) => h.name.toLowerCase() === 'sec-websocket-protocol')?.value ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const pageReq: PageReplay = {
      mode: req.mode,
      url: conn.url,
      created,
      pre: conn.openedBeforeCapture,
      keys: this.capture.recentKeysOf(conn.id),
      protocols,
      ...payload,
    };
    if (req.mode === 'send') this.replays.expectOn(conn.id, opcode, data!);
    if (req.mode === 'fresh') this.replays.expectFresh(conn.url, opcode, data!);
    let r = await this.probe.replay(session, pageReq);
    if (!r.ok && r.error === 'not-found' && req.mode !== 'fresh') {
      // Not sent. The socket may predate the hook in its context: adopt the page's live sockets, then try once more.
      await this.probe.scan(session);
      r = await this.probe.replay(session, pageReq);
    }
    if (!r.ok) console.warn('Frameline replay failed', r);
    if (r.ok) {
      if (req.mode === 'inject') this.capture.injected(conn.id, opcode, payload);
      return { id: req.id, ok: true };
    }
    if (req.mode === 'send') this.replays.cancelOn(conn.id, opcode, data!);
    if (req.mode === 'fresh') this.replays.cancelFresh(conn.url, opcode, data!);
    return fail(describeReplayError(r, req.mode), r.error === 'state' && r.readyState !== 0);
  }

  /** A fresh connection from the inspected page to a URL of an imported session. */
  private async freshTo(req: ReplayRequest): Promise<ReplayResult> {
    const { url, protocols } = req.target!;
    const opcode = req.b64 !== undefined ? OPCODE.binary : OPCODE.text;
    const data = req.b64 ?? req.text ?? '';
    this.replays.expectFresh(url, opcode, data);
    const r = await this.probe.replay(undefined, { mode: 'fresh', url, created: null, pre: false, keys: [], protocols, text: req.text, b64: req.b64 });
    if (r.ok) return { id: req.id, ok: true };
    this.replays.cancelFresh(url, opcode, data);
    return { id: req.id, ok: false, error: describeReplayError(r, 'fresh') };
  }

  private anchorKnown() {
    return this.anchor !== undefined;
  }

  private wallMsOf(ts: number) {
    return toWallMs(ts, this.anchor!);
  }

  async reloadPage(): Promise<void> {
    if (this.status.phase !== 'capturing') await this.start();
    try {
      await this.send(undefined, 'Page.reload', { ignoreCache: false });
    } catch {
      chrome.tabs?.reload?.(this.tabId);
    }
  }

  dispose(): void {
    clearInterval(this.heartbeatTimer);
    if (this.status.phase === 'capturing') chrome.debugger.detach({ tabId: this.tabId }).catch(() => {});
    if (this.listening) {
      chrome.debugger.onEvent.removeListener(this.onEvent);
      chrome.debugger.onDetach.removeListener(this.onDetach);
    }
  }

  private listen() {
    if (this.listening) return;
    this.listening = true;
    chrome.debugger.onEvent.addListener(this.onEvent);
    chrome.debugger.onDetach.addListener(this.onDetach);
  }

  private readonly onEvent = (source: chrome.debugger.DebuggerSession, method: string, params?: object) => {
    if (source.tabId !== this.tabId) return;
    const session: SessionKey = source.sessionId;
    try {
      this.capture.handle(session, method, params);
    } catch (e) {
      // The dispatcher validates its input; this is a last line of defence so one bad event never stops capture.
      this.handlerErrors++;
      console.error('Frameline: failed to handle', method, e);
    }
    switch (method) {
      case 'Target.attachedToTarget': {
        const p = params as { sessionId?: string; targetInfo?: { type?: string } };
        void this.setUpChild(p?.sessionId, p?.targetInfo?.type);
        break;
      }
      case 'Target.detachedFromTarget':
        this.probe.reset((params as { sessionId?: string })?.sessionId);
        break;
      case 'Network.webSocketCreated':
        // Where the page hook runs, new sockets are recorded at construction: no need to walk the page's heap.
        void this.probe.isHooked(session).then((hooked) => hooked || this.scheduleScan(session, 100));
        break;
      case 'Network.webSocketClosed':
        this.readClosesSoon(session);
        break;
      case 'Page.frameNavigated': {
        const frame = (params as { frame?: { parentId?: string; url?: string } })?.frame;
        if (session === undefined && frame && !frame.parentId && typeof frame.url === 'string') this.capture.navigated(frame.url);
        break;
      }
    }
  };

  private readonly onDetach = (source: chrome.debugger.Debuggee, reason: string) => {
    if (source.tabId !== this.tabId) return;
    const why =
      reason === 'canceled_by_user'
        ? 'The debugger was detached (the "started debugging" bar was cancelled).'
        : reason === 'target_closed'
          ? 'The inspected tab was closed or crashed.'
          : `The debugger was detached (${reason}).`;
    this.detached(why);
  };

  /** A child target (out-of-process iframe, worker) was auto-attached, paused: enable capture, then resume it. */
  private async setUpChild(sessionId: string | undefined, type: string | undefined) {
    if (!sessionId) return;
    await this.send(sessionId, 'Network.enable', {}).catch(() => {});
    if (type === 'worker') await this.probe.installInWorker(sessionId).catch(() => {});
    else if (type === 'iframe') await this.probe.installInDocuments(sessionId).catch(() => {});
    await this.send(sessionId, 'Target.setAutoAttach', AUTO_ATTACH).catch(() => {});
    await this.send(sessionId, 'Runtime.runIfWaitingForDebugger', {}).catch(() => {});
  }

  private send(session: string | undefined, method: string, params?: object): Promise<any> {
    const target: chrome.debugger.DebuggerSession = session ? { tabId: this.tabId, sessionId: session } : { tabId: this.tabId };
    return chrome.debugger.sendCommand(target, method, params).catch((e: unknown) => {
      // Another context can detach without onDetach reaching us: notice it on the next command.
      if (session === undefined && /not attached/i.test(String((e as Error)?.message ?? e))) {
        this.detached('The debugger was detached from the tab.');
      }
      throw e;
    });
  }

  /** While capturing, a cheap command every few seconds notices a detach that raised no event. */
  private heartbeat() {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => {
      if (this.status.phase !== 'capturing') return clearInterval(this.heartbeatTimer);
      this.send(undefined, 'Runtime.evaluate', { expression: '0', silent: true }).catch(() => {});
    }, HEARTBEAT_MS);
  }

  private detached(why: string) {
    if (this.status.phase === 'detached') return;
    this.probe.reset();
    this.setPhase('detached', why);
  }

  /** Look at the page's live sockets: close listeners, and URLs for sockets opened before capture. */
  private scheduleScan(session: SessionKey, delay: number) {
    const key = session ?? '';
    if (this.scanTimers.has(key)) return;
    this.scanTimers.set(
      key,
      setTimeout(async () => {
        this.scanTimers.delete(key);
        this.resolveUnannounced(session, await this.probe.scan(session), 0);
      }, delay),
    );
  }

  /**
   * URLs of sockets opened before capture: from the live sockets not accounted for by announced connections, and
   * when several remain possible, from what each live socket received compared with the connection's frames.
   * One retry loop per session (about once a second, for up to 30 s) while some stay ambiguous.
   */
  private async resolveUnannounced(session: SessionKey, live: LiveSocket[], attempt: number) {
    const key = session ?? '';
    if (attempt === 0) {
      this.liveSockets.set(key, live);
      if (this.resolving.has(key)) return;
      this.resolving.add(key);
    }
    const again = await this.resolvePass(session, this.liveSockets.get(key) ?? []);
    if (again && attempt < 30) setTimeout(() => void this.resolveUnannounced(session, [], attempt + 1), 1000);
    else this.resolving.delete(key);
  }

  /** One resolution pass; true when some connection is still ambiguous. */
  private async resolvePass(session: SessionKey, live: LiveSocket[]): Promise<boolean> {
    const conns = this.capture.connectionsOf(session);
    const unresolved = conns.filter((c) => c.openedBeforeCapture && !c.url && c.state === 'open');
    if (!unresolved.length || !live.length) return false;
    const urls = candidateUrls(live, conns);
    for (const c of unresolved) this.capture.resolveUrl(c.id, urls);
    const pending = unresolved.filter((c) => !c.url);
    if (!pending.length) return false;
    const recent = await this.probe.recentMessages(session);
    for (const c of pending) {
      const url = urlByPayload(this.capture.recentKeysOf(c.id), recent);
      if (url) this.capture.resolveUrl(c.id, [url]);
    }
    return pending.some((c) => !c.url);
  }

  private readClosesSoon(session: SessionKey) {
    const key = session ?? '';
    if (this.closeReads.has(key)) return;
    this.closeReads.add(key);
    let attempt = 0;
    const step = async () => {
      const closes = [...(this.pendingCloses.get(key) ?? []), ...(await this.probe.takeCloses(session))];
      const { matched, unmatched } = matchCloses(closes, this.capture.connectionsOf(session));
      for (const [c, info] of matched) this.capture.setCloseInfo(c.id, info.code, info.reason, info.wasClean);
      this.pendingCloses.set(key, unmatched.slice(-100));
      const waiting = this.capture
        .connectionsOf(session)
        .some((c) => (c.state === 'closed' || c.state === 'error') && c.closeCode === undefined && c.url);
      if (waiting && attempt < CLOSE_READ_DELAYS.length - 1) setTimeout(step, CLOSE_READ_DELAYS[++attempt]);
      else this.closeReads.delete(key);
    };
    setTimeout(step, CLOSE_READ_DELAYS[0]);
  }

  private setPhase(phase: HostStatus['phase'], reason?: string) {
    this.status = { ...this.status, phase, reason };
    this.postStatus();
    this.onStatus?.(this.status);
  }

  private postStatus() {
    this.status.dropped = this.batcher.dropped;
    this.status.malformed = this.capture.malformed + this.handlerErrors;
    this.link?.post({ v: PROTOCOL_VERSION, type: 'status', status: { ...this.status } });
  }
}
