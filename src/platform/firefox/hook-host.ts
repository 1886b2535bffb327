// Firefox: the capture host of one inspected tab, in the panel page. Firefox gives extensions no debugger, so capture
// comes from the page hooks (src/capture/firefox/page-hook.ts) and webRequest, both through the background router
// (background-router.ts), into the pure HookCapture. The page hooks batch already (about once per 16 ms), so each
// router message becomes one batch for the panel at once: the Batcher here only holds records while no panel is linked.
// Intercept rules go to every document of the tab through the router, with a lease the host renews while rules exist
// (closing DevTools ends them); what they did comes back as hits, placed by HookCapture.
import { HookCapture } from '../../capture/firefox/hook-capture';
import type { HookReplay, HookReplayResult } from '../../capture/firefox/hook-protocol';
import { Batcher } from '../../model/batcher';
import { headerValue, splitProtocols } from '../../model/headers';
import { PROTOCOL_VERSION, batchMessage, hookHostPortName, isRouterToHost } from '../../protocol';
import type { HostStatus, HostToRouter, InterceptStatus, PanelToHost, ReplayRequest, ReplayResult, RouterToHost } from '../../protocol';
import { pullFrom, type Host, type PanelLink } from '../host-link';
import { describeReplayError } from '../replay-errors';
import { handlePanelMessage } from '../panel-messages';
import { browser, type Runtime } from '../browser';
import type { HoldDecision, PageRule } from '../../model/intercept/types';
import { HeldBook } from '../../capture/held-book';

const REPLAY_TIMEOUT_MS = 20_000;
/** Rules are sent again this often while any exist, each time for a lease of RULES_LEASE_MS. */
const RULES_EVERY_MS = 1000;
const RULES_LEASE_MS = 3000;

export const RULES_LATE_NOTE =
  'Rules do not act in a document Frameline came into after its own scripts (open before Frameline was installed or ' +
  'updated): reload the page.';

export const SUPERSEDED = 'Another Frameline panel on this tab took over capture. Reattach to capture here again (the other panel then stops).';

export class HookHost implements Host {
  private link: PanelLink | null = null;
  private readonly batcher: Batcher;
  private capture: HookCapture | null = null;
  private router: Runtime.Port | null = null;
  private status: HostStatus;
  private disposed = false;
  private nextReplay = 1;
  private readonly pending = new Map<number, { resolve: (r: HookReplayResult) => void; timer: ReturnType<typeof setTimeout> }>();
  onStatus?: (status: HostStatus) => void;

  constructor(readonly tabId: number) {
    this.status = { phase: 'idle', dropped: 0, malformed: 0, tabId };
    this.batcher = new Batcher({ flush: (batch) => this.link?.post(batchMessage(batch)) });
  }

  connectPanel(link: PanelLink): void {
    this.link = link;
    this.postStatus();
    this.postHeld(true);
    pullFrom(this.batcher, link);
    this.batcher.setOpen(true);
    this.tellRouter({ type: 'panel', linked: true });
  }

  disconnectPanel(link: PanelLink): void {
    if (this.link !== link) return;
    this.link = null;
    pullFrom(this.batcher, null);
    this.batcher.setOpen(false);
    this.tellRouter({ type: 'panel', linked: false });
  }

  private tellRouter(m: HostToRouter) {
    try {
      this.router?.postMessage(m);
    } catch {
      /* reconnecting: said again on connect */
    }
  }

  handle(msg: PanelToHost): void {
    handlePanelMessage(this, msg, () => this.postStatus(), (m) => this.link?.post(m));
  }

  /** Intercept rules in force from now on, in every document of the tab (not workers: no hook runs there); [] ends
   *  them at once. */
  setRules(rules: PageRule[]): void {
    const had = this.rules.length > 0;
    this.rules = rules;
    if (rules.length && !this.rulesTimer) this.rulesTimer = setInterval(() => this.sendRules(), RULES_EVERY_MS);
    if (!rules.length) this.stopRulesTimer();
    if (rules.length || had) this.sendRules();
    this.noteRules(true);
  }
  /** Decide a held frame: the router takes it to the frame's document, whose hook lists what it still holds. */
  release(key: string, decision: HoldDecision): void {
    const at = this.held.locate(key);
    if (!at) return;
    const cut = at.scope.indexOf('|');
    this.tellRouter({ type: 'release', frameId: Number(at.scope.slice(0, cut)), doc: at.scope.slice(cut + 1), id: at.id, decision });
  }

  releaseAll(): void {
    for (const h of this.held.list()) this.release(h.key, { forward: true });
  }

  /** Frames hold rules keep in the tab's documents (scope: frame id and document). */
  private readonly held = new HeldBook();
  /** Per document, the last relay batch number passed on (see the relay's acknowledgements). */
  private readonly lastSeq = new Map<string, number>();

  private postHeld(force = false) {
    const news = this.held.news(force);
    if (news) this.link?.post({ v: PROTOCOL_VERSION, type: 'held', ...news });
  }

  private rules: PageRule[] = [];
  private rulesTimer: ReturnType<typeof setInterval> | undefined;
  /** Documents the last rules reached (the router says), and hits the pages could not keep. */
  private rulesReach = 0;
  private rulesLost = 0;

  private sendRules() {
    this.tellRouter({ type: 'rules', rules: this.rules, lease: this.rules.length ? RULES_LEASE_MS : 0 });
  }

  private stopRulesTimer() {
    clearInterval(this.rulesTimer);
    this.rulesTimer = undefined;
  }

  /** The intercept status, posted when it changed (`force`: set it even if rules were never set). */
  private noteRules(force = false) {
    const was = this.status.intercept;
    if (!was && !force) return;
    const n = this.rules.length;
    const note = n && this.capture?.reloadToTrust ? RULES_LATE_NOTE : undefined;
    const next: InterceptStatus = {
      rules: n, contexts: n ? this.rulesReach : 0, lost: this.rulesLost + (this.capture?.unplacedHits ?? 0), ...(note ? { note } : {}),
    };
    if (was && was.rules === next.rules && was.contexts === next.contexts && was.lost === next.lost && was.note === next.note) return;
    this.status.intercept = next;
    this.postStatus();
  }

  /** Start capturing: connect to the router, which arms the page hooks of this tab (idempotent). */
  start(): Promise<void> {
    this.connect();
    return Promise.resolve();
  }

  private connect() {
    if (this.router || this.disposed) return;
    this.capture ??= new HookCapture(this.batcher, Date.now());
    try {
      this.router = browser.runtime.connect({ name: hookHostPortName(this.tabId) });
    } catch (e) {
      this.setPhase('detached', `Could not reach Frameline's background: ${(e as Error).message ?? e}`);
      return;
    }
    this.router.onMessage.addListener(this.onRouter);
    this.router.onDisconnect.addListener(() => {
      this.router = null;
      if (this.disposed) return;
      // The background was suspended or reloaded: reconnect (the page hooks keep what they saw meanwhile).
      setTimeout(() => this.connect(), 200);
    });
    this.setPhase('capturing');
    if (this.link) this.tellRouter({ type: 'panel', linked: true });
    if (this.rules.length) this.sendRules();
    this.sweeper ??= setInterval(() => this.capture?.sweep(Date.now()), 1000);
  }
  private sweeper: ReturnType<typeof setInterval> | undefined;

  private readonly onRouter = (msg: unknown) => {
    if (!isRouterToHost(msg) || !this.capture) return;
    this.route(msg);
    this.batcher.flushNow();
  };

  private route(msg: RouterToHost) {
    const capture = this.capture!;
    switch (msg.type) {
      case 'superseded': {
        // Not reconnected on its own: the two panels would take the tab from each other in turn.
        const r = this.router;
        this.router = null;
        r?.disconnect();
        this.setPhase('detached', SUPERSEDED);
        break;
      }
      case 'hook':
      {
        // A batch a relay sent again after a background restart, which the old background had passed on already.
        if (msg.seq !== undefined) {
          if (msg.seq <= (this.lastSeq.get(msg.batch.doc) ?? 0)) break;
          this.lastSeq.set(msg.batch.doc, msg.seq);
        }
        capture.batch(msg.frameId, msg.batch);
        this.badEvents += msg.bad;
        if (msg.batch.lost) {
          this.status.dropped += msg.batch.lost;
          this.postStatus();
        }
        if (msg.batch.discarded) {
          this.status.discarded = (this.status.discarded ?? 0) + msg.batch.discarded;
          this.postStatus();
        }
        this.noteTrust();
        this.noteMalformed();
        break;
      }
      case 'hits':
        capture.ruleHits(msg.frameId, msg.doc, msg.hits);
        this.rulesLost += msg.lost;
        this.badEvents += msg.bad;
        this.noteMalformed();
        this.noteRules();
        break;
      case 'rules-reach':
        this.rulesReach = msg.contexts;
        this.noteRules();
        break;
      case 'held': {
        const scope = `${msg.frameId}|${msg.doc}`;
        this.held.set(scope, msg.held.map((raw) => ({ ctx: '', raw })), msg.overflow);
        this.badEvents += msg.bad;
        this.noteMalformed();
        this.postHeld();
        break;
      }
      case 'handshake':
        capture.handshake(msg.h);
        break;
      case 'doc-gone':
        this.lastSeq.delete(msg.doc);
        capture.docGone(msg.frameId, msg.doc);
        if (this.held.drop(`${msg.frameId}|${msg.doc}`)) this.postHeld();
        this.noteTrust();
        break;
      case 'lost':
        this.status.dropped += msg.count;
        this.postStatus();
        break;
      case 'hook-result': {
        const p = this.pending.get(msg.result.id);
        if (!p) break;
        clearTimeout(p.timer);
        this.pending.delete(msg.result.id);
        p.resolve(msg.result);
        break;
      }
    }
  }
  private badEvents = 0;

  private noteMalformed() {
    const malformed = this.capture!.malformed + this.badEvents;
    if (malformed === this.status.malformed) return;
    this.status.malformed = malformed;
    this.postStatus();
  }

  /** Whether some document of the tab asks to be reloaded before it is trusted (its hook came late). */
  private noteTrust() {
    const late = this.capture?.reloadToTrust ?? false;
    if (late === (this.status.reloadToTrust ?? false)) return;
    this.status.reloadToTrust = late;
    this.postStatus();
    this.noteRules();
  }

  private ask(frameId: number, doc: string, req: Omit<HookReplay, 'id'>): Promise<HookReplayResult> {
    const id = this.nextReplay++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ id, ok: false, error: 'gone' });
      }, REPLAY_TIMEOUT_MS);
      this.pending.set(id, { resolve, timer });
      const m: HostToRouter = { type: 'replay', frameId, doc, req: { ...req, id } };
      try {
        this.router!.postMessage(m);
      } catch {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve({ id, ok: false, error: 'gone' });
      }
    });
  }

  async replay(req: ReplayRequest): Promise<ReplayResult> {
    const fail = (error: string, closed = false): ReplayResult => ({ id: req.id, ok: false, error, ...(closed ? { closed } : {}) });
    if (this.status.phase !== 'capturing' || !this.capture || !this.router) {
      return fail('Capture is not running, so nothing was sent; start capture, then send again.');
    }
    const payload = req.b64 !== undefined ? { b64: req.b64 } : { text: req.text ?? '' };
    const loc = this.capture.locate(req.conn);
    const conn = this.capture.connection(req.conn);
    if (!loc || !conn) {
      if (req.mode !== 'fresh' || !req.target) {
        return fail('This connection is not part of the live capture (it was cleared or imported): only a fresh connection is possible.');
      }
      const doc = this.capture.docOf(0);
      if (!doc) return fail('The inspected page has no Frameline hook yet (reload it once). Nothing was sent.');
      if (this.capture.isLate(0, doc)) return fail(describeReplayError({ error: 'untrusted' }, 'fresh'));
      const r = await this.ask(0, doc, { mode: 'fresh', url: req.target.url, protocols: req.target.protocols, ...payload });
      return r.ok ? { id: req.id, ok: true } : fail(describeReplayError(r as never, 'fresh'));
    }
    // The hook and its relay refuse too; said here at once, for a document already known to be late.
    if (this.capture.isLate(loc.frameId, loc.doc)) return fail(describeReplayError({ error: 'untrusted' }, req.mode));
    let r: HookReplayResult;
    if (req.mode === 'fresh') {
      const protocols = splitProtocols(headerValue(conn.request?.headers, 'Sec-WebSocket-Protocol') ?? conn.protocol ?? '');
      r = await this.ask(loc.frameId, loc.doc, { mode: 'fresh', url: conn.url, protocols, ...payload });
    } else {
      r = await this.ask(loc.frameId, loc.doc, { mode: req.mode, s: loc.s, ...payload });
    }
    if (r.ok) return { id: req.id, ok: true };
    return fail(describeReplayError(r as never, req.mode), r.error === 'state' && r.readyState !== 0);
  }

  async reloadPage(): Promise<void> {
    await this.start();
    if (browser.devtools?.inspectedWindow) browser.devtools.inspectedWindow.reload({});
    else await browser.tabs.reload(this.tabId);
  }

  pull(): void {
    this.batcher.flushNow();
  }

  countLost(frames: number): void {
    this.status.dropped += frames;
    this.postStatus();
  }

  setBudget(bytes: number): void {
    this.batcher.setMaxBytes(bytes);
    this.postStatus();
  }

  // This host lives in the panel page: a reloaded panel has a new host, whose hooks announce their live sockets when
  // it arms them. A hello from the same page finds nothing the panel lacks.
  snapshot(): void {}

  dispose(): void {
    this.disposed = true;
    clearInterval(this.sweeper);
    this.stopRulesTimer();
    // Rules end at once rather than with their lease (the router ends them too when this host goes).
    if (this.rules.length) {
      this.rules = [];
      this.sendRules();
    }
    this.router?.disconnect();
    this.router = null;
  }

  private setPhase(phase: HostStatus['phase'], reason?: string) {
    this.status = { ...this.status, phase, reason };
    this.postStatus();
  }

  private postStatus() {
    this.onStatus?.(this.status);
    this.link?.post({ v: PROTOCOL_VERSION, type: 'status', status: { ...this.status } });
  }
}
