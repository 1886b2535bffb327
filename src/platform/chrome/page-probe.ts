// Reads what CDP's Network domain does not report, from the page's own WebSocket objects, over Runtime and Page:
//  - the URL of sockets opened before capture (their handshake was never seen), and
//  - close code, reason and wasClean (CDP's webSocketClosed carries none of them).
// How: a document-start hook (src/capture/chrome/page-hook.ts) adds a close listener to every socket at construction,
// writing into a registry object Frameline takes a handle to once. Sockets that existed before capture are found
// with Runtime.queryObjects(WebSocket.prototype) and get the same listener. Works in the root session and in child
// sessions (out-of-process iframes, workers). Limit: same-process iframes that load before capture starts have their
// own WebSocket.prototype, which is not scanned.

import type { CloseInfo, LiveSocket, SocketMessages } from '../../capture/chrome/resolve';
import { FALLBACK_REGISTRY_EXPRESSION, FRESH_FN, RELEASE_FN, REPLAY_FN, RULES_FN, pageHookSource } from '../../capture/chrome/page-hook';
import type { HoldDecision, PageRule } from '../../model/intercept/types';
import type { CdpSend } from './debugger';
import { withTimeout } from '../timeout';

/** What REPLAY_FN / FRESH_FN need to find the socket and what to send. */
export interface PageReplay {
  mode: 'send' | 'inject' | 'fresh';
  url: string;
  /** Wall-clock ms of the handshake (sockets made after capture started), else null. */
  created: number | null;
  /** The socket existed before capture: match it by what it received (keys). */
  pre: boolean;
  keys: string[];
  protocols: string[];
  text?: string;
  b64?: string;
}

/** What RULES_FN reports: the page's hits (unchecked: the page wrote them), hits it let go, contexts reached, and the
 *  frames hold rules keep there (each named by its registry's tag, `ctx`; unchecked too). */
export interface RulesReport {
  hits: unknown[];
  lost: number;
  contexts: number;
  held: { ctx: string; raw: unknown }[];
  heldOverflow: number;
}

export type PageReplayResult =
  | { ok: true }
  | { ok?: false; error: 'ambiguous' | 'not-found' | 'state' | 'threw' | 'timeout' | 'connect-failed' | 'csp' | 'gone' | 'detached' | 'untrusted' | 'no-answer';
      readyState?: number; message?: string; count?: number; code?: number; seen?: string[] };

/** How long a call into the page may take (a page that never answers must not stall capture or the panel). */
export const PAGE_CALL_MS = 5000;
/** A fresh connection's call: FRESH_FN gives up on its own after 15 s; the page's answer may take a little longer. */
const FRESH_CALL_MS = 20_000;
const NO_ANSWER = 'the page did not answer';

const REGISTRY_GROUP = 'frameline-registry';
const SCAN_GROUP = 'frameline-scan-';
/** Errors that mean the registry's JS context is gone (navigation, closed frame or worker): fetch a new one. */
const CONTEXT_GONE = /Cannot find context|Could not find object|context was destroyed|Inspected target navigated|No target with/i;

const SCAN_FN = `function (reg) {
  const out = [];
  for (let i = 0; i < this.length; i++) {
    const ws = this[i];
    out.push({ url: String(ws.url), readyState: Number(ws.readyState) });
    // A socket the hook did not see being made existed before capture: it keeps what it receives, to be told apart.
    reg.track(ws, true);
    // Intercept rules reach it too (a capture listener added now still runs before the app's own listeners).
    try { if (typeof reg.intercept === 'function') reg.intercept(ws); } catch {}
  }
  return out;
}`;

// These two read the registry without the page's Array methods (a page may have patched them since).
const TAKE_FN = `function () { const out = this.closes; this.closes = []; return out; }`;
const RECENT_FN = `function () {
  const out = [];
  const s = this.sockets;
  for (let i = 0; i < s.length; i++) {
    const e = s[i];
    if (!e.pre || e.closedAt) continue;
    const keys = [];
    for (let k = 0; k < e.keys.length; k++) this.put(keys, e.keys[k]);
    this.put(out, { url: e.url, keys });
  }
  return out;
}`;

export class PageProbe {
  private registries = new Map<string, Promise<string | undefined>>();
  /** The registry each session's cached promise resolved to (see forgetIfGone). */
  private readonly ids = new Map<string, string>();
  /** Whether a session's registry is the document-start hook's (sockets recorded at construction). */
  private hooked = new Map<string, Promise<boolean>>();
  private scans = 0;
  private readonly secret = `__frameline_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;

  /** Every call is timed: Runtime runs the page's code, which a page can make hang. */
  private readonly send: CdpSend;

  constructor(private readonly raw: CdpSend) {
    this.send = this.within(PAGE_CALL_MS);
  }

  private within(ms: number): CdpSend {
    return (session, method, ...params) => withTimeout(this.raw(session, method, ...params), ms, `${NO_ANSWER} within ${ms / 1000} s`);
  }

  /** The document-start hook's source for this capture session, with the rules in force now. */
  get hookSource(): string {
    return pageHookSource(this.secret, this.rules, this.leaseMs);
  }

  /** Intercept rules a new document or worker starts with (until the host's first refresh reaches it). */
  private rules: PageRule[] = [];
  private leaseMs = 0;
  /** Per page or iframe session: the identifier of its document-start script (replaced when the rules change). */
  private readonly docScripts = new Map<string, Promise<string | undefined>>();

  /** Install the hook in a page or iframe session: in every new document, and in the current ones. */
  async installInDocuments(session: string | undefined): Promise<void> {
    await this.send(session, 'Page.enable', {});
    const added = this.send(session, 'Page.addScriptToEvaluateOnNewDocument', { source: this.hookSource, runImmediately: true }).then((r) => r.identifier);
    this.docScripts.set(session ?? '', added.catch(() => undefined));
    await added;
  }

  /**
   * New documents start with these rules: each session's document-start script is replaced by one that carries them
   * (the hook in a document that exists already keeps its own; it is refreshed with the rest).
   */
  async setStartRules(rules: PageRule[], leaseMs: number): Promise<void> {
    this.rules = rules;
    this.leaseMs = leaseMs;
    await Promise.all(
      [...this.docScripts].map(async ([key, old]) => {
        const session = key || undefined;
        const added = this.send(session, 'Page.addScriptToEvaluateOnNewDocument', { source: this.hookSource }).then((r) => r.identifier);
        this.docScripts.set(key, added.catch(() => undefined));
        const [was] = await Promise.all([old, added.catch(() => undefined)]);
        if (was) await this.send(session, 'Page.removeScriptToEvaluateOnNewDocument', { identifier: was }).catch(() => {});
      }),
    );
  }

  /** Install the hook in a worker that is paused before its first script. */
  async installInWorker(session: string): Promise<void> {
    await this.send(session, 'Runtime.evaluate', { expression: this.hookSource, silent: true });
  }

  /** Install close listeners on every live socket of the session and list them. */
  async scan(session: string | undefined): Promise<LiveSocket[]> {
    const reg = await this.registry(session);
    if (!reg) return [];
    // Each scan has its own object group, so that releasing one never pulls objects from under another.
    const objectGroup = SCAN_GROUP + ++this.scans;
    try {
      const proto = await this.send(session, 'Runtime.evaluate', { expression: 'WebSocket.prototype', objectGroup, silent: true });
      const protoId = proto.result.objectId;
      if (!protoId) return [];
      const q = await this.send(session, 'Runtime.queryObjects', { prototypeObjectId: protoId, objectGroup });
      const arrayId = q.objects.objectId;
      if (!arrayId) return [];
      const r = await this.send(session, 'Runtime.callFunctionOn', {
        objectId: arrayId,
        functionDeclaration: SCAN_FN,
        arguments: [{ objectId: reg }],
        returnByValue: true,
        silent: true,
      });
      const list: unknown = r.result.value;
      return Array.isArray(list) ? list.filter((s): s is LiveSocket => typeof (s as Partial<LiveSocket> | null)?.url === 'string') : [];
    } catch (e) {
      this.forgetIfGone(session, e, reg);
      return [];
    } finally {
      void this.send(session, 'Runtime.releaseObjectGroup', { objectGroup }).catch(() => {});
    }
  }

  /**
   * Drop the cached registry of a session only when its context is really gone: the hook hands its registry out
   * once, so a registry dropped by mistake could not be had again in that document.
   */
  private forgetIfGone(session: string | undefined, e: unknown, reg: string) {
    const key = session ?? '';
    // Only the registry that failed: a late failure of a call into the previous document must not drop the new
    // document's registry (its hook hands it out once; the children it found would be lost with it).
    if (!CONTEXT_GONE.test(String((e as Error)?.message ?? e)) || this.ids.get(key) !== reg) return;
    this.registries.delete(key);
    this.hooked.delete(key);
    this.ids.delete(key);
  }

  /**
   * Does the session's document record its sockets at construction (the hook is there)? When it does, a new socket
   * needs no scan of the page's heap.
   */
  async isHooked(session: string | undefined): Promise<boolean> {
    await this.registry(session);
    return (await this.hooked.get(session ?? '')) ?? false;
  }

  /** Close events seen since the last call. */
  async takeCloses(session: string | undefined): Promise<CloseInfo[]> {
    const list = await this.listFromRegistry(session, TAKE_FN);
    return list.filter((c): c is CloseInfo => typeof (c as Partial<CloseInfo> | null)?.url === 'string' && typeof (c as Partial<CloseInfo>).code === 'number');
  }

  /** What each socket that existed before capture received lately (keys, see payloadKey). */
  async recentMessages(session: string | undefined): Promise<SocketMessages[]> {
    const list = await this.listFromRegistry(session, RECENT_FN);
    return list.filter((x): x is SocketMessages => typeof (x as Partial<SocketMessages> | null)?.url === 'string' && Array.isArray((x as Partial<SocketMessages>).keys));
  }

  /** Call a function on the session's registry that returns a list (by value); [] when the context is gone. */
  private async listFromRegistry(session: string | undefined, functionDeclaration: string): Promise<unknown[]> {
    const reg = await this.registry(session);
    if (!reg) return [];
    try {
      const r = await this.send(session, 'Runtime.callFunctionOn', { objectId: reg, functionDeclaration, returnByValue: true, silent: true });
      const list: unknown = r.result.value;
      if (Array.isArray(list)) return list as unknown[];
    } catch (e) {
      this.forgetIfGone(session, e, reg);
    }
    return [];
  }

  /**
   * Send on (or inject into) the page's socket of a connection, or open a fresh one and send there.
   * Never retried: a call that may have reached the page is not repeated.
   */
  async replay(session: string | undefined, req: PageReplay): Promise<PageReplayResult> {
    const reg = await this.registry(session);
    if (!reg) return { error: 'gone' };
    const fresh = req.mode === 'fresh';
    try {
      const r = await this.within(fresh ? FRESH_CALL_MS : PAGE_CALL_MS)(session, 'Runtime.callFunctionOn', {
        objectId: reg,
        functionDeclaration: fresh ? FRESH_FN : REPLAY_FN,
        arguments: [{ value: { ...req, secret: this.secret } }],
        returnByValue: true,
        awaitPromise: fresh,
        silent: true,
      });
      if (r.exceptionDetails) {
        return { error: 'threw', message: r.exceptionDetails.exception?.description ?? r.exceptionDetails.text };
      }
      const v: unknown = r.result.value;
      return v && typeof v === 'object' ? (v as PageReplayResult) : { error: 'gone' };
    } catch (e) {
      const msg = String((e as Error)?.message ?? e);
      if (msg.startsWith(NO_ANSWER)) return { error: 'no-answer', message: msg };
      this.forgetIfGone(session, e, reg);
      return /not attached|detached|No tab with/i.test(msg) ? { error: 'detached', message: msg } : { error: 'gone', message: msg };
    }
  }

  /**
   * Set the intercept rules of a session's contexts (its document or worker and same-origin child frames) with a lease
   * until `until` (wall-clock ms), and take the hits they recorded. Null when the context is gone or did not answer.
   */
  async setRules(session: string | undefined, rules: PageRule[], until: number, seen: Record<string, number> = {}): Promise<RulesReport | null> {
    const reg = await this.registry(session);
    if (!reg) return null;
    try {
      const r = await this.send(session, 'Runtime.callFunctionOn', {
        objectId: reg,
        functionDeclaration: RULES_FN,
        arguments: [{ value: { rules, until, seen, secret: this.secret } }],
        returnByValue: true,
        silent: true,
      });
      const v = r.result.value as (Partial<Omit<RulesReport, 'held'>> & { held?: unknown }) | undefined;
      if (!v || typeof v !== 'object' || !Array.isArray(v.hits)) return null;
      const held = Array.isArray(v.held) ? (v.held as unknown[]).map((raw) => {
            const ctx = (raw as { ctx?: unknown } | null)?.ctx;
            return { ctx: typeof ctx === 'string' ? ctx : '', raw };
          }) : [];
      return { hits: v.hits, lost: Number(v.lost) || 0, contexts: Number(v.contexts) || 0, held, heldOverflow: Number(v.heldOverflow) || 0 };
    } catch (e) {
      this.forgetIfGone(session, e, reg);
      return null;
    }
  }

  /** Decide a frame held in the registry tagged `ctx` of a session's contexts; whether the page took the decision. */
  async release(session: string | undefined, ctx: string, id: number, decision: HoldDecision): Promise<boolean> {
    const reg = await this.registry(session);
    if (!reg) return false;
    try {
      const r = await this.send(session, 'Runtime.callFunctionOn', {
        objectId: reg,
        functionDeclaration: RELEASE_FN,
        arguments: [{ value: { ctx, id, decision, secret: this.secret } }],
        returnByValue: true,
        silent: true,
      });
      return r.result.value === true;
    } catch (e) {
      this.forgetIfGone(session, e, reg);
      return false;
    }
  }

  /** Forget per-session state (session gone, or page navigated). */
  reset(session?: string) {
    if (session === undefined) {
      this.registries.clear();
      this.ids.clear();
      this.hooked.clear();
      this.docScripts.clear();
    } else {
      this.registries.delete(session);
      this.ids.delete(session);
      this.hooked.delete(session);
      this.docScripts.delete(session);
    }
  }

  private registry(session: string | undefined): Promise<string | undefined> {
    const key = session ?? '';
    let p = this.registries.get(key);
    if (!p) {
      // The hook's registry if it is there (the getter hands it out once), else a fresh one.
      const expression = `globalThis[${JSON.stringify(this.secret)}] ?? ${FALLBACK_REGISTRY_EXPRESSION}`;
      p = this.send(session, 'Runtime.evaluate', { expression, objectGroup: REGISTRY_GROUP, silent: true })
        .then((r) => r.result.objectId)
        .catch(() => undefined);
      void p.then((id) => {
        if (id && this.registries.get(key) === p) this.ids.set(key, id);
      });
      this.registries.set(key, p);
      this.hooked.set(
        key,
        p.then((id) =>
          id
            ? this.send(session, 'Runtime.callFunctionOn', { objectId: id, functionDeclaration: 'function () { return !!this.hooked; }', returnByValue: true, silent: true })
                .then((r) => r.result.value === true)
                .catch(() => false)
            : false,
        ),
      );
      void p.then((id) => {
        if (!id && this.registries.get(key) === p) this.registries.delete(key);
      });
    }
    return p;
  }
}
