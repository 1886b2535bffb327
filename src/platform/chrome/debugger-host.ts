// Chrome: the capture host of one inspected tab. Owns the debugger attachment (debugger.ts), hands every CDP event to
// the pure dispatcher (src/capture/chrome/cdp-dispatcher.ts), which writes records into the batcher; batches go to the
// panel about once per 16 ms. Lives in the DevTools page of that tab (or in the panel page when the panel runs as a
// tab), so the attachment lasts exactly as long as the DevTools window.
import { CdpCapture, type SessionKey } from '../../capture/chrome/cdp-dispatcher';
import { HeldBook } from '../../capture/held-book';
import { ReplayMarks } from '../../capture/chrome/replay-marks';
import { Batcher } from '../../model/batcher';
import { PROTOCOL_VERSION, batchMessage } from '../../protocol';
import type { HostStatus, PanelToHost, ReplayRequest, ReplayResult } from '../../protocol';
import type { HoldDecision, PageRule } from '../../model/intercept/types';
import { pullFrom, type Host, type PanelLink } from '../host-link';
import { handlePanelMessage } from '../panel-messages';
import { TabDebugger, hasDebugger, isTargetSession } from './debugger';
import { replayThroughDebugger } from './debugger-replay';
import { PageProbe } from './page-probe';
import { withTimeout } from '../timeout';
import { SocketWatch } from './socket-watch';
import { WorkerTargets } from './worker-targets';
import { browser } from '../browser';

const AUTO_ATTACH = { autoAttach: true, waitForDebuggerOnStart: true, flatten: true };
const SETUP_TIMEOUT_MS = 3000;
/** How long a paused child target waits for its capture to be set up before it is resumed anyway. */
const CHILD_SETUP_MS = 1000;
/** How often intercept rules are refreshed in the page (and their hits taken). */
const RULES_PUMP_MS = 250;
/** How long rules act in the page without a refresh: closing DevTools (no more refreshes) restores the page soon. */
const RULES_LEASE_MS = 3000;
/** A page that does not answer a refresh within this long is skipped until the next one. */
const RULES_CALL_TIMEOUT_MS = 2000;

/** Why the debugger could not attach, in words that say what to do. */
export function attachFailure(e: unknown): string {
  const why = String((e as Error)?.message ?? e);
  if (/already attached/i.test(why)) {
    return 'Another debugger is already attached to this tab (another Frameline panel on it, or another extension): close it, then Reattach.';
  }
  return `Could not attach the debugger: ${why}`;
}

export class DebuggerHost implements Host {
  private link: PanelLink | null = null;
  private readonly batcher: Batcher;
  private readonly capture: CdpCapture;
  private readonly debugger: TabDebugger;
  private readonly probe: PageProbe;
  private readonly watch: SocketWatch;
  private readonly workers: WorkerTargets;
  private readonly replays = new ReplayMarks();
  private status: HostStatus;
  private handlerErrors = 0;
  /** Child sessions (out-of-process iframes, workers) attached now: rules reach them too. */
  private readonly children = new Set<string>();
  /** Child sessions attached whose hook is being installed (not yet in `children`). */
  private readonly settingUp = new Set<string>();
  private rules: PageRule[] = [];
  private rulesTimer: ReturnType<typeof setInterval> | undefined;
  private pumping = false;
  private rulesLost = 0;
  /** Frames hold rules keep in the page (manual intercept), by session. */
  private readonly held = new HeldBook();

  /** Called on every status change, whether or not a panel is connected. */
  onStatus?: (status: HostStatus) => void;

  constructor(readonly tabId: number) {
    this.status = { phase: 'idle', dropped: 0, malformed: 0, tabId };
    this.batcher = new Batcher({ flush: (batch) => this.link?.post(batchMessage(batch)) });
    this.debugger = new TabDebugger(tabId, {
      event: (session, method, params) => this.onEvent(session, method, params),
      detached: (why) => this.detached(why),
      targetDetached: (session) => this.onEvent(session, 'Target.detachedFromTarget', { sessionId: session }),
    });
    // Shared workers are attached by id and then captured like the tab's own child sessions.
    this.workers = new WorkerTargets({
      tabId,
      attach: (targetId) => this.debugger.attachTarget(targetId),
      attached: () => this.debugger.attachedTargets(),
      found: (session, w) => this.onEvent(session, 'Target.attachedToTarget', { sessionId: session, targetInfo: { targetId: w.id, type: w.type, url: w.url } }),
    });
    this.probe = new PageProbe(this.debugger.send);
    this.capture = new CdpCapture({
      out: this.batcher,
      replays: this.replays,
      host: {
        childAttached: (session, type) => {
          // Rules reach it once its hook is in: a registry asked for before would be a stand-in, and the hook's own
          // (handed out once) would then never be found.
          this.settingUp.add(session);
          void this.setUpChild(session, type).finally(() => {
            if (this.settingUp.delete(session)) this.children.add(session);
          });
        },
        childDetached: (session) => {
          this.settingUp.delete(session);
          this.children.delete(session);
          this.probe.reset(session);
          if (this.held.drop(session)) this.postHeld();
        },
        socketCreated: (session) => this.watch.socketCreated(session),
        socketClosed: (session) => this.watch.readClosesSoon(session),
        unannouncedSocket: (session) => this.watch.scheduleScan(session, 50),
      },
    });
    this.watch = new SocketWatch(this.capture, this.probe);
  }

  connectPanel(link: PanelLink): void {
    this.link = link;
    this.postStatus();
    this.postHeld(true);
    pullFrom(this.batcher, link);
    this.batcher.setOpen(true);
  }

  disconnectPanel(link: PanelLink): void {
    if (this.link !== link) return;
    this.link = null;
    pullFrom(this.batcher, null);
    this.batcher.setOpen(false);
  }

  handle(msg: PanelToHost): void {
    handlePanelMessage(this, msg, () => this.postStatus(), (m) => this.link?.post(m));
  }

  /** Attach the debugger and enable capture (idempotent). */
  async start(): Promise<void> {
    if (this.status.phase === 'capturing' || this.status.phase === 'attaching') return;
    if (!hasDebugger()) {
      this.setPhase('detached', 'This browser gives extensions no debugger access: capture here needs the page hook.');
      return;
    }
    this.setPhase('attaching');
    try {
      await this.debugger.attach();
    } catch (e) {
      this.setPhase('detached', attachFailure(e));
      return;
    }
    const send = this.debugger.send;
    try {
      await send(undefined, 'Network.enable', {});
      // The page hook and the first scan help (close codes, URLs of older sockets) but must never hold capture up:
      // a busy or paused page gets a few seconds, then capture reports running anyway.
      await withTimeout(this.probe.installInDocuments(undefined), SETUP_TIMEOUT_MS).catch(() => {});
      await withTimeout(send(undefined, 'Target.setAutoAttach', AUTO_ATTACH), SETUP_TIMEOUT_MS).catch(() => {});
      // Sockets that exist already: watch them now, before their next messages (see PageProbe).
      const live = await withTimeout(this.probe.scan(undefined), SETUP_TIMEOUT_MS).catch(() => null);
      // Sockets that were live when the debugger detached: which are still open (a scan that failed tells nothing).
      if (live) this.capture.reconcile(undefined, live);
      this.setPhase('capturing');
      this.debugger.startHeartbeat();
      this.workers.start();
    } catch (e) {
      this.setPhase('detached', `Could not enable capture: ${(e as Error).message ?? e}`);
    }
  }

  replay(req: ReplayRequest): Promise<ReplayResult> {
    return replayThroughDebugger(
      {
        capture: this.capture,
        probe: this.probe,
        replays: this.replays,
        notCapturing: () => (this.status.phase === 'capturing' ? null : (this.status.reason ?? 'The debugger is detached.')),
      },
      req,
    );
  }

  async reloadPage(): Promise<void> {
    if (this.status.phase !== 'capturing') await this.start();
    try {
      await this.debugger.send(undefined, 'Page.reload', { ignoreCache: false });
    } catch {
      await browser.tabs.reload(this.tabId).catch(() => {});
    }
  }

  pull(): void {
    this.batcher.flushNow();
  }

  countLost(frames: number): void {
    this.linkLost += frames;
    this.postStatus();
  }
  private linkLost = 0;

  setBudget(bytes: number): void {
    this.batcher.setMaxBytes(bytes);
    this.postStatus();
  }

  snapshot(): void {
    this.capture.snapshot();
  }

  /** Intercept rules in force from now on: refreshed in every context while any exist; [] switches them off. */
  setRules(rules: PageRule[]): void {
    const had = this.rules.length > 0;
    this.rules = rules;
    if (rules.length && !this.rulesTimer) this.rulesTimer = setInterval(() => void this.pumpRules(), RULES_PUMP_MS);
    if (rules.length || had) {
      void this.pumpRules(true);
      void withTimeout(this.probe.setStartRules(rules, RULES_LEASE_MS), SETUP_TIMEOUT_MS).catch(() => {});
    }
    if (!rules.length) this.status.intercept = { rules: 0, contexts: 0, lost: this.rulesLost };
    this.postStatus();
  }

  /**
   * Push the rules (with a fresh lease) to the tab's sessions and take their hits. One refresh at a time; a page that
   * does not answer is skipped. The timer stops once rules are gone and the page was told.
   */
  private async pumpRules(force = false): Promise<void> {
    if (this.status.phase !== 'capturing' || (this.pumping && !force)) return;
    this.pumping = true;
    const rules = this.rules;
    const until = rules.length ? Date.now() + RULES_LEASE_MS : 0;
    let contexts = 0;
    try {
      await Promise.all(
        [undefined, ...this.children].map(async (session) => {
          const scope = session ?? '';
          const call = this.probe.setRules(session, rules, until, this.held.seen(scope));
          // The page hands its hits over with its answer: they are placed whenever it comes, past the wait too (a late
          // answer's held list is stale by then; the next refresh lists what is held).
          void call.then((r) => {
            if (!r) return;
            this.rulesLost += r.lost;
            if (r.hits.length) this.capture.ruleHits(session, r.hits);
          });
          const report = await withTimeout(call, RULES_CALL_TIMEOUT_MS).catch(() => null);
          if (!report) return;
          contexts += report.contexts;
          this.held.set(scope, report.held, report.heldOverflow);
        }),
      );
    } finally {
      this.pumping = false;
    }
    this.postHeld();
    if (!this.rules.length && this.rulesTimer) {
      clearInterval(this.rulesTimer);
      this.rulesTimer = undefined;
    }
    const next = { rules: this.rules.length, contexts: this.rules.length ? contexts : 0, lost: this.rulesLost + this.capture.unplacedHits };
    const was = this.status.intercept;
    if (!was || was.rules !== next.rules || was.contexts !== next.contexts || was.lost !== next.lost) {
      this.status.intercept = next;
      this.postStatus();
    }
  }

  /** Decide a held frame, then list what is still held. */
  release(key: string, decision: HoldDecision): void {
    const at = this.held.locate(key);
    if (!at) return;
    void withTimeout(this.probe.release(at.scope || undefined, at.ctx, at.id, decision), RULES_CALL_TIMEOUT_MS)
      .catch(() => false)
      .then(() => this.pumpRules(true));
  }

  releaseAll(): void {
    const all = this.held.list().map((h) => this.held.locate(h.key)).filter((x) => x !== undefined);
    void Promise.all(all.map((at) => withTimeout(this.probe.release(at.scope || undefined, at.ctx, at.id, { forward: true }), RULES_CALL_TIMEOUT_MS).catch(() => false))).then(() =>
      this.pumpRules(true),
    );
  }

  /** The held list, when it changed since the panel was last told (`force`: a panel that just connected). */
  private postHeld(force = false) {
    const news = this.held.news(force);
    if (news) this.link?.post({ v: PROTOCOL_VERSION, type: 'held', ...news });
  }

  dispose(): void {
    clearInterval(this.rulesTimer);
    this.rulesTimer = undefined;
    // Rules stop at once rather than at the end of their lease (the detach may not let this call through: the lease
    // ends them then).
    if (this.rules.length) {
      this.rules = [];
      void this.pumpRules(true);
    }
    this.workers.stop();
    this.debugger.dispose();
  }

  private onEvent(session: SessionKey, method: string, params: object | undefined) {
    try {
      this.capture.handle(session, method, params);
    } catch (e) {
      // The dispatcher validates its input; this is a last line of defence so one bad event never stops capture.
      this.handlerErrors++;
      console.error('Frameline: failed to handle', method, e);
    }
  }

  /**
   * A child target (out-of-process iframe, worker) was auto-attached, paused: enable capture, then resume it. A shared
   * worker attached by id is running already: enable capture (its older sockets are found by scans). A paused service
   * worker answers Network.enable only once it runs: that command goes out first and is not waited for. Setup is
   * bounded and the resume always goes out: a worker is never left waiting on Frameline.
   */
  private async setUpChild(sessionId: string, type: string) {
    const send = this.debugger.send;
    const paused = !isTargetSession(sessionId);
    const enabled = send(sessionId, 'Network.enable', {}).catch(() => {});
    const worker = type === 'worker' || type === 'shared_worker' || type === 'service_worker';
    const steps: Promise<unknown>[] = [];
    if (type !== 'service_worker') steps.push(enabled);
    if (worker) steps.push(this.probe.installInWorker(sessionId));
    else if (type === 'iframe') steps.push(this.probe.installInDocuments(sessionId));
    if (paused) steps.push(send(sessionId, 'Target.setAutoAttach', AUTO_ATTACH));
    await withTimeout(Promise.allSettled(steps), CHILD_SETUP_MS).catch(() => {});
    if (paused) await send(sessionId, 'Runtime.runIfWaitingForDebugger').catch(() => {});
  }

  private detached(why: string) {
    if (this.status.phase === 'detached') return;
    this.workers.stop();
    this.probe.reset();
    this.capture.detached();
    this.batcher.flushNow();
    this.setPhase('detached', why);
  }

  private setPhase(phase: HostStatus['phase'], reason?: string) {
    this.status = { ...this.status, phase, reason };
    this.postStatus();
    this.onStatus?.(this.status);
  }

  private postStatus() {
    this.status.dropped = this.batcher.dropped + this.linkLost;
    this.status.malformed = this.capture.malformed + this.handlerErrors;
    this.link?.post({ v: PROTOCOL_VERSION, type: 'status', status: { ...this.status } });
  }
}
