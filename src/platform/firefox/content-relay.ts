// Firefox, isolated content script: takes the page hook's private channel (see src/capture/firefox/page-hook.ts),
// validates everything the hook sends, and relays it to the background router over a runtime Port; passes the
// router's commands (arm, replay, intercept rules) back to the hook. Registered at document_start, before any page script, so the
// hook's hello message reaches this listener first; it is stopped there and never seen by the page, and acknowledged.
// Only the first hello of a document is taken. (Injected late into a tab that was already open, the page's own
// listeners may run first: README says to reload such pages for the same guarantee.) Whether it came late is told
// here too, from the document as this isolated world sees it (no page script can patch what it reads): a page that
// ran first could make the hook believe otherwise, not this script. Such a document's batches say `late`, and its
// replays and intercept rules are refused here, before they reach a hook the page may have tampered with.
import { HELLO_TYPE, HOOK_VERSION, RULES_FLAG_KEY, checkHookBatch, checkHookHeld, checkHookHits, flagsRules, checkHookReplayResult, lateDocument, type HookCommand } from '../../capture/firefox/hook-protocol';
import { CONTENT_PORT, isRouterToContent, type ContentToRouter } from '../../protocol';
import { browser, type Runtime } from '../browser';

/**
 * What the relay keeps for the router: batches kept while it is unreachable (it restarts, e.g. after the background
 * was suspended), and batches sent but not yet acknowledged: a background that stops drops what was posted to it
 * meanwhile, so those are sent again to the next one (the host passes each batch on once, by its number). Bounded in
 * estimated bytes and in messages; what goes over is counted.
 */
export const MAX_HELD_BYTES = 64 * 1024 * 1024;
export const MAX_HELD = 2000;
/** Batches let go unacknowledged, remembered by number until acknowledged (a pair of numbers each). */
const MAX_OVERDUE = 100_000;

/** A message's size as kept, estimated: two bytes per character of what it carries, and a fixed cost per event. */
export function heldBytes(m: ContentToRouter): number {
  if (m.type !== 'batch') return 256 + (m.type === 'hits' ? m.hits.length * 64 : 0);
  let n = 256 + m.batch.href.length * 2;
  for (const e of m.batch.events) {
    n += 64;
    if (e.k === 'frame') n += (e.text ?? e.b64 ?? '').length * 2;
    else if (e.k === 'socket') n += (e.url.length + (e.stack?.length ?? 0)) * 2;
    else if (e.k === 'close') n += e.reason.length * 2;
  }
  return n;
}

type Batch = Extract<ContentToRouter, { type: 'batch' }>;
interface Held<M> {
  m: M;
  bytes: number;
}

export function startRelay(): void {
  const late = startedLate();
  let hook: MessagePort | null = null;
  let doc = '';
  let ext: Runtime.Port | null = null;
  let waiting: Held<ContentToRouter>[] = [];
  let unacked: Held<Batch>[] = [];
  /** Bytes of `waiting` and `unacked`. */
  let bytes = 0;
  /** Batches sent, then let go over the bound before their acknowledgement: (seq, events) pairs, oldest first. They
   *  count as lost only if the router stops without acknowledging them. */
  let overdue: number[] = [];
  let batches = 0;
  let lost = 0;
  let hitsLost = 0;

  const forget = (old: ContentToRouter) => {
    if (old.type === 'batch') lost += old.batch.events.length;
    else if (old.type === 'hits') hitsLost += old.hits.length + old.lost;
  };
  /** Keeps within the bounds: the oldest unacknowledged batches go first (most likely passed on), then the oldest kept. */
  const trim = () => {
    let drop = 0;
    while (drop < unacked.length && (bytes > MAX_HELD_BYTES || waiting.length + unacked.length - drop > MAX_HELD)) {
      const { m, bytes: b } = unacked[drop++];
      bytes -= b;
      overdue.push(m.seq!, m.batch.events.length);
    }
    if (drop) unacked = unacked.slice(drop);
    if (overdue.length > MAX_OVERDUE * 2) {
      for (let i = 1; i < overdue.length - MAX_OVERDUE * 2; i += 2) lost += overdue[i];
      overdue = overdue.slice(overdue.length - MAX_OVERDUE * 2);
    }
    drop = 0;
    while (drop < waiting.length && (bytes > MAX_HELD_BYTES || waiting.length - drop > MAX_HELD)) {
      const { m, bytes: b } = waiting[drop++];
      bytes -= b;
      forget(m);
    }
    if (drop) waiting = waiting.slice(drop);
  };
  const toRouter = (m: ContentToRouter) => {
    const b = heldBytes(m);
    if (ext) {
      try {
        ext.postMessage(m);
        if (m.type === 'batch') {
          unacked.push({ m, bytes: b });
          bytes += b;
          trim();
        }
        return;
      } catch {
        ext = null;
      }
    }
    waiting.push({ m, bytes: b });
    bytes += b;
    trim();
  };
  const acked = (seq: number) => {
    let i = 0;
    while (i < unacked.length && unacked[i].m.seq! <= seq) bytes -= unacked[i++].bytes;
    if (i) unacked = unacked.slice(i);
    i = 0;
    while (i < overdue.length && overdue[i] <= seq) i += 2;
    if (i) overdue = overdue.slice(i);
  };

  const connect = () => {
    try {
      ext = browser.runtime.connect({ name: CONTENT_PORT });
    } catch {
      return; // the extension was removed or updated: this page keeps working, unwatched
    }
    ext.onMessage.addListener((m: unknown) => {
      if (!isRouterToContent(m)) return;
      if (m.type === 'ack') return acked(m.seq);
      let cmd: HookCommand;
      if (m.type === 'arm') cmd = m.fresh ? { k: 'arm', on: m.on, fresh: true } : { k: 'arm', on: m.on };
      else if (m.type === 'rules') {
        if (late) return; // the host's status says so (reloadToTrust)
        cmd = { k: 'rules', rules: m.rules, lease: m.lease };
        keepRulesFlag(m.rules.length > 0 && m.lease > 0 && flagsRules(m.rules) ? Date.now() + m.lease : 0);
      } else if (m.doc !== doc) return;
      else if (m.type === 'release') {
        if (late) return; // rules are refused there: nothing is held
        cmd = { k: 'release', doc, id: m.id, decision: m.decision };
      } else if (late) return toRouter({ type: 'replay-result', doc, result: { id: m.req.id, ok: false, error: 'untrusted' } });
      else cmd = { k: 'replay', doc, req: m.req };
      hook?.postMessage(cmd);
    });
    ext.onDisconnect.addListener(() => {
      ext = null;
      // What the router never acknowledged goes again, first, to the next one; what was let go of it is lost.
      for (let i = 1; i < overdue.length; i += 2) lost += overdue[i];
      overdue = [];
      waiting = [...unacked, ...waiting];
      unacked = [];
      trim();
      // Until the router is back the hook keeps reporting and we keep its batches (bounded, counted).
      setTimeout(connect, 250);
    });
    const queued = waiting;
    waiting = [];
    for (const { m, bytes: b } of queued) {
      bytes -= b;
      toRouter(m);
    }
    if (lost) {
      toRouter({ type: 'lost', doc, count: lost });
      lost = 0;
    }
  };

  const onHook = (e: MessageEvent) => {
    const m = e.data as { k?: unknown; batch?: unknown; result?: unknown } | null;
    if (!m || typeof m !== 'object') return;
    if (m.k === 'batch') {
      const checked = checkHookBatch(m.batch);
      if (!checked || checked.batch.doc !== doc) return;
      if (late) checked.batch.late = true;
      toRouter({ type: 'batch', batch: checked.batch, bad: checked.bad, seq: ++batches });
    } else if (m.k === 'hits') {
      const checked = late ? null : checkHookHits(m);
      if (!checked) return;
      checked.lost += hitsLost;
      hitsLost = 0;
      if (checked.hits.length || checked.lost || checked.bad) toRouter({ type: 'hits', doc, ...checked });
    } else if (m.k === 'held') {
      const checked = late ? null : checkHookHeld(m);
      if (checked) toRouter({ type: 'held', doc, ...checked });
    } else if (m.k === 'replay-result') {
      const result = checkHookReplayResult(m.result);
      if (result) toRouter({ type: 'replay-result', doc, result });
    }
  };

  const onHello = (e: MessageEvent) => {
    if (e.source !== window) return;
    const d = e.data as { type?: unknown; v?: unknown; doc?: unknown } | null;
    if (!d || d.type !== HELLO_TYPE || d.v !== HOOK_VERSION || typeof d.doc !== 'string' || e.ports.length !== 1) return;
    e.stopImmediatePropagation(); // later offers of the hook (it retries until acknowledged) are never seen either
    if (hook) return;
    doc = String(d.doc);
    hook = e.ports[0];
    hook.onmessage = onHook;
    hook.postMessage({ k: 'ack' });
    connect();
  };
  addEventListener('message', onHello, true);
}

/** Tells the tab's next document (same origin) whether rules are in force now (see RULES_FLAG_KEY). */
function keepRulesFlag(until: number): void {
  try {
    if (until > 0) sessionStorage.setItem(RULES_FLAG_KEY, String(until));
    else sessionStorage.removeItem(RULES_FLAG_KEY);
  } catch {
    /* no storage here (an opaque origin, storage off): its next document starts without the gate */
  }
}

/** Whether the page's own scripts ran before this script (see lateDocument); false where there is no document. */
function startedLate(): boolean {
  try {
    return lateDocument(document.readyState, document.scripts.length, location.href);
  } catch {
    return false;
  }
}
