// Intercept rules as the panel keeps them: checked before they reach the page (a rule the page would choke on, or one
// whose regex could hang the page's thread, never leaves the panel), described in a few words, and imported and
// exported as a versioned JSON document. Pure: no DOM, no browser APIs.
import { parsePath as parseQueryPath } from '../query/json-path';
import { makeRegex } from '../query/regex-safety';
import { QueryError } from '../query/types';
import { canMatchDir, compilePageMatch, ruleDirection } from './page-match';
import type { InterceptRule, PageRule, PathStep, Payload, RuleAction, RulesFile } from './types';

export const RULES_FILE_VERSION = 1;
export const MAX_DELAY_MS = 60_000;
/** The longest a held frame waits for the user before the page forwards it unchanged. */
export const MAX_HOLD_MS = 600_000;
/** WebSocket.close() refuses a longer reason (SyntaxError). */
export const MAX_REASON_BYTES = 123;

let idCounter = 0;

/** A fresh rule id: unique in this session (a counter), and unlikely to meet one made elsewhere (time and randomness). */
export function newRuleId(): string {
  idCounter = (idCounter + 1) % 0x10000;
  return `r${Date.now().toString(36)}${idCounter.toString(36)}${Math.floor(Math.random() * 0x100000000).toString(36)}`;
}

/** A JSON path as the UI writes it: `$.a.b[0]`, `$["odd key"]`. Throws QueryError (position in `text`) when invalid. */
export function parsePath(text: string): PathStep[] {
  const lead = text.length - text.trimStart().length;
  const s = text.trim();
  if (s[0] !== '$') throw new QueryError('A JSON path starts with $, like $.price or $.items[0].id', lead);
  return parseQueryPath(s, lead);
}

/** The text of a path, which parsePath reads back: `.name` where the query allows, `["…"]` otherwise. */
export function formatPath(path: readonly PathStep[]): string {
  let out = '$';
  for (const s of path) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[\w$-]+$/.test(s)) out += `.${s}`;
    // The query's quoted keys take \" and \\ (a backslash keeps the next character).
    else out += `["${s.replace(/["\\]/g, '\\$&')}"]`;
  }
  return out;
}

/** Bytes of a string in UTF-8 (a lone surrogate counts as U+FFFD's three, as an encoder writes it). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** What is wrong with a payload, or null. `what` names it in the message ("The reply"). */
function payloadError(p: Payload, what: string): string | null {
  if ('hex' in p) {
    if (typeof p.hex !== 'string') return `${what}'s hex must be a string`;
    const bad = /[^0-9a-f\s]/i.exec(p.hex);
    if (bad) return `${what}'s hex has “${bad[0]}”, which is not a hex digit (spaces between bytes are allowed)`;
    if (p.hex.replace(/\s/g, '').length % 2) return `${what}'s hex has an odd number of digits (each byte needs two)`;
    return null;
  }
  if ('text' in p && typeof p.text === 'string') return null;
  return `${what} needs a text or hex payload`;
}

function pathError(path: PathStep[]): string | null {
  if (!Array.isArray(path) || path.length === 0) return 'The JSON path needs at least one step, like $.price (to replace the whole payload, use replace)';
  for (const s of path) {
    if (typeof s === 'number' ? !Number.isSafeInteger(s) || s < 0 : typeof s !== 'string') {
      return `The JSON path has an invalid step: ${JSON.stringify(s)} (names are text, indexes whole numbers ≥ 0)`;
    }
  }
  return null;
}

/** What is wrong with a regex the page will run, or null: it must compile with its flags and be safe to run. */
function regexError(source: string, flags: string): string | null {
  if (typeof source !== 'string' || typeof flags !== 'string') return 'The regular expression needs a source and flags';
  if (source === '') return 'The regular expression is empty';
  try {
    makeRegex(source, flags, 0); // invalid patterns and catastrophic shapes
    new RegExp(source, flags); // the flags as the page uses them (makeRegex drops g and y)
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  return null;
}

function actionError(a: RuleAction): string | null {
  switch (a?.kind) {
    case 'block':
    case 'break':
      return null;
    case 'delay':
      return Number.isInteger(a.ms) && a.ms >= 0 && a.ms <= MAX_DELAY_MS ? null : `A delay is a whole number of ms from 0 to ${MAX_DELAY_MS}`;
    case 'hold':
      return Number.isInteger(a.maxMs) && a.maxMs >= 1 && a.maxMs <= MAX_HOLD_MS
        ? null
        : `A hold waits a whole number of ms from 1 to ${MAX_HOLD_MS} (${describeMs(MAX_HOLD_MS)}) before the frame goes on`;
    case 'close':
      if (!(a.code === 1000 || (Number.isInteger(a.code) && a.code >= 3000 && a.code <= 4999))) {
        return 'A close code is 1000 or from 3000 to 4999 (the codes a page may send)';
      }
      if (typeof a.reason !== 'string') return 'A close reason must be text';
      if (utf8Length(a.reason) > MAX_REASON_BYTES) return `A close reason is at most ${MAX_REASON_BYTES} bytes in UTF-8 (this one is ${utf8Length(a.reason)})`;
      return null;
    case 'respond':
      if (typeof a.forward !== 'boolean') return 'A mock reply says whether the original is forwarded (true or false)';
      return a.reply && typeof a.reply === 'object' ? payloadError(a.reply, 'The reply') : 'A mock reply needs a reply payload';
    case 'rewrite': {
      const r = a.rewrite;
      switch (r?.op) {
        case 'replace':
          return r.payload && typeof r.payload === 'object' ? payloadError(r.payload, 'The replacement') : 'A replace needs a payload';
        case 'regex': {
          const e = regexError(r.source, r.flags);
          if (e) return `Rewrite: ${e}`;
          return typeof r.replacement === 'string' ? null : 'Rewrite: the replacement must be text';
        }
        case 'json-set': {
          const e = pathError(r.path);
          if (e) return e;
          if (typeof r.value !== 'string') return 'The value to set must be JSON text';
          try {
            JSON.parse(r.value);
          } catch {
            return `The value to set is not valid JSON: ${r.value.length > 40 ? `${r.value.slice(0, 39)}…` : r.value} (quote text: "like this")`;
          }
          return null;
        }
        case 'json-delete':
          return pathError(r.path);
        default:
          return 'Unknown rewrite: use replace, regex, json-set or json-delete';
      }
    }
    default:
      return 'Unknown action: use block, rewrite, delay, respond, close, break or hold';
  }
}

/** What is wrong with a rule, for the user (null: it can go to the page). Never throws. */
export function validateRule(rule: InterceptRule): string | null {
  if (typeof rule.query !== 'string') return 'The query must be text';
  let match;
  try {
    match = compilePageMatch(rule.query);
  } catch (e) {
    return e instanceof QueryError ? `Query: ${e.message} (at ${e.position + 1})` : `Query: ${String(e)}`;
  }
  if (!canMatchDir(match, 'sent') && !canMatchDir(match, 'received')) {
    return 'Query: it can never match (it asks for both dir:sent and dir:received)';
  }
  const e = actionError(rule.action);
  if (e) return e;
  if (rule.action.kind === 'respond' && ruleDirection(match) === 'received') {
    return 'A mock reply answers frames the app sends: this query matches received frames only (use dir:sent)';
  }
  return null;
}

/**
 * A copy of an action with only its own fields (an imported file may carry others; nothing is shared with the
 * original). `clean`: hex as pairs of lower-case digits without the spaces a user may type (what the page gets).
 */
function copyAction(a: RuleAction, clean: boolean): RuleAction {
  const payload = (p: Payload): Payload => ('hex' in p ? { hex: clean ? p.hex.replace(/\s/g, '').toLowerCase() : p.hex } : { text: p.text });
  switch (a.kind) {
    case 'block':
      return { kind: 'block' };
    case 'break':
      return { kind: 'break' };
    case 'delay':
      return { kind: 'delay', ms: a.ms };
    case 'hold':
      return { kind: 'hold', maxMs: a.maxMs };
    case 'close':
      return { kind: 'close', code: a.code, reason: a.reason };
    case 'respond':
      return { kind: 'respond', reply: payload(a.reply), forward: a.forward };
    case 'rewrite': {
      const r = a.rewrite;
      switch (r.op) {
        case 'replace':
          return { kind: 'rewrite', rewrite: { op: 'replace', payload: payload(r.payload) } };
        case 'regex':
          return { kind: 'rewrite', rewrite: { op: 'regex', source: r.source, flags: r.flags, replacement: r.replacement } };
        case 'json-set':
          return { kind: 'rewrite', rewrite: { op: 'json-set', path: [...r.path], value: r.value } };
        case 'json-delete':
          return { kind: 'rewrite', rewrite: { op: 'json-delete', path: [...r.path] } };
      }
    }
  }
}

/** The rules the page runs: enabled and valid ones, in order (the first that matches acts). */
export function toPageRules(rules: InterceptRule[]): PageRule[] {
  const out: PageRule[] = [];
  for (const r of rules) {
    if (!r.enabled || validateRule(r) !== null) continue;
    out.push({ id: r.id, match: compilePageMatch(r.query), action: copyAction(r.action, true) });
  }
  return out;
}

/** A duration as the user reads it: `800 ms`, `30 s`, `1.5 s`, `10 min`. */
function describeMs(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

/** A short description of an action, for a rule's row and its hits. */
export function describeAction(a: RuleAction): string {
  const cut = (s: string, n = 30) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
  switch (a.kind) {
    case 'block':
      return 'block';
    case 'break':
      return 'pause in the debugger';
    case 'delay':
      return `delay ${a.ms} ms`;
    case 'hold':
      return `hold for review (≤ ${describeMs(a.maxMs)})`;
    case 'close':
      return a.reason ? `close ${a.code} “${cut(a.reason, 24)}”` : `close ${a.code}`;
    case 'respond':
      return a.forward ? 'mock reply + forward' : 'mock reply';
    case 'rewrite': {
      const r = a.rewrite;
      switch (r.op) {
        case 'replace':
          return 'hex' in r.payload ? 'replace with bytes' : `replace with “${cut(r.payload.text)}”`;
        case 'regex':
          return `rewrite /${cut(r.source, 24)}/${r.flags} → “${cut(r.replacement, 24)}”`;
        case 'json-set':
          return `rewrite ${formatPath(r.path)} = ${cut(r.value.trim())}`;
        case 'json-delete':
          return `delete ${formatPath(r.path)}`;
      }
    }
  }
}

/** The export document of rules (ids, queries, actions, enabled), indented for reading and diffing. */
export function rulesJson(rules: InterceptRule[]): string {
  const doc: RulesFile = {
    frameline: 'rules',
    version: RULES_FILE_VERSION,
    // Hold is the panel's Intercept switch, not a rule to keep: left out, so an export always imports back.
    rules: rules.filter((r) => r.action.kind !== 'hold').map((r) => ({ id: r.id, query: r.query, action: r.action, enabled: r.enabled })),
  };
  return JSON.stringify(doc, null, 2);
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** An imported rule's fields, checked for their types (validateRule then judges what they say). */
function readRule(x: unknown): { rule: InterceptRule } | { error: string } {
  if (!isObject(x)) return { error: 'not an object' };
  if (typeof x.query !== 'string') return { error: 'its query must be text ("" matches every frame)' };
  if (!isObject(x.action) || typeof x.action.kind !== 'string') return { error: 'its action must be an object with a kind' };
  if (x.enabled !== undefined && typeof x.enabled !== 'boolean') return { error: 'enabled must be true or false' };
  const action = x.action as unknown as RuleAction;
  if (action.kind === 'rewrite' && !isObject(action.rewrite)) return { error: 'a rewrite action needs its rewrite' };
  return { rule: { id: typeof x.id === 'string' ? x.id : '', query: x.query, action, enabled: x.enabled ?? true } };
}

/**
 * Read an exported document. Every rule is checked; the first bad one is named (1-based, as the user counts) with its
 * problem, and nothing is imported then. Missing, empty or repeated ids are replaced by fresh ones. Never throws.
 */
export function parseRulesJson(text: string): { rules: InterceptRule[] } | { error: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { error: `Not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (!isObject(doc) || doc.frameline !== 'rules') return { error: 'Not a Frameline rules file (it has no "frameline": "rules")' };
  if (typeof doc.version !== 'number' || !Number.isInteger(doc.version) || doc.version < 1) {
    return { error: 'The rules file has no valid version' };
  }
  if (doc.version > RULES_FILE_VERSION) {
    return { error: `The rules file is version ${doc.version}; this Frameline reads version ${RULES_FILE_VERSION}: update Frameline` };
  }
  if (!Array.isArray(doc.rules)) return { error: 'The rules file has no "rules" list' };
  const rules: InterceptRule[] = [];
  const ids = new Set<string>();
  for (let i = 0; i < doc.rules.length; i++) {
    const name = `Rule ${i + 1}`;
    const read = readRule(doc.rules[i]);
    if ('error' in read) return { error: `${name}: ${read.error}` };
    const rule = read.rule;
    // A file from elsewhere must not start holding the page's frames: holding is switched on in the panel.
    if (rule.action.kind === 'hold') return { error: `${name}: hold (manual intercept) is switched on in the panel, not imported from a file` };
    let problem: string | null;
    try {
      problem = validateRule(rule);
    } catch (e) {
      // The types were checked above; a shape they miss (a payload of the wrong type…) is still a bad rule.
      problem = `invalid (${e instanceof Error ? e.message : String(e)})`;
    }
    if (problem) return { error: `${name}: ${problem}` };
    const id = rule.id === '' || ids.has(rule.id) ? newRuleId() : rule.id;
    ids.add(id);
    rules.push({ id, query: rule.query, action: copyAction(rule.action, false), enabled: rule.enabled });
  }
  return { rules };
}
