// Frameline's query language: parse a filter typed by the user into a predicate over frames. Pure.
//
//   hello                 free text: case-insensitive substring of the payload (hex preview for binary)
//   "two words"           quoted text (\" and \\ escapes)
//   /regex/flags          a JavaScript regular expression over the payload
//   dir:sent  dir:received
//   conn:3  conn:ticker   a connection id, or a fragment of its URL
//   op:text|binary|close|ping|pong|error
//   size>1k  size<=512  size:200   payload bytes; k = 1024, m = 1024²
//   time:5s..10s  time:>2m  time:<500ms  time:..30s   relative to the first frame of the session
//   $.type == "trade"  $.price > 100  $.user.name ~ /bob/i  $.items[0].id != 3  exists($.error)
//   -term                 negation;  a b  both (AND);  a OR b  either;  ( … ) grouping
import type { Connection, Frame, JsonMemoFrame } from './types';
import { JSON_MEMO, OPCODE } from './types';
import { previewOf } from './preview';

export interface QueryContext {
  /** Monotonic seconds of the session's first frame (for `time:`). */
  startTs: number;
}

export type Predicate = (frame: Frame, conn: Connection | undefined, ctx: QueryContext) => boolean;

export interface ParsedQuery {
  predicate: Predicate | null; // null: the empty query, everything matches
  /** A canonical rendering, for tests and history. */
  text: string;
  /** The regular expressions the user wrote (`/…/` terms and `~` comparisons), where each starts in the input. */
  regexes: QueryRegex[];
}

export interface QueryRegex {
  source: string;
  flags: string;
  pos: number;
}

export class QueryError extends Error {
  constructor(
    message: string,
    /** Index in the input where the problem is. */
    readonly position: number,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Tokens

type Token =
  | { k: 'word'; v: string; pos: number; quoted: boolean }
  | { k: 'regex'; source: string; flags: string; pos: number }
  | { k: 'lparen' | 'rparen' | 'minus' | 'or'; pos: number }
  | { k: 'json'; path: string; pos: number } // $.a.b
  | { k: 'exists'; path: string; pos: number }
  | { k: 'cmp'; v: string; pos: number };

const CMP = ['==', '!=', '>=', '<=', '>', '<', '~'];

function readQuoted(input: string, i: number): { value: string; end: number } {
  const quote = input[i];
  let out = '';
  let j = i + 1;
  while (j < input.length && input[j] !== quote) {
    if (input[j] === '\\' && j + 1 < input.length) {
      out += input[j + 1];
      j += 2;
    } else out += input[j++];
  }
  if (j >= input.length) throw new QueryError(`Unclosed quote ${quote}`, i);
  return { value: out, end: j + 1 };
}

function readRegex(input: string, i: number): { source: string; flags: string; end: number } {
  let j = i + 1;
  let inClass = false;
  while (j < input.length) {
    const c = input[j];
    if (c === '\\') j += 2;
    else {
      if (c === '[') inClass = true;
      else if (c === ']') inClass = false;
      else if (c === '/' && !inClass) break;
      j++;
    }
  }
  if (j >= input.length) throw new QueryError('Unclosed regular expression: add the closing /', i);
  const source = input.slice(i + 1, j);
  let k = j + 1;
  while (k < input.length && /[a-z]/i.test(input[k])) k++;
  return { source, flags: input.slice(j + 1, k), end: k };
}

function readPath(input: string, i: number): { path: string; end: number } {
  // $ followed by .name, ["key"], [0] segments
  let j = i + 1;
  while (j < input.length) {
    const c = input[j];
    if (c === '.') {
      j++;
      while (j < input.length && /[\w$-]/.test(input[j])) j++;
    } else if (c === '[') {
      const close = input[j + 1] === '"' || input[j + 1] === "'" ? readQuoted(input, j + 1).end : j + 1;
      const end = input.indexOf(']', close);
      if (end < 0) throw new QueryError('Unclosed [ in JSON path', j);
      j = end + 1;
    } else break;
  }
  return { path: input.slice(i, j), end: j };
}

function tokenize(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const pos = i;
    if (c === '(') {
      out.push({ k: 'lparen', pos });
      i++;
    } else if (c === ')') {
      out.push({ k: 'rparen', pos });
      i++;
    } else if (c === '-' && i + 1 < input.length && !/\s/.test(input[i + 1]) && (out.length === 0 || out[out.length - 1].k !== 'cmp')) {
      out.push({ k: 'minus', pos });
      i++;
    } else if (c === '"' || c === "'") {
      const q = readQuoted(input, i);
      out.push({ k: 'word', v: q.value, pos, quoted: true });
      i = q.end;
    } else if (c === '/') {
      const r = readRegex(input, i);
      out.push({ k: 'regex', source: r.source, flags: r.flags, pos });
      i = r.end;
    } else if (c === '$' && (input[i + 1] === '.' || input[i + 1] === '[' || /[\s=!<>~]/.test(input[i + 1] ?? ' '))) {
      const p = readPath(input, i);
      out.push({ k: 'json', path: p.path, pos });
      i = p.end;
    } else if (input.startsWith('exists(', i)) {
      const start = i + 'exists('.length;
      let j = start;
      while (j < input.length && /\s/.test(input[j])) j++;
      if (input[j] !== '$') throw new QueryError('exists() takes a JSON path such as $.error', j);
      const p = readPath(input, j);
      let k = p.end;
      while (k < input.length && /\s/.test(input[k])) k++;
      if (input[k] !== ')') throw new QueryError('exists( needs its closing )', k);
      out.push({ k: 'exists', path: p.path, pos });
      i = k + 1;
    } else {
      const cmp = CMP.find((o) => input.startsWith(o, i));
      if (cmp && out.length && out[out.length - 1].k === 'json') {
        out.push({ k: 'cmp', v: cmp, pos });
        i += cmp.length;
        continue;
      }
      let j = i;
      while (j < input.length && !/[\s()]/.test(input[j])) {
        if ((input[j] === '"' || input[j] === "'") && j > i) {
          // field:"quoted value"
          j = readQuoted(input, j).end;
          continue;
        }
        j++;
      }
      const v = input.slice(i, j);
      if (v === 'OR') out.push({ k: 'or', pos });
      else out.push({ k: 'word', v, pos, quoted: false });
      i = j;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// AST and parser

type Node =
  | { t: 'and' | 'or'; items: Node[] }
  | { t: 'not'; item: Node }
  | { t: 'leaf'; match: Predicate; text: string; /** Relative cost of a match: 1 a field, 2 a text search, 3 a JSON path. */ cost?: number };

const FIELDS = ['dir', 'conn', 'op', 'size', 'time'];

function unitBytes(num: string, unit: string, pos: number): number {
  const n = Number(num);
  if (!Number.isFinite(n)) throw new QueryError(`Not a size: ${num}${unit}`, pos);
  const u = unit.toLowerCase();
  const mult = u === '' || u === 'b' ? 1 : u === 'k' || u === 'kb' ? 1024 : u === 'm' || u === 'mb' ? 1024 * 1024 : NaN;
  if (Number.isNaN(mult)) throw new QueryError(`Unknown size unit "${unit}": use k or m`, pos);
  return n * mult;
}

function unitSeconds(s: string, pos: number): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s);
  if (!m) throw new QueryError(`Not a time: "${s}" (examples: 500ms, 5s, 2m)`, pos);
  const n = Number(m[1]);
  switch (m[2] ?? 's') {
    case 'ms':
      return n / 1000;
    case 'm':
      return n * 60;
    case 'h':
      return n * 3600;
    default:
      return n;
  }
}

const compare = (op: string, a: number, b: number) =>
  op === '>' ? a > b : op === '>=' ? a >= b : op === '<' ? a < b : op === '<=' ? a <= b : a === b;

function fieldTerm(word: string, pos: number): Node | null {
  const m = /^([a-z]+)(:|>=|<=|>|<|=)(.*)$/i.exec(word);
  if (!m) return null;
  const [, rawField, sep, rawValue] = m;
  const field = rawField.toLowerCase();
  if (sep === ':' && rawValue.startsWith('//')) return null; // a URL typed as text
  if (!FIELDS.includes(field)) {
    if (sep !== ':') return null;
    throw new QueryError(`Unknown field "${rawField}": use dir, conn, op, size, time — or quote the text`, pos);
  }
  const value = rawValue.replace(/^["']|["']$/g, '');
  const valuePos = pos + rawField.length + sep.length;
  switch (field) {
    case 'dir': {
      const v = value.toLowerCase();
      const dir = v === 'sent' || v === 'send' || v === 'out' ? 'sent' : v === 'received' || v === 'receive' || v === 'in' ? 'received' : null;
      if (sep !== ':' || !dir) throw new QueryError('dir: takes sent or received', valuePos);
      return { t: 'leaf', text: `dir:${dir}`, match: (f) => f.dir === dir };
    }
    case 'op': {
      const ops: Record<string, number> = {
        text: OPCODE.text, binary: OPCODE.binary, close: OPCODE.close, ping: OPCODE.ping, pong: OPCODE.pong,
        error: OPCODE.error, continuation: OPCODE.continuation,
      };
      const op = ops[value.toLowerCase()];
      if (sep !== ':' || op === undefined) throw new QueryError('op: takes text, binary, close, ping, pong or error', valuePos);
      return { t: 'leaf', text: `op:${value.toLowerCase()}`, match: (f) => f.opcode === op };
    }
    case 'conn': {
      if (sep !== ':' || !value) throw new QueryError('conn: takes a connection id or part of its URL', valuePos);
      const id = /^#?(\d+)$/.exec(value);
      if (id) {
        const n = Number(id[1]);
        return { t: 'leaf', text: `conn:${n}`, match: (f) => f.conn === n };
      }
      const frag = value.toLowerCase();
      // Answered once per connection snapshot (a new snapshot is a new object), not once per frame.
      const known = new WeakMap<Connection, boolean>();
      const test = (c: Connection) => c.url.toLowerCase().includes(frag) || !!c.urlCandidates?.some((u) => u.toLowerCase().includes(frag));
      return {
        t: 'leaf',
        text: `conn:${frag}`,
        match: (_f, c) => {
          if (!c) return false;
          let r = known.get(c);
          if (r === undefined) known.set(c, (r = test(c)));
          return r;
        },
      };
    }
    case 'size': {
      const op = sep === ':' || sep === '=' ? '=' : sep;
      const sm = /^(\d+(?:\.\d+)?)([a-z]*)$/i.exec(value);
      if (!sm) throw new QueryError(`size needs a number of bytes, like size>1k or size<=512`, valuePos);
      const bytes = unitBytes(sm[1], sm[2], valuePos);
      return { t: 'leaf', text: `size${op === '=' ? ':' : op}${bytes}`, match: (f) => compare(op, f.size, bytes) };
    }
    case 'time': {
      if (sep !== ':') throw new QueryError('time takes a range: time:5s..10s, time:>2m, time:<500ms', valuePos);
      let lo = -Infinity;
      let hi = Infinity;
      let loIncl = true;
      let hiIncl = true;
      const range = /^(.*)\.\.(.*)$/.exec(value);
      if (range) {
        if (range[1]) lo = unitSeconds(range[1], valuePos);
        if (range[2]) hi = unitSeconds(range[2], valuePos);
      } else {
        const cm = /^(>=|<=|>|<)(.+)$/.exec(value);
        if (!cm) throw new QueryError('time takes a range: time:5s..10s, time:>2m, time:<500ms', valuePos);
        const t = unitSeconds(cm[2], valuePos);
        if (cm[1][0] === '>') {
          lo = t;
          loIncl = cm[1] === '>=';
        } else {
          hi = t;
          hiIncl = cm[1] === '<=';
        }
      }
      return {
        t: 'leaf',
        text: `time:${lo}..${hi}`,
        match: (f, _c, ctx) => {
          const t = f.ts - ctx.startTs;
          return (loIncl ? t >= lo : t > lo) && (hiIncl ? t <= hi : t < hi);
        },
      };
    }
  }
  return null;
}

// JSON paths -----------------------------------------------------------------------------------------------------

type Segment = string | number;

function parsePath(path: string, pos: number): Segment[] {
  const segs: Segment[] = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === '.') {
      const m = /^[\w$-]+/.exec(path.slice(i + 1));
      if (!m) throw new QueryError(`A JSON path needs a name after "."`, pos + i);
      segs.push(m[0]);
      i += 1 + m[0].length;
    } else if (path[i] === '[') {
      if (path[i + 1] === '"' || path[i + 1] === "'") {
        const q = readQuoted(path, i + 1);
        if (path[q.end] !== ']') throw new QueryError('In a JSON path, a quoted key needs its closing ]', pos + i);
        segs.push(q.value);
        i = q.end + 1;
      } else {
        const end = path.indexOf(']', i);
        const inner = path.slice(i + 1, end);
        if (!/^\d+$/.test(inner)) throw new QueryError('In a JSON path, [ ] takes an index or a quoted key', pos + i);
        segs.push(Number(inner));
        i = end + 1;
      }
    } else throw new QueryError(`Unexpected "${path[i]}" in JSON path`, pos + i);
  }
  return segs;
}

const MISSING = Symbol('missing');
// Imported constants copied to module constants for the per-frame paths (a bundler or test runner may turn each use
// of an imported binding into a property read on a module object).
const TEXT = OPCODE.text;
const VALID = JSON_MEMO.valid;
const INVALID = JSON_MEMO.invalid;

function resolve(value: unknown, segs: Segment[]): unknown {
  let v: unknown = value;
  for (const s of segs) {
    if (v === null || typeof v !== 'object') return MISSING;
    if (typeof s === 'number') {
      if (!Array.isArray(v) || s >= v.length) return MISSING;
      v = v[s];
    } else {
      if (!Object.prototype.hasOwnProperty.call(v, s)) return MISSING;
      v = (v as Record<string, unknown>)[s];
    }
  }
  return v;
}

/**
 * Parsed JSON of a text frame, or MISSING (not JSON). One small cache, by text: the same frame is often asked twice
 * (the frame handed over may be a cursor the store moves from row to row, so its identity says nothing).
 */
let lastText: string | null = null;
let lastJson: unknown = MISSING;
function jsonOf(f: Frame): unknown {
  const t = f.text;
  if (t === undefined || f.opcode !== TEXT) return MISSING;
  if (t !== lastText) {
    lastText = t;
    lastJson = MISSING;
    const s = t.trimStart();
    if (s[0] === '{' || s[0] === '[') {
      try {
        lastJson = JSON.parse(t);
      } catch {
        /* not JSON */
      }
    }
  }
  // Remembered by the frame, also when its text is the one parsed last (the same string in another frame).
  const m = (f as Partial<JsonMemoFrame>).jsonMemo;
  if (m !== undefined && (m & M_VALIDITY) === 0) {
    if (lastJson === MISSING) setMemo(f, m | INVALID);
    else setMemo(f, m | VALID | (uniqueNames(t, lastJson) ? M_UNIQUE : 0));
  }
  return lastJson;
}

/**
 * Whether no object in a text has two members of the same name, from its parsed value: the names written (counted
 * from above: every ':' after a '"', which every name is followed by) equal the names parsed (duplicates merge).
 */
function uniqueNames(t: string, value: unknown): boolean {
  let written = 0;
  for (let j = t.indexOf(':'); j >= 0; j = t.indexOf(':', j + 1)) {
    let k = j - 1;
    for (let c = t.charCodeAt(k); c === 32 || c === 10 || c === 13 || c === 9; c = t.charCodeAt(--k));
    if (t.charCodeAt(k) === 34) written++;
  }
  let parsed = 0;
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) for (const x of v) stack.push(x);
    else
      for (const k of Object.keys(v)) {
        parsed++;
        stack.push((v as Record<string, unknown>)[k]);
      }
  }
  return written === parsed;
}

// What a frame remembers about its text (JsonMemoFrame.jsonMemo, 16 bits; 0: nothing known yet):
const M_VALIDITY = 3; // JSON_MEMO: unknown, invalid, valid
const M_KNOWN = 4; // the bits below are known
const M_BACKSLASH = 8; // the text has a backslash
const M_UNIQUE = 16; // the text parses, and no object in it has two members of the same name (uniqueNames)
const M_BRACKET_SHIFT = 5; // 11 bits: where the first bracket after the first character is (capped)
const BRACKET_CAP = 2047;

function setMemo(f: Frame, m: number) {
  const memo = f as Partial<JsonMemoFrame>;
  if (memo.jsonMemo !== undefined) memo.jsonMemo = m;
}

/** Validity bits as known, plus the text's structure bits (learnt, with native searches, the first time). */
function memoOf(f: Frame, t: string): number {
  let m = (f as Partial<JsonMemoFrame>).jsonMemo ?? 0;
  if (m & M_KNOWN) return m;
  m |= M_KNOWN;
  if (t.indexOf('\\') >= 0) m |= M_BACKSLASH;
  const open = skipWs(t, 0);
  let bracket = BRACKET_CAP;
  for (const ch of '{[]}') {
    const at = t.indexOf(ch, open + 1);
    if (at >= 0 && at < bracket) bracket = at;
  }
  m |= bracket << M_BRACKET_SHIFT;
  setMemo(f, m);
  return m;
}

/** Whether the text of a text frame whose first character is { or [ parses as JSON (remembered by the frame if it can). */
function parses(f: Frame): boolean {
  const m = (f as Partial<JsonMemoFrame>).jsonMemo ?? 0;
  if ((m & M_VALIDITY) === VALID) return true;
  if ((m & M_VALIDITY) === INVALID) return false;
  return jsonOf(f) !== MISSING;
}

/**
 * Learn, ahead of any query, what JSON terms need to know of a frame's text: whether it parses and where its
 * structure is (remembered by the frame). The panel runs this over new frames while it is idle, so that the first
 * JSON term over a million frames reads raw text instead of parsing each one.
 */
export function learnJson(f: Frame): void {
  const t = f.text;
  if (t === undefined || f.opcode !== TEXT) return;
  memoOf(f, t);
  parses(f);
}

// Reading a path on the raw text, without a parse: a walk over the characters that reads the members and elements on
// the way to the value, and skips the others. On valid JSON it is exact, as long as the names and the string read
// have no escapes (a backslash there: UNSURE, and the text is parsed). On anything else it reads something or
// nothing, but never throws and stays linear: a value it finds counts only once the text is known to parse
// (`parses`, remembered per frame), and a value it does not find is right either way (invalid JSON has no values).

/** A value that is an object or an array. */
const NESTED: object = Object.freeze({});
/** The raw reading cannot tell (an escape in a name or in the string read; a name on an array): parse. */
const UNSURE = Symbol('unsure');

function skipWs(t: string, i: number): number {
  for (;;) {
    const c = t.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else return i;
  }
}

/** Index of the " that closes the string whose opening " is at i (escapes skipped), or -1. */
function stringEnd(t: string, i: number): number {
  const n = t.length;
  for (let j = i + 1; j < n; j++) {
    const c = t.charCodeAt(j);
    if (c === 34) return j;
    if (c === 92) j++;
  }
  return -1;
}

/** Index of the closing " of a string at i that has no escape; -1 if unclosed, -2 if it has an escape. */
function plainStringEnd(t: string, i: number): number {
  const n = t.length;
  for (let j = i + 1; j < n; j++) {
    const c = t.charCodeAt(j);
    if (c === 34) return j;
    if (c === 92) return -2;
  }
  return -1;
}

/** End of the value that starts at i, or -1. */
function skipValue(t: string, i: number): number {
  const c = t.charCodeAt(i);
  if (c === 34 /* " */) {
    const e = stringEnd(t, i);
    return e < 0 ? -1 : e + 1;
  }
  const n = t.length;
  if (c === 123 /* { */ || c === 91 /* [ */) {
    let depth = 0;
    for (let j = i; j < n; j++) {
      const d = t.charCodeAt(j);
      if (d === 34) {
        j = stringEnd(t, j);
        if (j < 0) return -1;
      } else if (d === 123 || d === 91) depth++;
      else if (d === 125 || d === 93) {
        if (--depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  for (; j < n; j++) {
    const d = t.charCodeAt(j);
    if (d === 44 || d === 125 || d === 93 || d === 58 || d === 32 || d === 10 || d === 13 || d === 9) break;
  }
  return j === i ? -1 : j;
}

/**
 * Start of the value of the last member named `key` of the object at i; -1 if none, -2 if unsure. In a text without
 * backslashes, `needle` (the end of the name and its closing quote, see needleOf) ends the search early: once it does
 * not occur after a member named `key`, no later member can have that name.
 */
function memberAt(t: string, i: number, key: string, needle: string | null): number {
  let found = -1;
  const kl = key.length;
  i = skipWs(t, i + 1);
  if (t.charCodeAt(i) === 125) return -1;
  for (;;) {
    if (t.charCodeAt(i) !== 34) return -1;
    const end = plainStringEnd(t, i);
    if (end < 0) return end;
    let named = end - i - 1 === kl;
    for (let k = 0; named && k < kl; k++) named = t.charCodeAt(i + 1 + k) === key.charCodeAt(k);
    i = skipWs(t, end + 1);
    if (t.charCodeAt(i) !== 58 /* : */) return -1;
    i = skipWs(t, i + 1);
    const e = skipValue(t, i);
    if (e < 0) return -1;
    if (named) {
      found = i; // the last of duplicate names wins, as in JSON.parse
      if (needle !== null && t.indexOf(needle, e) < 0) return found;
    }
    i = skipWs(t, e);
    const c = t.charCodeAt(i);
    if (c === 125) return found;
    if (c !== 44) return -1;
    i = skipWs(t, i + 1);
  }
}

/**
 * What a text without backslashes must contain for `name` to be a name in it, or a string value: its last characters
 * and its closing quote. At most 6 characters: V8 searches such short strings fastest.
 */
function needleOf(name: string): string {
  return name.slice(-5) + '"';
}

/**
 * In a text without backslashes, the start of the value of the member `key` of the object at `open`, found
 * with native searches instead of a walk: -1 if the name is nowhere after `open`, -3 if this cannot tell (then walk).
 * `bracket` is where the first bracket after `open` is (see memoOf), or -1 for an object below the top level (then the
 * characters up to the name are checked). The first `needle` is the name's closing quote;
 * the name is a member of this object if it comes before any bracket (nothing nested opened or closed), and
 * the last such member if the needle does not occur again (or if the text is known to have no duplicate names). Only for names with a character that cannot stand between
 * two strings (see `RawPath.fast`): then the quote before the name opens a string.
 */
function fastMember(t: string, open: number, key: string, needle: string, bracket: number, unique: boolean): number {
  const p = t.indexOf(needle, open + 1);
  if (p < 0) return -1;
  const q = p - (key.length - needle.length + 1) - 1; // the quote before the name
  if (q <= open || t.charCodeAt(q) !== 34 || !t.startsWith(key, q + 1)) return -3;
  if (bracket < 0) {
    // Nested: look for a bracket between (the name is usually near).
    for (let j = open + 1; j < q; j++) {
      const c = t.charCodeAt(j);
      if (c === 123 || c === 125 || c === 91 || c === 93) return -3;
    }
  } else if (q >= bracket) return -3;
  const i = skipWs(t, q + key.length + 2);
  if (t.charCodeAt(i) !== 58 /* : */) return -3;
  if (!unique && t.indexOf(needle, i) >= 0) return -3; // perhaps a later member of the same name
  return skipWs(t, i + 1);
}

/** Whether a name is written in JSON as itself (no character that must be escaped). */
const plainName = (s: string) => !/["\\\u0000-\u001f]/.test(s);

/** Start of element n of the array at i, or -1. */
function elementAt(t: string, i: number, n: number): number {
  i = skipWs(t, i + 1);
  if (t.charCodeAt(i) === 93) return -1;
  for (let k = 0; ; k++) {
    if (k === n) return i;
    const e = skipValue(t, i);
    if (e < 0) return -1;
    i = skipWs(t, e);
    if (t.charCodeAt(i) !== 44) return -1;
    i = skipWs(t, i + 1);
  }
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * The number that starts at i (NaN if none). Up to 15 digits without exponent: digits / 10^decimals, one correctly
 * rounded division of two exact doubles, the same double as Number() gives; otherwise Number() of the token.
 */
function numberAt(t: string, i: number): number {
  let j = i;
  const neg = t.charCodeAt(j) === 45;
  if (neg) j++;
  let m = 0;
  let digits = 0;
  let decimals = -1;
  for (;;) {
    const c = t.charCodeAt(j);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
      if (decimals >= 0) decimals++;
    } else if (c === 46 && decimals < 0) decimals = 0;
    else break;
    j++;
  }
  const d = t.charCodeAt(j);
  const ends = j >= t.length || d === 44 || d === 125 || d === 93 || d === 58 || d === 32 || d === 10 || d === 13 || d === 9;
  if (ends && digits > 0 && digits <= 15 && decimals !== 0) {
    const v = decimals > 0 ? m / POW10[decimals] : m;
    return neg ? -v : v;
  }
  const e = skipValue(t, i);
  return e < 0 ? NaN : Number(t.slice(i, e));
}

/** A path, ready for raw reading. */
interface RawPath {
  segs: Segment[];
  /** Per segment: the needle of a name (null for an index). */
  needles: Array<string | null>;
  /** Whether every name is written in JSON as itself: else the raw reading is never sure. */
  plain: boolean;
  /** Per segment: a name fastMember can find (it has a character that is not a bracket, comma, colon or space). */
  fast: boolean[];
  /**
   * For == and != "text": the text. A string value found is then compared in place, and read as `eq` itself when equal
   * or OTHER_STRING when not (no string made).
   */
  eq: string | null;
}

/** A string value other than RawPath.eq. */
const OTHER_STRING = Symbol('other string');

function rawPath(segs: Segment[], eq: string | null = null): RawPath {
  return {
    eq,
    segs,
    needles: segs.map((s) => (typeof s === 'string' ? needleOf(s) : null)),
    plain: segs.every((s) => typeof s === 'number' || plainName(s)),
    fast: segs.map((s) => typeof s === 'string' && /[^{}[\],: \t\n\r]/.test(s)),
  };
}

/**
 * The value at a path in a JSON text: a primitive, NESTED, MISSING or UNSURE. `plain`: the text has no backslash;
 * `bracket`: where its first bracket after the first character is (memoOf); `unique`: no duplicate names in it.
 */
function rawLookup(t: string, path: RawPath, plain: boolean, bracket: number, unique: boolean): unknown {
  let i = skipWs(t, 0);
  const c0 = t.charCodeAt(i);
  if (c0 !== 123 && c0 !== 91) return MISSING; // as jsonOf: only objects and arrays are parsed
  if (!path.plain) return UNSURE;
  const segs = path.segs;
  for (let n = 0; n < segs.length; n++) {
    const s = segs[n];
    const c = t.charCodeAt(i);
    if (typeof s === 'number') {
      if (c !== 91) return MISSING;
      i = elementAt(t, i, s);
    } else {
      if (c === 91) return UNSURE;
      if (c !== 123) return MISSING;
      const r = plain && path.fast[n] ? fastMember(t, i, s, path.needles[n]!, n === 0 ? bracket : -1, unique) : -3;
      if (r === -3) {
        i = memberAt(t, i, s, plain ? path.needles[n] : null);
        if (i === -2) return UNSURE;
      } else i = r;
    }
    if (i < 0) return MISSING;
  }
  const c = t.charCodeAt(i);
  if (c === 34) {
    const e = plainStringEnd(t, i);
    if (e < 0) return e === -2 ? UNSURE : MISSING;
    const eq = path.eq;
    if (eq === null) return t.slice(i + 1, e);
    return e - i - 1 === eq.length && t.startsWith(eq, i + 1) ? eq : OTHER_STRING;
  }
  if (c === 123 || c === 91) return NESTED;
  if (c === 116 /* t */ || c === 102 /* f */ || c === 110 /* n */) {
    const e = skipValue(t, i);
    if (c === 116) return e - i === 4 && t.startsWith('true', i) ? true : MISSING;
    if (c === 102) return e - i === 5 && t.startsWith('false', i) ? false : MISSING;
    return e - i === 4 && t.startsWith('null', i) ? null : MISSING;
  }
  const n = numberAt(t, i);
  return Number.isNaN(n) ? MISSING : n;
}

/**
 * Match a frame by the value at a path: `test(value)`, where `none` = test(MISSING) is the answer when there is no
 * value (or the text is not JSON). Reads the raw text; parses only when the answer depends on the text being JSON.
 * `needles`: what a text without backslashes must contain for the answer not to be `none`.
 */
function byPath(f: Frame, path: RawPath, test: (v: unknown) => boolean, none: boolean, needles: readonly string[]): boolean {
  const t = f.text;
  if (t === undefined || f.opcode !== TEXT) return none;
  const m = memoOf(f, t);
  if ((m & M_VALIDITY) === INVALID) return none;
  const plain = (m & M_BACKSLASH) === 0;
  if (plain) for (let k = 0; k < needles.length; k++) if (t.indexOf(needles[k]) < 0) return none;
  const v = rawLookup(t, path, plain, m >>> M_BRACKET_SHIFT, (m & M_UNIQUE) !== 0);
  if (v === MISSING) return none;
  if (v === UNSURE) return test(resolve(jsonOf(f), path.segs));
  const hit = test(v);
  // Invalid JSON has no values: a value found decides only if the text parses (or if it changes nothing).
  return hit === none || parses(f) ? hit : none;
}

/** The needles of a path term: for == "text", the text's (the names' are looked for by fastMember). */
function needlesOf(path: RawPath, op: string | null, value: unknown): string[] {
  if (!path.plain) return [];
  const out: string[] = [];
  if (op === '==' && typeof value === 'string' && plainName(value) && value.length > 0) out.push(needleOf(value));
  return out;
}

function jsonLiteral(tok: Token | undefined, pos: number): { value: unknown; re?: RegExp } {
  if (!tok) throw new QueryError('A value is missing after the comparison', pos);
  if (tok.k === 'regex') return { value: undefined, re: makeRegex(tok.source, tok.flags, tok.pos) };
  if (tok.k !== 'word') throw new QueryError('A value is missing after the comparison', tok.pos);
  if (tok.quoted) return { value: tok.v };
  if (tok.v === 'true') return { value: true };
  if (tok.v === 'false') return { value: false };
  if (tok.v === 'null') return { value: null };
  if (/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(tok.v)) return { value: Number(tok.v) };
  throw new QueryError(`Quote text values: "${tok.v}"`, tok.pos);
}

function makeRegex(source: string, flags: string, pos: number): RegExp {
  let re: RegExp;
  try {
    re = new RegExp(source, flags.replace(/[gy]/g, ''));
  } catch (e) {
    throw new QueryError(`Invalid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`, pos);
  }
  const { nested, overlap } = regexHazards(source);
  if (nested >= 0) {
    throw new QueryError(
      'This regular expression repeats a group that itself repeats (like (a+)+): on some payloads it takes exponential time, so Frameline will not run it. Drop the inner or the outer repetition.',
      pos + 1 + nested,
    );
  }
  if (overlap >= 0) {
    throw new QueryError(
      'This regular expression repeats a choice whose alternatives can start with the same character (like (a|ab)* or (\\w|\\d)+): on some payloads it takes exponential time, so Frameline will not run it. Make the alternatives start differently, or use a character class.',
      pos + 1 + overlap,
    );
  }
  return re;
}

/** What an alternative can start with: a character, a class of characters, or anything. */
type Start = { c: string } | { cls: 'digit' | 'word' | 'space' | 'dot' | 'any' };

function startOf(alt: string): Start | null {
  if (alt === '') return null;
  const c = alt[0];
  if (c === '\\') {
    const e = alt[1] ?? '';
    if (e === 'd') return { cls: 'digit' };
    if (e === 'w') return { cls: 'word' };
    if (e === 's') return { cls: 'space' };
    if ('DWSbBpPuxck0123456789'.includes(e)) return { cls: 'any' };
    if (e === 'n') return { c: '\n' };
    if (e === 't') return { c: '\t' };
    if (e === 'r') return { c: '\r' };
    return { c: e };
  }
  if (c === '.') return { cls: 'dot' };
  if (c === '[' || c === '(' || c === '^' || c === '$') return { cls: 'any' };
  return { c };
}

function overlaps(a: Start, b: Start): boolean {
  if ('c' in a && 'c' in b) return a.c === b.c;
  if ('c' in b) [a, b] = [b, a];
  if ('c' in a) {
    const ch = a.c;
    switch ((b as { cls: string }).cls) {
      case 'digit':
        return /\d/.test(ch);
      case 'word':
        return /\w/.test(ch);
      case 'space':
        return /\s/.test(ch);
      case 'dot':
        return ch !== '\n' && ch !== '\r';
      default:
        return true;
    }
  }
  const x = (a as { cls: string }).cls;
  const y = (b as { cls: string }).cls;
  if (x === 'any' || y === 'any' || x === y) return true;
  const pair = [x, y].sort().join(' ');
  return pair === 'digit word' || pair === 'digit dot' || pair === 'dot word' || pair === 'dot space';
}

/**
 * The two classic shapes of catastrophic backtracking, found by one walk over the pattern's groups; the offset of the
 * group at fault, or -1. `nested`: a quantified group contains a quantifier of its own (star height above one: `(a+)+`,
 * `(a*b?)*`, `(?:x+){2,}`). `overlap`: a repeated group chooses between alternatives that can start with the same
 * character (`(a|a)*`, `(a|ab)+`, `(\w|\d)*`; conservative: it looks at the first character of each top-level
 * alternative). A backtracking regex cannot be interrupted inside one test, so such patterns are refused rather than run.
 */
export function regexHazards(source: string): { nested: number; overlap: number } {
  // For each open group: its start, whether a quantifier occurred inside it, and the offsets of its top-level '|'.
  const stack: Array<{ start: number; inner: boolean; bars: number[] }> = [];
  const found = { nested: -1, overlap: -1 };
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') stack.push({ start: i, inner: false, bars: [] });
    else if (c === '|' && stack.length) stack[stack.length - 1].bars.push(i);
    else if (c === ')') {
      const g = stack.pop();
      if (!g) continue;
      const next = source[i + 1];
      const repeated = next === '*' || next === '+' || (next === '{' && /^\{\d*,\d*\}|^\{\d{2,}\}/.test(source.slice(i + 1)));
      if (repeated && g.inner && found.nested < 0) found.nested = g.start;
      if (g.inner && stack.length) stack[stack.length - 1].inner = true;
      if (repeated && g.bars.length && found.overlap < 0 && alternativesOverlap(source, g.start, g.bars, i)) found.overlap = g.start;
    } else if (c === '*' || c === '+' || (c === '?' && source[i - 1] !== '(' && !'*+?}'.includes(source[i - 1] ?? '')) || (c === '{' && /^\{\d*,/.test(source.slice(i)))) {
      if (stack.length) stack[stack.length - 1].inner = true;
    }
  }
  return found;
}

/** Whether two top-level alternatives of the group `(` at `start` … `)` at `end` can start with the same character. */
function alternativesOverlap(source: string, start: number, bars: number[], end: number): boolean {
  const open = /^\((\?(:|=|!|<=|<!|<[^>]*>))?/.exec(source.slice(start))![0].length;
  const cuts = [start + open - 1, ...bars, end];
  const starts: Start[] = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    const st = startOf(source.slice(cuts[k] + 1, cuts[k + 1]));
    if (st) starts.push(st);
  }
  for (let a = 0; a < starts.length; a++) for (let b = a + 1; b < starts.length; b++) if (overlaps(starts[a], starts[b])) return true;
  return false;
}

/** The test of a comparison, on a value found at a path (MISSING: none). */
function comparison(op: string, lit: { value: unknown; re?: RegExp }): (v: unknown) => boolean {
  const want = lit.value;
  switch (op) {
    case '==':
      return (v) => v !== MISSING && v === want;
    case '!=':
      return (v) => v === MISSING || v !== want;
    case '~': {
      const re = lit.re!;
      return (v) => v !== MISSING && v !== null && typeof v !== 'object' && re.test(String(v));
    }
    default: {
      const n = want as number;
      return (v) => typeof v === 'number' && compare(op, v, n);
    }
  }
}

function jsonTerm(path: string, pos: number, op: string, lit: { value: unknown; re?: RegExp }): Node {
  const segs = parsePath(path, pos);
  const text = `${path} ${op} ${lit.re ? String(lit.re) : JSON.stringify(lit.value)}`;
  if ((op === '>' || op === '<' || op === '>=' || op === '<=') && typeof lit.value !== 'number') {
    throw new QueryError(`${op} compares numbers: ${path} ${op} 100`, pos);
  }
  if (op === '~' && !lit.re) throw new QueryError(`~ takes a regular expression: ${path} ~ /text/i`, pos);
  const test = comparison(op, lit);
  const none = test(MISSING);
  const raw = rawPath(segs, (op === '==' || op === '!=') && typeof lit.value === 'string' ? lit.value : null);
  const needles = needlesOf(raw, op, lit.value);
  const match: Predicate = (f) => (f.text === undefined ? op === '!=' : byPath(f, raw, test, none, needles));
  return { t: 'leaf', text, match, cost: 3 };
}

// Parser ---------------------------------------------------------------------------------------------------------

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Token[],
    private readonly input: string,
  ) {}

  parse(): Node | null {
    if (this.toks.length === 0) return null;
    const n = this.or();
    if (this.i < this.toks.length) {
      const t = this.toks[this.i];
      throw new QueryError(t.k === 'rparen' ? 'Unmatched )' : 'Unexpected input', t.pos);
    }
    return n;
  }

  private or(): Node {
    const items = [this.and()];
    while (this.peek()?.k === 'or') {
      const orTok = this.toks[this.i++];
      if (!this.peek() || this.peek()!.k === 'rparen' || this.peek()!.k === 'or') throw new QueryError('OR needs a term on both sides', orTok.pos);
      items.push(this.and());
    }
    return items.length === 1 ? items[0] : { t: 'or', items };
  }

  private and(): Node {
    const items: Node[] = [];
    for (;;) {
      const t = this.peek();
      if (!t || t.k === 'or' || t.k === 'rparen') break;
      items.push(this.unary());
    }
    if (items.length === 0) {
      const t = this.peek();
      throw new QueryError(t ? 'OR needs a term on both sides' : 'Empty group', t?.pos ?? this.input.length);
    }
    return items.length === 1 ? items[0] : { t: 'and', items };
  }

  private unary(): Node {
    const t = this.peek()!;
    if (t.k === 'minus') {
      this.i++;
      if (!this.peek() || this.peek()!.k === 'rparen' || this.peek()!.k === 'or') throw new QueryError('- needs a term to negate', t.pos);
      return { t: 'not', item: this.unary() };
    }
    return this.primary();
  }

  private primary(): Node {
    const t = this.toks[this.i++];
    switch (t.k) {
      case 'lparen': {
        if (this.peek()?.k === 'rparen') throw new QueryError('Empty ( )', t.pos);
        const n = this.or();
        if (this.peek()?.k !== 'rparen') throw new QueryError('Unclosed (', t.pos);
        this.i++;
        return n;
      }
      case 'regex': {
        const re = makeRegex(t.source, t.flags, t.pos);
        return { t: 'leaf', text: String(re), match: (f) => re.test(f.text !== undefined ? f.text : previewOf(f)), cost: 2 };
      }
      case 'exists': {
        const segs = parsePath(t.path, t.pos);
        const found = (v: unknown) => v !== MISSING;
        const raw = rawPath(segs);
        const needles = needlesOf(raw, null, undefined);
        return {
          t: 'leaf',
          text: `exists(${t.path})`,
          match: (f) => f.text !== undefined && byPath(f, raw, found, false, needles),
          cost: 3,
        };
      }
      case 'json': {
        const cmp = this.toks[this.i];
        if (!cmp || cmp.k !== 'cmp') throw new QueryError(`${t.path} needs a comparison: == != > >= < <= ~, or use exists(${t.path})`, t.pos);
        this.i++;
        const lit = jsonLiteral(this.toks[this.i++], cmp.pos + cmp.v.length);
        return jsonTerm(t.path, t.pos, cmp.v, lit);
      }
      case 'word': {
        if (!t.quoted) {
          const field = fieldTerm(t.v, t.pos);
          if (field) return field;
        }
        const needle = t.v;
        const re = new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
        return { t: 'leaf', text: JSON.stringify(needle), match: (f) => re.test(f.text !== undefined ? f.text : previewOf(f)), cost: 2 };
      }
      case 'cmp':
        throw new QueryError(`"${t.v}" compares a JSON path: $.field ${t.v} value`, t.pos);
      default:
        throw new QueryError('Unexpected input', t.pos);
    }
  }

  private peek(): Token | undefined {
    return this.toks[this.i];
  }
}

function costOf(n: Node): number {
  return n.t === 'leaf' ? (n.cost ?? 1) : n.t === 'not' ? costOf(n.item) : n.items.reduce((a, i) => a + costOf(i), 0);
}

/** Items of AND and OR, cheapest first: a field decides before a text search is run, a text search before a JSON path. */
const cheapestFirst = (items: Node[]) => items.map((n, i) => ({ n, i, c: costOf(n) })).sort((a, b) => a.c - b.c || a.i - b.i).map((x) => x.n);

function compile(n: Node): Predicate {
  switch (n.t) {
    case 'leaf':
      return n.match;
    case 'not': {
      const p = compile(n.item);
      return (f, c, x) => !p(f, c, x);
    }
    case 'and': {
      const ps = cheapestFirst(n.items).map(compile);
      if (ps.length === 2) {
        const [a, b] = ps;
        return (f, c, x) => a(f, c, x) && b(f, c, x);
      }
      return (f, c, x) => {
        for (const p of ps) if (!p(f, c, x)) return false;
        return true;
      };
    }
    case 'or': {
      const ps = cheapestFirst(n.items).map(compile);
      if (ps.length === 2) {
        const [a, b] = ps;
        return (f, c, x) => a(f, c, x) || b(f, c, x);
      }
      return (f, c, x) => {
        for (const p of ps) if (p(f, c, x)) return true;
        return false;
      };
    }
  }
}

function render(n: Node): string {
  switch (n.t) {
    case 'leaf':
      return n.text;
    case 'not':
      return `-${n.item.t === 'leaf' || n.item.t === 'not' ? render(n.item) : `(${render(n.item)})`}`;
    case 'and':
      return n.items.map((i) => (i.t === 'or' ? `(${render(i)})` : render(i))).join(' ');
    case 'or':
      return n.items.map(render).join(' OR ');
  }
}

/** Parse a query. Throws QueryError (with the position of the problem) on invalid input. */
export function parseQuery(input: string): ParsedQuery {
  const toks = tokenize(input);
  const ast = new Parser(toks, input).parse();
  const regexes = toks.flatMap((t) => (t.k === 'regex' ? [{ source: t.source, flags: t.flags, pos: t.pos }] : []));
  return { predicate: ast ? compile(ast) : null, text: ast ? render(ast) : '', regexes };
}
