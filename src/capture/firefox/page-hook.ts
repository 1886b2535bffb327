// The Firefox page hook: runs in the page's main world at document_start, in every frame (a `world: "MAIN"` content
// script built as a standalone IIFE), and reports every WebSocket of the document to Frameline's isolated content
// script (src/platform/firefox/content-relay.ts). The page is hostile: it may patch built-ins, dispatch synthetic
// events and post forged messages. So the hook takes every built-in it uses before any page script runs
// (builtins.ts), listens only to trusted events (sockets.ts), talks over a MessageChannel the page never gets
// (channel.ts), and reports nothing until the isolated script arms it (a Frameline panel is open for this tab); till
// then it keeps a registry of live sockets and a bounded buffer of the document's first events (event-queue.ts).
// Injected into a document that was already running (Frameline installed or updated), it cannot vouch for what it
// took: every batch says so (`late`), and replay and intercept rules are refused there.
// Intercept rules (installIntercept, shared with Chrome) wrap `send` outside the hook's own Proxy, so a blocked frame
// is never reported as sent and a rewritten one is reported as it went out; received frames are reported as the
// network delivered them (the hook's listener comes first, and the rules' re-dispatched events are untrusted).
//   sockets.ts: the WebSocket and send Proxies    frames.ts: a message → a frame event    replay.ts: send, inject, fresh
import type { HoldDecision, InterceptRegistry, PageRule } from '../../model/intercept/types';
import { installIntercept } from '../intercept-in-page';
import { takeBuiltins, type Builtins } from './builtins';
import { offerChannel } from './channel';
import { createEventQueue } from './event-queue';
import { frameReporter } from './frames';
import { RULES_FLAG_KEY, RULES_GATE_MS, lateDocument } from './hook-protocol';
import { replayer } from './replay';
import { hookSockets, type Sockets } from './sockets';

/** How long a new document keeps its events while no word comes from the router. */
const UNARMED_MS = 10_000;
/** How often rule hits are taken to the host while rules are in force, and for how long after their lease ended (a
 *  delayed frame acts late). */
const HITS_EVERY_MS = 250;
const HITS_LINGER_MS = 60_000;
/** A longer lease is not one the host gives: refused. */
const MAX_LEASE_MS = 60_000;
/** Bounds on the rules a command may carry (objects and arrays, nesting). */
const MAX_RULE_NODES = 100_000;
const MAX_RULE_DEPTH = 64;

export function installHook(g: typeof globalThis & Window): void {
  const late = injectedLate(g);
  const B = takeBuiltins(g);
  if (!B) return;
  const doc = documentId(B, g);
  // The channel is offered last, when its commands have somewhere to go; nothing is posted before it is acknowledged.
  let post: (msg: unknown) => void = () => {};
  // `location` and its `href` are unforgeable (own properties no script can redefine): read as they are.
  const queue = createEventQueue(B, doc, late, () => B.String(g.location.href), (msg) => post(msg));
  const reportFrame = frameReporter(B, queue);
  // The registry of intercept rules: the hook's own, never the page's; `createdOf` names a socket as its events do.
  const reg: InterceptRegistry = B.bare({ rules: B.bare([] as PageRule[]), until: 0, hits: B.bare([]), hitsLost: 0 });
  let known: Sockets | null = null;
  reg.createdOf = (ws) => {
    const en = known?.entryOf(ws);
    return en ? en.t : null;
  };
  const sockets = hookSockets(B, g, queue, reportFrame, (ws) => reg.intercept?.(ws));
  if (!sockets) return;
  known = sockets;
  // After the hook's `send` Proxy, so the rules' Proxy is outermost.
  if (!late) {
    installIntercept(g, reg, B.WebSocket);
    // The tab's rules were in force when this document started: its frames wait for them (briefly).
    if (rulesInForce(g, B.dateNow())) reg.gate = B.dateNow() + RULES_GATE_MS;
  }
  const replay = replayer(B, g, sockets, reportFrame, late);
  const rules = ruleKeeper(B, reg, late, queue, (msg) => post(msg));

  const onCommand = (ev: MessageEvent) => {
    const x: unknown = B.apply(B.messageData, ev, []);
    if (typeof x !== 'object' || x === null) return;
    // A clone only the hook holds: without its prototype, a field it lacks is never read from the page's.
    const m = B.bare<{ k?: unknown; on?: unknown; fresh?: unknown; doc?: unknown; req?: unknown }>(x);
    if (m.k === 'arm') {
      const was = queue.arm(m.on === true);
      // A host that takes the tab over from another knows nothing of this document yet.
      const fresh = m.on === true && m.fresh === true;
      // Armed again after a pause: announce the live sockets (their frames meanwhile were not kept).
      if (m.on === true && (was === false || fresh)) sockets.announceLive();
      // Say hello (an empty batch if nothing waits), so the host learns of this document and its URL.
      if (m.on === true && (was !== true || fresh)) queue.flushNow(true);
      if (m.on === true) {
        rules.anew(); // a host that (re)connects learns what is held now
        rules.drain();
      }
    } else if (m.k === 'rules') {
      const r = m as { rules?: unknown; lease?: unknown };
      rules.set(r.rules, r.lease);
    } else if (m.k === 'release' && m.doc === doc) {
      const r = m as { id?: unknown; decision?: unknown };
      if (typeof r.id === 'number' && typeof reg.release === 'function') reg.release(r.id, r.decision as HoldDecision);
      rules.drain();
    } else if (m.k === 'replay' && m.doc === doc) {
      replay(m.req, (result) => post(B.bare({ k: 'replay-result', result })));
    }
  };
  post = offerChannel(B, doc, onCommand).post;
  // No word from the router (the extension is being updated, or its relay never ran): stop keeping events.
  B.setTimeout(() => queue.giveUp(), UNARMED_MS);
}

/**
 * Keeps the intercept rules of the registry as the host last sent them, for their lease, and takes their hits to the
 * host. `late`: rules are refused (as replay is): the page ran first and may have patched what they rely on.
 */
function ruleKeeper(B: Builtins, reg: InterceptRegistry, late: boolean, queue: ReturnType<typeof createEventQueue>, post: (msg: unknown) => void) {
  let ticking = false;
  /** The held list as last posted (the overflow, then the ids): a new one is posted when it differs. A host starts
   *  with an empty list, so that is never posted. */
  const NOTHING_HELD = '0';
  let heldSaid = NOTHING_HELD;
  const postHeld = () => {
    const list = reg.held;
    if (!list || queue.armed() !== true) return;
    let said = String(+(reg.heldOverflow as number) || 0);
    for (let i = 0; i < list.length; i++) said += ',' + String(list[i].id);
    if (said === heldSaid) return;
    heldSaid = said;
    const held: unknown[] = B.bare([]);
    for (let i = 0; i < list.length; i++) held[i] = list[i];
    post(B.bare({ k: 'held', held, overflow: +(reg.heldOverflow as number) || 0 }));
  };
  /** Posts the hits waiting and the held list if it changed, if a host listens; whether there were hits to post. */
  const drain = (): boolean => {
    postHeld();
    const hits = reg.hits;
    const lost = +reg.hitsLost || 0;
    if ((!hits.length && !lost) || queue.armed() !== true) return false;
    reg.hits = B.bare([]);
    reg.hitsLost = 0;
    queue.flushNow(); // the sockets the hits name reach the host before them
    post(B.bare({ k: 'hits', hits, lost }));
    return true;
  };
  const tick = () => {
    try {
      if (drain() || B.dateNow() < reg.until + HITS_LINGER_MS) {
        B.setTimeout(tick, HITS_EVERY_MS);
        return;
      }
    } catch {
      /* never break the page */
    }
    ticking = false;
  };
  const set = (rules: unknown, lease: unknown) => {
    if (late) return;
    const list = ownTree(B, rules);
    const ms = typeof lease === 'number' && lease > 0 && lease <= MAX_LEASE_MS ? lease : 0;
    const on = list !== null && B.isArray(list) && list.length > 0 && ms > 0;
    reg.rules = on ? (list as PageRule[]) : B.bare([]);
    reg.until = on ? B.dateNow() + ms : 0;
    // The first rules (or word that there are none) let what waited at the gate go through them.
    if (typeof reg.ungate === 'function') reg.ungate();
    // Frames held by a hold rule that is no longer in force go on as they were (intercept was switched off).
    let holding = false;
    for (let i = 0; i < reg.rules.length; i++) if (reg.rules[i].action.kind === 'hold') holding = true;
    const held = reg.held;
    if (!holding && held && held.length && typeof reg.release === 'function') {
      const ids: number[] = B.bare([]);
      for (let i = 0; i < held.length; i++) ids[i] = held[i].id;
      for (let i = 0; i < ids.length; i++) reg.release(ids[i], B.bare({ forward: true as const }));
    }
    drain();
    if (on && !ticking) {
      ticking = true;
      B.setTimeout(tick, HITS_EVERY_MS);
    }
  };
  return { set, drain: () => void drain(), anew: () => void (heldSaid = NOTHING_HELD) };
}

/**
 * `x` (a clone only the hook holds, made in the page's realm) with every object and array in it made bare, so the
 * rules never read what the page put on a prototype; null when it is not plain data or exceeds the bounds.
 */
function ownTree(B: Builtins, x: unknown): unknown {
  let nodes = 0;
  const walk = (v: unknown, depth: number): boolean => {
    if (typeof v === 'function') return false;
    if (typeof v !== 'object' || v === null) return true;
    if (depth > MAX_RULE_DEPTH || ++nodes > MAX_RULE_NODES) return false;
    const o = B.bare(v as Record<string, unknown>);
    // Without a prototype, `for in` visits own keys only.
    for (const k in o) if (!walk(o[k], depth + 1)) return false;
    return true;
  };
  return walk(x, 0) ? x : null;
}

/** Whether the relay said its tab's rules were in force until after now (read at document start, before any page
 *  script could change the storage). */
function rulesInForce(g: typeof globalThis & Window, now: number): boolean {
  try {
    const until = Number(g.sessionStorage.getItem(RULES_FLAG_KEY));
    return until > now;
  } catch {
    return false;
  }
}

/** Whether the page's own scripts ran before this hook (see lateDocument), read at once, as the document is now. */
function injectedLate(g: typeof globalThis & Window): boolean {
  try {
    const d = g.document;
    return lateDocument(String(d.readyState), d.scripts.length, String(g.location.href));
  } catch {
    return false; // no document to tell by (a test's world, or a document being torn down)
  }
}

/** Random per document: names it to the host, and a replay must name it back. */
function documentId(B: Builtins, g: typeof globalThis & Window): string {
  const bytes = new B.Uint8Array(12);
  g.crypto.getRandomValues(bytes);
  let doc = '';
  for (let i = 0; i < bytes.length; i++) doc += (bytes[i] % 36).toString(36);
  return doc;
}
