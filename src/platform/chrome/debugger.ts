// Chrome: one tab's chrome.debugger attachment. Commands are typed from devtools-protocol's ProtocolMapping; events
// go to one listener (the host hands them to the dispatcher); a detach, whether reported or noticed on a failed
// command or by the heartbeat, is reported once with a reason in words.
import type { ProtocolMapping } from 'devtools-protocol/types/protocol-mapping';
import { holdAttachment, type AttachmentHold } from './attach-watch';

type Commands = ProtocolMapping.Commands;
/** A CDP command on the tab (`session` undefined) or on a child session (an out-of-process iframe, a worker). */
export type CdpSend = <M extends keyof Commands>(
  session: string | undefined,
  method: M,
  ...params: Commands[M]['paramsType']
) => Promise<Commands[M]['returnType']>;

export interface DebuggerEvents {
  event(session: string | undefined, method: string, params: object | undefined): void;
  detached(why: string): void;
  /** A target attached by id (a shared worker) went away: its session key. */
  targetDetached?(session: string): void;
}

/**
 * Shared workers are not children of the tab: they are attached by target id. Their events and commands
 * use a session key of their own, so the rest of capture treats them like any child session.
 */
const TARGET_KEY = 'target:';
export const targetSessionKey = (targetId: string) => TARGET_KEY + targetId;
const targetIdOf = (session: string): string | undefined => (session.startsWith(TARGET_KEY) ? session.slice(TARGET_KEY.length) : undefined);
export const isTargetSession = (session: string): boolean => session.startsWith(TARGET_KEY);

const HEARTBEAT_MS = 2000;

export const hasDebugger = (): boolean => typeof chrome !== 'undefined' && typeof chrome.debugger?.attach === 'function';

export class TabDebugger {
  private listening = false;
  private attached = false;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  /** The background's watch over this attachment (see attach-watch.ts). */
  private hold: AttachmentHold | undefined;
  /** Targets attached by id (see TARGET_KEY). */
  private readonly targets = new Set<string>();

  constructor(
    readonly tabId: number,
    private readonly on: DebuggerEvents,
  ) {}

  /** Attach to the tab (throws with the browser's reason). Events flow from now on. */
  async attach(): Promise<void> {
    this.listen();
    await chrome.debugger.attach({ tabId: this.tabId }, '1.3');
    this.attached = true;
    this.hold?.release();
    this.hold = holdAttachment(this.tabId);
  }

  /** Attach to a target by id (throws with the browser's reason); returns its session key. */
  async attachTarget(targetId: string): Promise<string> {
    await chrome.debugger.attach({ targetId }, '1.3');
    if (!this.attached) {
      chrome.debugger.detach({ targetId }).catch(() => {});
      throw new Error('The tab is no longer attached.');
    }
    this.targets.add(targetId);
    this.hold?.targets([...this.targets]);
    return targetSessionKey(targetId);
  }

  /** Targets attached by id now. */
  attachedTargets(): ReadonlySet<string> {
    return this.targets;
  }

  readonly send: CdpSend = (session, method, ...params) => {
    const targetId = session && targetIdOf(session);
    if (targetId) return chrome.debugger.sendCommand({ targetId }, method, params[0]);
    const target: chrome.debugger.DebuggerSession = session ? { tabId: this.tabId, sessionId: session } : { tabId: this.tabId };
    return chrome.debugger.sendCommand(target, method, params[0]).catch((e: unknown) => {
      // Another context can detach without onDetach reaching us: notice it on the next command.
      if (session === undefined && /not attached/i.test(String((e as Error)?.message ?? e))) this.lost('The debugger was detached from the tab.');
      throw e;
    });
  };

  /** While attached, a cheap command every few seconds notices a detach that raised no event. */
  startHeartbeat(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => {
      if (!this.attached) return clearInterval(this.heartbeatTimer);
      this.send(undefined, 'Runtime.evaluate', { expression: '0', silent: true }).catch(() => {});
    }, HEARTBEAT_MS);
  }

  dispose(): void {
    clearInterval(this.heartbeatTimer);
    this.detachTargets();
    if (this.attached) chrome.debugger.detach({ tabId: this.tabId }).catch(() => {});
    this.attached = false;
    this.hold?.release();
    this.hold = undefined;
    if (this.listening) {
      chrome.debugger.onEvent.removeListener(this.onEvent);
      chrome.debugger.onDetach.removeListener(this.onDetach);
      this.listening = false;
    }
  }

  private listen() {
    if (this.listening) return;
    this.listening = true;
    chrome.debugger.onEvent.addListener(this.onEvent);
    chrome.debugger.onDetach.addListener(this.onDetach);
  }

  private detachTargets() {
    for (const targetId of this.targets) chrome.debugger.detach({ targetId }).catch(() => {});
    this.targets.clear();
  }

  private lost(why: string) {
    if (!this.attached) return;
    this.attached = false;
    // Workers outlive the tab's attachment otherwise: capture of them ends with it.
    this.detachTargets();
    this.hold?.release();
    this.hold = undefined;
    clearInterval(this.heartbeatTimer);
    this.on.detached(why);
  }

  private readonly onEvent = (source: chrome.debugger.DebuggerSession, method: string, params?: object) => {
    if (source.tabId === this.tabId) this.on.event(source.sessionId, method, params);
    else if (source.targetId && !source.sessionId && this.targets.has(source.targetId)) this.on.event(targetSessionKey(source.targetId), method, params);
  };

  private readonly onDetach = (source: chrome.debugger.Debuggee, reason: string) => {
    if (source.targetId && this.targets.delete(source.targetId)) {
      this.hold?.targets([...this.targets]);
      this.on.targetDetached?.(targetSessionKey(source.targetId));
      return;
    }
    if (source.tabId !== this.tabId) return;
    this.lost(
      reason === 'canceled_by_user'
        ? 'The debugger was detached (the "started debugging" bar was cancelled).'
        : reason === 'target_closed'
          ? 'The inspected tab was closed or crashed.'
          : `The debugger was detached (${reason}).`,
    );
  };
}
