// Firefox, background: the router between the page hooks of a tab (one content-script port per frame) and the hook
// host of that tab (in the panel page). It adds the frame id it knows from each port's sender,
// arms a tab's hooks only while a host listens (otherwise pages pay nothing but a registry of their sockets), and
// relays webRequest's view of WebSocket handshakes (kept only for tabs with a host), and hands the host's intercept rules to every document of the tab
// (also to one that comes while their lease runs: a navigation, a new frame). No domain logic lives here.
import {
  CONTENT_PORT, ROUTER_STATUS, isContentToRouter, isHostToRouter, parseHookHostPortName,
  type RouterStatus, type RouterToContent, type RouterToHost,
} from '../../protocol';
import type { WsHandshake } from '../../capture/firefox/hook-capture';
import type { Header } from '../../model/types';
import { browser, type Runtime } from '../browser';
import type { WebRequest } from 'webextension-polyfill';
import type { PageRule } from '../../model/intercept/types';

interface ContentEnd {
  port: Runtime.Port;
  frameId: number;
  doc: string;
  /** Its batches say its hook came late: its relay refuses rules. */
  late: boolean;
}

/** Handshakes kept per tab while its host listens, for a host that reconnects (a reloaded panel). */
const HANDSHAKES_KEPT = 100;
/** How long a tab's handshakes are kept after its host left (a panel reload), then forgotten: cookies and
 *  Authorization headers of tabs without a panel are not kept. */
const HOST_GONE_KEEP_MS = 30_000;
/**
 * After the background starts (also after Firefox restarted a suspended or crashed background), hosts need a moment to
 * reconnect: until then, tabs without a host are neither disarmed nor dropped, their batches wait here.
 */
export const GRACE_MS = 3000;
/** What one tab's waiting batches may hold, in characters of their JSON. */
const GRACE_CHARS = 16 * 1024 * 1024;

export function startRouter(): void {
  const contents = new Map<number, Set<ContentEnd>>();
  const hosts = new Map<number, Runtime.Port>();
  const recent = new Map<number, WsHandshake[]>();
  /** Hook events passed to each tab's host: what the status query reports. */
  const forwarded = new Map<number, number>();
  const panels = new Set<number>();
  /** Each tab's intercept rules as its host last sent them, and when their lease ends (this clock). */
  const rulesOf = new Map<number, { rules: PageRule[]; until: number }>();
  /** While the grace after start runs: per tab without a host, what waits for it. */
  let grace = true;
  const waiting = new Map<number, { msgs: RouterToHost[]; chars: number }>();
  /** Frames of batches dropped for lack of a host during the grace (too many, or no host came): told to a host that
   *  connects later, so its status bar counts them. */
  const lostWaiting = new Map<number, number>();
  const forgetTimers = new Map<number, ReturnType<typeof setTimeout>>();
  const framesIn = (m: RouterToHost) => (m.type === 'hook' ? m.batch.events.length : m.type === 'lost' ? m.count : 0);
  const drop = (tabId: number, frames: number) => {
    if (frames > 0) lostWaiting.set(tabId, (lostWaiting.get(tabId) ?? 0) + frames);
  };
  setTimeout(() => {
    grace = false;
    for (const [tabId, w] of waiting) drop(tabId, w.msgs.reduce((n, m) => n + framesIn(m), 0));
    waiting.clear();
    for (const tabId of recent.keys()) if (!hosts.has(tabId)) recent.delete(tabId);
    for (const [tabId, set] of contents) if (!hosts.has(tabId)) for (const end of set) toContent(end, { type: 'arm', on: false });
  }, GRACE_MS);

  /** What a tab's hooks send, for its host; in the grace after start, kept until its host connects. */
  const fromContent = (tabId: number, m: RouterToHost) => {
    if (hosts.has(tabId) || !grace) return toHost(tabId, m);
    let w = waiting.get(tabId);
    if (!w) waiting.set(tabId, (w = { msgs: [], chars: 0 }));
    const chars = m.type === 'hook' ? JSON.stringify(m.batch).length : 64;
    if (w.chars + chars > GRACE_CHARS) return drop(tabId, framesIn(m));
    w.chars += chars;
    w.msgs.push(m);
  };

  const toHost = (tabId: number, m: RouterToHost) => {
    try {
      hosts.get(tabId)?.postMessage(m);
    } catch {
      hosts.delete(tabId);
    }
  };
  const toContent = (end: ContentEnd, m: RouterToContent) => {
    try {
      end.port.postMessage(m);
    } catch {
      /* the frame is gone; its disconnect cleans up */
    }
  };

  browser.runtime.onConnect.addListener((port) => {
    if (port.sender?.id !== browser.runtime.id) return;
    if (port.name === CONTENT_PORT) {
      const tabId = port.sender.tab?.id;
      if (tabId === undefined) return;
      const end: ContentEnd = { port, frameId: port.sender.frameId ?? 0, doc: '', late: false };
      let set = contents.get(tabId);
      if (!set) contents.set(tabId, (set = new Set()));
      set.add(end);
      // The hook keeps its first events until it knows (in the grace after start, a host may still come).
      if (hosts.has(tabId) || !grace) toContent(end, { type: 'arm', on: hosts.has(tabId) });
      const r = rulesOf.get(tabId);
      const left = r ? r.until - Date.now() : 0;
      if (r && left > 0 && hosts.has(tabId)) toContent(end, { type: 'rules', rules: r.rules, lease: left });
      port.onMessage.addListener((m: unknown) => {
        if (!isContentToRouter(m)) return;
        if (m.type === 'batch') {
          end.doc = m.batch.doc;
          end.late = m.batch.late === true;
          if (hosts.has(tabId)) forwarded.set(tabId, (forwarded.get(tabId) ?? 0) + m.batch.events.length);
          fromContent(tabId, { type: 'hook', frameId: end.frameId, batch: m.batch, bad: m.bad, seq: m.seq });
          // Passed on or kept: the relay may forget it (until then it sends it again to a restarted background).
          if (m.seq !== undefined) toContent(end, { type: 'ack', seq: m.seq });
        } else if (m.type === 'replay-result') toHost(tabId, { type: 'hook-result', frameId: end.frameId, doc: m.doc, result: m.result });
        else if (m.type === 'hits') toHost(tabId, { type: 'hits', frameId: end.frameId, doc: m.doc, hits: m.hits, lost: m.lost, bad: m.bad });
        else if (m.type === 'held') toHost(tabId, { type: 'held', frameId: end.frameId, doc: m.doc, held: m.held, overflow: m.overflow, bad: m.bad });
        else fromContent(tabId, { type: 'lost', frameId: end.frameId, doc: m.doc, count: m.count });
      });
      port.onDisconnect.addListener(() => {
        set.delete(end);
        if (!set.size) contents.delete(tabId);
        if (end.doc) toHost(tabId, { type: 'doc-gone', frameId: end.frameId, doc: end.doc });
      });
      return;
    }
    const tabId = parseHookHostPortName(port.name);
    if (tabId === undefined) return; // another context's port (e.g. panel ⇄ DevTools page): not ours
    // A second panel on the tab takes over; the first is told, so it says so rather than go quiet.
    const previous = hosts.get(tabId);
    if (previous && previous !== port) {
      try {
        previous.postMessage({ type: 'superseded' } satisfies RouterToHost);
      } catch {
        /* already gone */
      }
    }
    hosts.set(tabId, port);
    clearTimeout(forgetTimers.get(tabId));
    forgetTimers.delete(tabId);
    for (const h of recent.get(tabId) ?? []) toHost(tabId, { type: 'handshake', h });
    for (const m of waiting.get(tabId)?.msgs ?? []) toHost(tabId, m);
    waiting.delete(tabId);
    const lost = lostWaiting.get(tabId);
    if (lost) toHost(tabId, { type: 'lost', frameId: 0, doc: '', count: lost });
    lostWaiting.delete(tabId);
    const took = !!previous && previous !== port;
    for (const end of contents.get(tabId) ?? []) toContent(end, took ? { type: 'arm', on: true, fresh: true } : { type: 'arm', on: true });
    port.onMessage.addListener((m: unknown) => {
      if (!isHostToRouter(m)) return;
      if (m.type === 'panel') {
        if (m.linked) panels.add(tabId);
        else panels.delete(tabId);
        return;
      }
      if (m.type === 'rules') {
        if (m.rules.length) rulesOf.set(tabId, { rules: m.rules, until: Date.now() + m.lease });
        else rulesOf.delete(tabId);
        let contexts = 0;
        for (const end of contents.get(tabId) ?? []) {
          toContent(end, { type: 'rules', rules: m.rules, lease: m.lease });
          if (!end.late) contexts++;
        }
        toHost(tabId, { type: 'rules-reach', contexts });
        return;
      }
      for (const end of contents.get(tabId) ?? []) {
        if (end.frameId !== m.frameId) continue;
        if (m.type === 'release') toContent(end, { type: 'release', doc: m.doc, id: m.id, decision: m.decision });
        else toContent(end, { type: 'replay', doc: m.doc, req: m.req });
      }
    });
    port.onDisconnect.addListener(() => {
      if (hosts.get(tabId) !== port) return;
      hosts.delete(tabId);
      panels.delete(tabId);
      // Rules stop with their host at once, not at the end of their lease.
      const had = rulesOf.delete(tabId);
      forgetTimers.set(tabId, setTimeout(() => {
        forgetTimers.delete(tabId);
        if (!hosts.has(tabId)) recent.delete(tabId);
      }, HOST_GONE_KEEP_MS));
      for (const end of contents.get(tabId) ?? []) {
        if (had) toContent(end, { type: 'rules', rules: [], lease: 0 });
        toContent(end, { type: 'arm', on: false });
      }
    });
  });

  browser.tabs.onRemoved.addListener((tabId) => {
    recent.delete(tabId);
    waiting.delete(tabId);
    lostWaiting.delete(tabId);
    forwarded.delete(tabId);
    rulesOf.delete(tabId);
  });

  // What the router is doing, for Frameline's own pages (diagnostics, and the Firefox DevTools smoke test).
  browser.runtime.onMessage.addListener((m: unknown, sender: Runtime.MessageSender) => {
    if (sender.id !== browser.runtime.id || (m as { type?: unknown } | null)?.type !== ROUTER_STATUS) return undefined;
    const tabs: RouterStatus['tabs'] = {};
    for (const id of new Set([...contents.keys(), ...hosts.keys()])) {
      tabs[id] = { host: hosts.has(id), panel: panels.has(id), frames: contents.get(id)?.size ?? 0, forwarded: forwarded.get(id) ?? 0 };
    }
    return Promise.resolve({ tabs } satisfies RouterStatus);
  });

  const wr = browser.webRequest;
  const filter = { urls: ['ws://*/*', 'wss://*/*'] };
  const headers = (h?: WebRequest.HttpHeaders): Header[] => (h ?? []).map((x) => ({ name: x.name, value: x.value ?? '' }));
  const origin = (d: { originUrl?: string; documentUrl?: string }) => {
    const u = d.originUrl ?? d.documentUrl;
    return u ? { originUrl: u } : {};
  };
  const report = (tabId: number, h: WsHandshake) => {
    // Kept only for a tab whose host listens, or has just left, or may be reconnecting (the grace after start).
    if (tabId < 0 || !(hosts.has(tabId) || forgetTimers.has(tabId) || grace)) return;
    let list = recent.get(tabId);
    if (!list) recent.set(tabId, (list = []));
    list.push(h);
    if (list.length > HANDSHAKES_KEPT) list.shift();
    toHost(tabId, { type: 'handshake', h });
  };
  wr.onBeforeSendHeaders.addListener(
    (d) => {
      report(d.tabId, { phase: 'request', requestId: d.requestId, frameId: d.frameId, url: d.url, t: d.timeStamp, headers: headers(d.requestHeaders), ...origin(d) });
      return undefined;
    },
    filter,
    ['requestHeaders'],
  );
  wr.onHeadersReceived.addListener(
    (d) => {
      report(d.tabId, { phase: 'response', requestId: d.requestId, frameId: d.frameId, url: d.url, t: d.timeStamp, headers: headers(d.responseHeaders), status: d.statusCode, statusLine: d.statusLine });
      return undefined;
    },
    filter,
    ['responseHeaders'],
  );
  wr.onErrorOccurred.addListener((d) => report(d.tabId, { phase: 'error', requestId: d.requestId, frameId: d.frameId, url: d.url, t: d.timeStamp, error: d.error }), filter);
}
