// What the Firefox page hook reports and what it is asked to do. Pure: shapes and validators only.
// Path of a hook event: MAIN-world hook (page) → private MessageChannel → isolated content script (validates)
// → runtime Port → background router (adds tab and frame from the port's sender) → hook host → HookCapture.
// Nothing from the page is trusted: every message is checked field by field and copied into fresh objects.
import type { HeldFrame, HoldDecision, PageRule, RuleHit } from '../../model/intercept/types';
import { parseHeld, parseRuleHit } from '../rule-hits';

export const HOOK_VERSION = 1;

/** `type` of the window message that offers the hook's end of the private channel to the isolated script. */
export const HELLO_TYPE = 'frameline-hook-hello';

/**
 * Key in the page's sessionStorage (per tab and origin) where the relay keeps until when its tab's rules are in force
 * (wall-clock ms): a document that starts then holds its frames until its rules arrive (at most RULES_GATE_MS), so a
 * socket opened at load is ruled from its first frame. Written only for rules other than breakpoints (a page can read
 * it: it must not learn whether breakpoints exist).
 */
export const RULES_FLAG_KEY = 'frameline:rules-until';
export const RULES_GATE_MS = 1000;

/** Whether rules make the relay write the flag: any rule but a breakpoint. */
export const flagsRules = (rules: readonly PageRule[]): boolean => rules.some((r) => r.action.kind !== 'break');

/** Hook's own socket number, unique within one document (`doc`). */
export type HookEvent =
  /** A socket the hook knows: made under the hook (`pre: false`), or adopted on its first send (`pre: true`). */
  | { k: 'socket'; s: number; url: string; protocols: string[]; t: number; pre: boolean; state: number; protocol: string; extensions: string; stack?: string }
  | { k: 'open'; s: number; t: number; protocol: string; extensions: string }
  | { k: 'frame'; s: number; t: number; dir: 'sent' | 'received'; text?: string; b64?: string; mark?: 'replayed' | 'injected' }
  | { k: 'close'; s: number; t: number; code: number; reason: string; wasClean: boolean }
  | { k: 'error'; s: number; t: number };

/** A batch from one document: `doc` is random per document, `href` its URL. */
export interface HookBatch {
  v: typeof HOOK_VERSION;
  doc: string;
  href: string;
  events: HookEvent[];
  /** Events the hook could not keep before it learnt whether to report (bounded buffer): counted, never silent. */
  lost?: number;
  /** Events the hook had kept and let go: told no host listened (`arm: false`), or no word from the router in 10 s. */
  discarded?: number;
  /** The hook came into this document after its own scripts (Frameline installed or updated while it was open): the
   *  page may have patched what the hook relies on, so its records are not vouched for and replay is refused there.
   *  Reloading the page ends it. */
  late?: true;
}

/**
 * Whether a hook (or the isolated script) starting now comes after the document's own scripts: at a true document
 * start nothing is parsed yet and the document is still loading. An initial about:blank is not 'loading' even at its
 * start, so there only a script element tells.
 */
export function lateDocument(readyState: string, scripts: number, href: string): boolean {
  if (scripts > 0) return true;
  return readyState !== 'loading' && href !== 'about:blank';
}

export interface HookReplay {
  id: number;
  /** Socket number in that document; absent for `fresh`. */
  s?: number;
  mode: 'send' | 'inject' | 'fresh';
  text?: string;
  b64?: string;
  /** For `fresh`: where to connect. */
  url?: string;
  protocols?: string[];
}

export interface HookReplayResult {
  id: number;
  ok: boolean;
  /** As PageReplayResult: 'state' | 'not-found' | 'threw' | 'csp' | 'timeout' | 'connect-failed' | 'gone', or
   *  'untrusted': the document's hook came late (HookBatch.late), so nothing is sent or injected there. */
  error?: string;
  readyState?: number;
  message?: string;
  code?: number;
}

/** Commands to the hook of one document. */
export type HookCommand =
  | { k: 'arm'; on: boolean; fresh?: boolean }
  | { k: 'replay'; doc: string; req: HookReplay }
  /** Intercept rules in force for the next `lease` ms (relative: the page's clock need not agree with the host's);
   *  [] switches them off. */
  | { k: 'rules'; rules: PageRule[]; lease: number }
  /** Decide a frame a hold rule keeps (its id in the hook's `held`). */
  | { k: 'release'; doc: string; id: number; decision: HoldDecision };

/** The frames hold rules keep in the document now (sent when the list changes), and how many were let through past
 *  the hook's limit. */
export interface HookHeld {
  k: 'held';
  held: unknown[];
  overflow: number;
}

/** The hook keeps no more than this held at once; a longer list is refused whole. */
export const MAX_HELD = 1000;

/** Validated copies of the held frames the hook listed (as HeldFrame, `key` = the held id; bad ones dropped, counted),
 *  or null when the envelope is wrong. */
export function checkHookHeld(x: unknown): { held: (HeldFrame & { id: number })[]; overflow: number; bad: number } | null {
  if (typeof x !== 'object' || x === null) return null;
  const o = x as Record<string, unknown>;
  if (!Array.isArray(o.held) || o.held.length > MAX_HELD) return null;
  const held: (HeldFrame & { id: number })[] = [];
  let bad = 0;
  for (const raw of o.held) {
    const h = parseHeld(raw, '');
    if (h && h.original) held.push(h);
    else bad++;
  }
  return { held, overflow: isNum(o.overflow) && o.overflow > 0 ? Math.floor(o.overflow) : 0, bad };
}

/** What intercept rules did in the document since the last report: hits, and those the hook could not keep. */
export interface HookHits {
  k: 'hits';
  hits: RuleHit[];
  lost: number;
}

/** Hits the relay takes from one message; more are counted as lost (the hook keeps no more than this either). */
export const MAX_HITS = 5000;

/** Validated copies of the hits the hook reported (bad ones dropped and counted in `bad`), or null when the envelope
 *  is wrong. */
export function checkHookHits(x: unknown): { hits: RuleHit[]; lost: number; bad: number } | null {
  if (typeof x !== 'object' || x === null) return null;
  const o = x as Record<string, unknown>;
  if (!Array.isArray(o.hits)) return null;
  const hits: RuleHit[] = [];
  let bad = 0;
  let lost = isNum(o.lost) && o.lost > 0 ? Math.floor(o.lost) : 0;
  for (let i = 0; i < o.hits.length; i++) {
    if (hits.length >= MAX_HITS) {
      lost += o.hits.length - i;
      break;
    }
    const h = parseRuleHit(o.hits[i]);
    if (h) hits.push(h);
    else bad++;
  }
  return { hits, lost, bad };
}

const isStr = (x: unknown): x is string => typeof x === 'string';
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const MAX_URL = 8192;

function strOr(x: unknown, max: number): string | undefined {
  return isStr(x) && x.length <= max ? String(x) : undefined;
}

/** A validated copy of one hook event, or null when its shape is wrong. */
export function checkHookEvent(x: unknown): HookEvent | null {
  if (typeof x !== 'object' || x === null) return null;
  const o = x as Record<string, unknown>;
  const s = o.s;
  const t = o.t;
  if (!isNum(s) || !Number.isInteger(s) || s < 0 || !isNum(t)) return null;
  switch (o.k) {
    case 'socket': {
      const url = strOr(o.url, MAX_URL);
      if (url === undefined || !Array.isArray(o.protocols) || o.protocols.length > 64 || !o.protocols.every(isStr)) return null;
      if (!isNum(o.state)) return null;
      return {
        k: 'socket', s, t, url, protocols: o.protocols.map(String), pre: o.pre === true, state: o.state,
        protocol: strOr(o.protocol, 1024) ?? '', extensions: strOr(o.extensions, 1024) ?? '',
        ...(isStr(o.stack) ? { stack: String(o.stack).slice(0, 8000) } : {}),
      };
    }
    case 'open':
      return { k: 'open', s, t, protocol: strOr(o.protocol, 1024) ?? '', extensions: strOr(o.extensions, 1024) ?? '' };
    case 'frame': {
      if (o.dir !== 'sent' && o.dir !== 'received') return null;
      if (isStr(o.text) === isStr(o.b64)) return null;
      if (isStr(o.b64) && !/^[A-Za-z0-9+/]*={0,2}$/.test(o.b64)) return null;
      const f: HookEvent = { k: 'frame', s, t, dir: o.dir };
      if (isStr(o.text)) f.text = String(o.text);
      else f.b64 = String(o.b64);
      if (o.mark === 'replayed' || o.mark === 'injected') f.mark = o.mark;
      return f;
    }
    case 'close':
      return { k: 'close', s, t, code: isNum(o.code) ? o.code : 0, reason: strOr(o.reason, 1024) ?? '', wasClean: o.wasClean === true };
    case 'error':
      return { k: 'error', s, t };
    default:
      return null;
  }
}

/** A validated copy of a batch (bad events dropped and counted in `bad`), or null when the envelope is wrong. */
export function checkHookBatch(x: unknown): { batch: HookBatch; bad: number } | null {
  if (typeof x !== 'object' || x === null) return null;
  const o = x as Record<string, unknown>;
  if (o.v !== HOOK_VERSION || !isStr(o.doc) || !/^[a-z0-9]{8,40}$/.test(o.doc) || !Array.isArray(o.events)) return null;
  const events: HookEvent[] = [];
  let bad = 0;
  for (const e of o.events) {
    const c = checkHookEvent(e);
    if (c) events.push(c);
    else bad++;
  }
  const batch: HookBatch = { v: HOOK_VERSION, doc: String(o.doc), href: strOr(o.href, MAX_URL) ?? '', events };
  if (isNum(o.lost) && o.lost > 0) batch.lost = Math.floor(o.lost);
  if (isNum(o.discarded) && o.discarded > 0) batch.discarded = Math.floor(o.discarded);
  if (o.late === true) batch.late = true;
  return { batch, bad };
}

export function checkHookReplayResult(x: unknown): HookReplayResult | null {
  if (typeof x !== 'object' || x === null) return null;
  const o = x as Record<string, unknown>;
  if (!isNum(o.id) || typeof o.ok !== 'boolean') return null;
  const r: HookReplayResult = { id: o.id, ok: o.ok };
  if (isStr(o.error)) r.error = String(o.error).slice(0, 64);
  if (isNum(o.readyState)) r.readyState = o.readyState;
  if (isStr(o.message)) r.message = String(o.message).slice(0, 500);
  if (isNum(o.code)) r.code = o.code;
  return r;
}
