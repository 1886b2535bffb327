// Regular expressions a user types (filters, export redaction): compiled, or refused with a QueryError when their
// shape can backtrack for exponential or high polynomial time (a backtracking regex cannot be interrupted inside one
// test). The pattern is parsed into a small tree of character sets, so that overlaps are judged on the characters
// each part can match (case-folded under the i flag), not on how the parts are spelled.
import { QueryError } from './types';

export function makeRegex(source: string, flags: string, pos: number): RegExp {
  let re: RegExp;
  try {
    re = new RegExp(source, flags.replace(/[gy]/g, ''));
  } catch (e) {
    throw new QueryError(`Invalid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`, pos);
  }
  const hazard = regexHazard(source, flags);
  if (hazard) throw new QueryError(hazard.message, pos + 1 + hazard.at);
  return re;
}

export interface RegexHazard {
  /**
   * `nested`: a repeated group contains a repetition (`(a+)+`). `overlap`: a repeated choice whose alternatives can
   * start with the same character (`(a|ab)*`). `adjacent`: two unbounded repetitions in a row over characters they
   * share (`a*a*`, `.*\s*`): polynomial, one split of the run per try.
   */
  kind: 'nested' | 'overlap' | 'adjacent';
  /** Offset in the source of the part at fault. */
  at: number;
  /** What is wrong and how to rewrite it, for the user. */
  message: string;
}

/**
 * The first hazard of a pattern that compiles with these flags, or null. Conservative: it judges the pattern's shape,
 * not the payloads, so a pattern that passes can still be slow on some text (the worker's probe is for that).
 */
export function regexHazard(source: string, flags: string): RegexHazard | null {
  let found: Found | null;
  try {
    found = findHazard(parsePattern(source, flags, true));
  } catch {
    return null; // a pattern this parser misreads is left to the probe rather than refused
  }
  if (!found) return null;
  // Worded for the i flag when the hazard is there only because case is ignored.
  let folded = false;
  if (flags.includes('i') || source.includes('(?')) {
    const plain = findHazard(parsePattern(source, flags, false));
    folded = !plain || plain.kind !== found.kind || plain.at !== found.at;
  }
  return { kind: found.kind, at: found.at, message: messageFor(found, source, folded) };
}

function messageFor(f: Found, source: string, folded: boolean): string {
  const caseNote = folded ? ' once case is ignored (the i flag)' : '';
  switch (f.kind) {
    case 'nested':
      return 'This regular expression repeats a group that itself repeats (like (a+)+): on some payloads it takes exponential time, so Frameline will not run it. Drop the inner or the outer repetition.';
    case 'overlap':
      return folded
        ? 'This regular expression repeats a choice whose alternatives can start with the same character once case is ignored (with the i flag, (?:a|A)* chooses between a and a): on some payloads it takes exponential time, so Frameline will not run it. The i flag already matches both cases: keep one spelling of each alternative, or use a character class.'
        : 'This regular expression repeats a choice whose alternatives can start with the same character (like (a|ab)* or (\\w|\\d)+): on some payloads it takes exponential time, so Frameline will not run it. Make the alternatives start differently, or use a character class.';
    case 'adjacent': {
      const a = snippet(source, f.first!);
      const b = snippet(source, f.second!);
      return `This regular expression has two repetitions in a row, ${a} and ${b}, that can match the same characters${caseNote}, with at most optional parts between them: on a long run of such characters it tries every way to split the run between the two, which takes time growing with a power of the payload's length, so Frameline will not run it. Keep only one (\\s*\\s* → \\s*), or make the second start with a character the first cannot match (\\d+\\.?\\d* → \\d+(\\.\\d+)?).`;
    }
  }
}

function snippet(source: string, n: Node): string {
  const s = source.slice(n.at, n.end);
  return s.length > 24 ? `${s.slice(0, 23)}…` : s;
}

// --- Character sets: sorted, disjoint, inclusive code point ranges [lo0, hi0, lo1, hi1, …] ------------------------

type Ranges = number[];
const MAX_CP = 0x10ffff;
const EMPTY: Ranges = [];
const ANY: Ranges = [0, MAX_CP];
const DIGIT: Ranges = [48, 57];
const WORD: Ranges = [48, 57, 65, 90, 95, 95, 97, 122];
const SPACE: Ranges = [9, 13, 32, 32, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f, 0x205f, 0x205f, 0x3000, 0x3000, 0xfeff, 0xfeff];
const LINE_ENDS: Ranges = [10, 10, 13, 13, 0x2028, 0x2029];

function norm(pairs: Array<[number, number]>): Ranges {
  pairs.sort((x, y) => x[0] - y[0]);
  const out: Ranges = [];
  for (const [lo, hi] of pairs) {
    if (out.length && lo <= out[out.length - 1] + 1) out[out.length - 1] = Math.max(out[out.length - 1], hi);
    else out.push(lo, hi);
  }
  return out;
}

function pairsOf(r: Ranges): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < r.length; i += 2) out.push([r[i], r[i + 1]]);
  return out;
}

function union(a: Ranges, b: Ranges): Ranges {
  if (!a.length) return b;
  if (!b.length) return a;
  return norm([...pairsOf(a), ...pairsOf(b)]);
}

function negate(a: Ranges): Ranges {
  const out: Ranges = [];
  let next = 0;
  for (let i = 0; i < a.length; i += 2) {
    if (a[i] > next) out.push(next, a[i] - 1);
    next = a[i + 1] + 1;
  }
  if (next <= MAX_CP) out.push(next, MAX_CP);
  return out;
}

function intersects(a: Ranges, b: Ranges): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i + 1] < b[j]) i += 2;
    else if (b[j + 1] < a[i]) j += 2;
    else return true;
  }
  return false;
}

/**
 * The set with each character's other cases added (what it matches under the i flag). Wide ranges are folded only on
 * their letters of Latin scripts: they hold the other cases of the rest already, or nearly.
 */
function fold(a: Ranges): Ranges {
  const extra: Array<[number, number]> = [];
  const add = (cp: number) => {
    const s = String.fromCodePoint(cp);
    for (const v of [s.toLowerCase(), s.toUpperCase()]) {
      const c = v.codePointAt(0)!;
      if (v.length === String.fromCodePoint(c).length && c !== cp) extra.push([c, c]);
    }
  };
  for (let i = 0; i < a.length; i += 2) {
    const [lo, hi] = [a[i], a[i + 1]];
    if (hi - lo <= 1024) for (let c = lo; c <= hi; c++) add(c);
    else for (let c = Math.max(lo, 0x41); c <= Math.min(hi, 0x24f); c++) add(c);
  }
  return extra.length ? norm([...pairsOf(a), ...extra]) : a;
}

// --- The pattern as a tree ----------------------------------------------------------------------------------------

type Node =
  | { t: 'set'; set: Ranges; at: number; end: number }
  | { t: 'assert'; at: number; end: number }
  | { t: 'ref'; at: number; end: number }
  | { t: 'group'; look: boolean; alts: Node[][]; at: number; end: number }
  | { t: 'quant'; node: Node; min: number; max: number; q: string; at: number; end: number };

/** Parse a pattern that compiles with `flags` (`fold`: case-fold sets where the i flag applies). */
function parsePattern(src: string, flags: string, fold: boolean): Node[][] {
  const p = new Parser(src, /[uv]/.test(flags), flags.includes('v'), flags.includes('s'));
  const alts = p.alts(fold && flags.includes('i'), fold);
  if (p.i < src.length) throw new Error('unparsed');
  return alts;
}

class Parser {
  i = 0;
  constructor(
    readonly src: string,
    readonly unicode: boolean,
    readonly sets: boolean,
    readonly dotAll: boolean,
  ) {}

  /** `fold`: the i flag is on here; `canFold`: modifier groups may turn it on (false for the unfolded reading). */
  alts(fold: boolean, canFold: boolean): Node[][] {
    const out: Node[][] = [this.seq(fold, canFold)];
    while (this.src[this.i] === '|') {
      this.i++;
      out.push(this.seq(fold, canFold));
    }
    return out;
  }

  seq(fold: boolean, canFold: boolean): Node[] {
    const out: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') out.push(this.quantified(fold, canFold));
    return out;
  }

  quantified(fold: boolean, canFold: boolean): Node {
    const node = this.atom(fold, canFold);
    const rest = this.src.slice(this.i);
    const m = /^(?:[*+?]|\{(\d+)(,(\d*))?\})\??/.exec(rest);
    if (!m || node.t === 'assert') return node;
    this.i += m[0].length;
    const c = m[0][0];
    const min = c === '+' ? 1 : c === '{' ? Number(m[1]) : 0;
    const max = c === '?' ? 1 : c === '{' ? (m[2] ? (m[3] ? Number(m[3]) : Infinity) : min) : Infinity;
    return { t: 'quant', node, min, max, q: m[0].replace(/\?$/, '') || '?', at: node.at, end: this.i };
  }

  atom(fold: boolean, canFold: boolean): Node {
    const at = this.i;
    const c = this.src[this.i];
    if (c === '^' || c === '$') {
      this.i++;
      return { t: 'assert', at, end: this.i };
    }
    if (c === '.') {
      this.i++;
      return { t: 'set', set: this.dotAll ? ANY : negate(LINE_ENDS), at, end: this.i };
    }
    if (c === '(') return this.group(fold, canFold);
    if (c === '[') {
      const set = this.cls(fold);
      return { t: 'set', set, at, end: this.i };
    }
    if (c === '\\') {
      const e = this.src[this.i + 1] ?? '';
      if (e === 'b' || e === 'B') {
        this.i += 2;
        return { t: 'assert', at, end: this.i };
      }
      const ref = /^\\(?:[1-9]\d*|k<[^>]*>)/.exec(this.src.slice(this.i));
      if (ref) {
        this.i += ref[0].length;
        return { t: 'ref', at, end: this.i };
      }
      const x = this.escape(false);
      return { t: 'set', set: this.folded(x, fold), at, end: this.i };
    }
    const cp = this.char();
    return { t: 'set', set: this.folded([cp, cp], fold), at, end: this.i };
  }

  group(fold: boolean, canFold: boolean): Node {
    const at = this.i;
    const head = /^\((?:\?(?::|=|!|<=|<!|<[^>]*>|([ims]*)(?:-([ims]*))?:))?/.exec(this.src.slice(this.i))!;
    const look = /^\(\?(?:=|!|<=|<!)/.test(head[0]);
    if (head[1]?.includes('i') && canFold) fold = true;
    if (head[2]?.includes('i')) fold = false;
    this.i += head[0].length;
    const alts = this.alts(fold, canFold);
    if (this.src[this.i] !== ')') throw new Error('unclosed group');
    this.i++;
    return { t: 'group', look, alts, at, end: this.i };
  }

  /** A character class, the `[` at this.i; its set. */
  cls(fold: boolean): Ranges {
    this.i++;
    const negated = this.src[this.i] === '^';
    if (negated) this.i++;
    if (this.sets) {
      // The v flag's nested classes and set operations: read past them, and count the class as any character.
      let depth = 1;
      let plain = true;
      for (let j = this.i; j < this.src.length; j++) {
        const c = this.src[j];
        if (c === '\\') {
          if (this.src[j + 1] === 'q') plain = false;
          j++;
        } else if (c === '[') {
          depth++;
          plain = false;
        } else if (c === ']' && --depth === 0) {
          if (!plain) {
            this.i = j + 1;
            return ANY;
          }
          break;
        } else if ((c === '&' || c === '-') && this.src[j + 1] === c) plain = false;
      }
    }
    let set: Ranges = EMPTY;
    while (this.i < this.src.length && this.src[this.i] !== ']') {
      const a = this.classAtom();
      if (this.src[this.i] === '-' && this.src[this.i + 1] !== ']' && this.i + 1 < this.src.length && typeof a === 'number') {
        const save = this.i;
        this.i++;
        const b = this.classAtom();
        if (typeof b === 'number') {
          set = union(set, [Math.min(a, b), Math.max(a, b)]);
          continue;
        }
        this.i = save; // [\d-x] style: the dash is literal (Annex B)
      }
      set = union(set, typeof a === 'number' ? [a, a] : a);
      if (this.src[this.i] === '-' && typeof a !== 'number') {
        this.i++;
        set = union(set, [45, 45]);
      }
    }
    if (this.src[this.i] !== ']') throw new Error('unclosed class');
    this.i++;
    set = this.folded(set, fold);
    return negated ? negate(set) : set;
  }

  /** One character (a code point) or a class escape inside [ ]. */
  classAtom(): number | Ranges {
    if (this.src[this.i] !== '\\') return this.char();
    if (this.src[this.i + 1] === 'b') {
      this.i += 2;
      return 8;
    }
    const r = this.escape(true);
    return r.length === 2 && r[0] === r[1] ? r[0] : r;
  }

  /** The escape at this.i (a backslash): the set it stands for (one character, or a class). */
  escape(inClass: boolean): Ranges {
    const rest = this.src.slice(this.i + 1);
    const e = rest[0] ?? '';
    const one = (cp: number, len: number): Ranges => {
      this.i += 1 + len;
      return [cp, cp];
    };
    const classes: Record<string, Ranges> = { d: DIGIT, w: WORD, s: SPACE };
    if (classes[e.toLowerCase()]) {
      this.i += 2;
      return e === e.toLowerCase() ? classes[e] : negate(classes[e.toLowerCase()]);
    }
    if ((e === 'p' || e === 'P') && this.unicode) {
      const m = /^[pP]\{[^}]*\}/.exec(rest);
      this.i += 1 + (m ? m[0].length : 1);
      return ANY; // a Unicode property: not worth a table here
    }
    const hex = /^x([0-9a-fA-F]{2})|^u([0-9a-fA-F]{4})|^u\{([0-9a-fA-F]+)\}/.exec(rest);
    if (hex && (hex[3] === undefined || this.unicode)) return one(parseInt(hex[1] ?? hex[2] ?? hex[3], 16), hex[0].length);
    const ctl = /^c([a-zA-Z])/.exec(rest);
    if (ctl) return one(ctl[1].charCodeAt(0) & 31, 2);
    if (e === 'c') {
      this.i += 1; // Annex B: a lone \c is a backslash, and the c is read next
      return [92, 92];
    }
    const oct = /^[0-7]{1,3}/.exec(rest);
    if (oct && (e === '0' || inClass)) return one(parseInt(oct[0], 8) & 0xff, oct[0].length);
    const named: Record<string, number> = { n: 10, r: 13, t: 9, v: 11, f: 12 };
    if (e in named) return one(named[e], 1);
    this.i++;
    const cp = this.char();
    return [cp, cp];
  }

  char(): number {
    const cp = this.unicode ? this.src.codePointAt(this.i)! : this.src.charCodeAt(this.i);
    this.i += cp > 0xffff ? 2 : 1;
    return cp;
  }

  folded(set: Ranges, on: boolean): Ranges {
    return on ? fold(set) : set;
  }
}

// --- The hazards --------------------------------------------------------------------------------------------------

interface Found {
  kind: RegexHazard['kind'];
  at: number;
  /** For `adjacent`: the two repetitions. */
  first?: Node;
  second?: Node;
}

/** What a part can start (or end) with, and whether it can match the empty string. */
interface Ends {
  set: Ranges;
  nullable: boolean;
}

function ends(n: Node, last: boolean): Ends {
  switch (n.t) {
    case 'set':
      return { set: n.set, nullable: false };
    case 'assert':
      return { set: EMPTY, nullable: true };
    case 'ref':
      return { set: ANY, nullable: true };
    case 'group': {
      if (n.look) return { set: EMPTY, nullable: true };
      let set = EMPTY;
      let nullable = false;
      for (const alt of n.alts) {
        const e = seqEnds(alt, last);
        set = union(set, e.set);
        nullable ||= e.nullable;
      }
      return { set, nullable };
    }
    case 'quant': {
      const e = ends(n.node, last);
      return { set: e.set, nullable: e.nullable || n.min === 0 };
    }
  }
}

function seqEnds(items: Node[], last: boolean): Ends {
  let set = EMPTY;
  for (const n of last ? [...items].reverse() : items) {
    const e = ends(n, last);
    set = union(set, e.set);
    if (!e.nullable) return { set, nullable: false };
  }
  return { set, nullable: true };
}

/** A group's repetition, as the hazards count it: *, +, {n,}, {n,m}, or {n} from ten up. */
function repeated(q: Extract<Node, { t: 'quant' }>): boolean {
  return q.q === '*' || q.q === '+' || (q.q[0] === '{' && (q.q.includes(',') || q.min >= 10));
}

/** Whether a part contains a repetition (any quantifier but an exact {n}). */
function hasQuant(n: Node): boolean {
  if (n.t === 'quant') return (n.q[0] !== '{' || n.q.includes(',')) || hasQuant(n.node);
  if (n.t === 'group') return n.alts.some((alt) => alt.some(hasQuant));
  return false;
}

function children(n: Node): Node[] {
  if (n.t === 'quant') return [n.node];
  if (n.t === 'group') return n.alts.flat();
  return [];
}

function findHazard(top: Node[][]): Found | null {
  const all: Node[] = [];
  const visit = (n: Node) => {
    children(n).forEach(visit);
    all.push(n); // children first: the innermost group at fault is named
  };
  top.flat().forEach(visit);
  const quants = all.filter((n): n is Extract<Node, { t: 'quant' }> => n.t === 'quant');
  // Star height above one: (a+)+, (a*b?)*, (?:x+){2,}.
  for (const q of quants) if (q.node.t === 'group' && repeated(q) && hasQuant(q.node)) return { kind: 'nested', at: q.node.at };
  // A repeated choice between alternatives that can start alike: (a|a)*, (a|ab)+, (\w|\d)*.
  for (const q of quants) {
    if (!repeated(q) || q.node.t !== 'group' || q.node.look) continue;
    let g = q.node;
    while (g.alts.length === 1 && g.alts[0].length === 1 && g.alts[0][0].t === 'group' && !g.alts[0][0].look) g = g.alts[0][0];
    const starts = g.alts.map((alt) => seqEnds(alt, false).set).filter((s) => s.length);
    for (let a = 0; a < starts.length; a++) for (let b = a + 1; b < starts.length; b++) if (intersects(starts[a], starts[b])) return { kind: 'overlap', at: q.node.at };
  }
  return adjacent(top);
}

/** An unbounded repetition still open where the walk is: only empty-able parts came after it. */
interface Open {
  node: Node;
  first: Ranges;
  last: Ranges;
}

/** Whether a part always succeeds (by matching nothing, if need be): nothing after a pair of repetitions can fail. */
function infallible(n: Node): boolean {
  if (n.t === 'quant') return n.min === 0 || infallible(n.node);
  if (n.t === 'group') return !n.look && n.alts.some((alt) => alt.every(infallible));
  return false;
}

/**
 * Two unbounded repetitions with nothing but empty-able parts between them (optional groups, x?, assertions) that
 * can take the same run of characters, followed by something that can fail: `a*a*b`, `.*\s*$`, `\d+\.?\d*,`,
 * `(?:a|b)*b+c`. When what follows fails, each way to split the run between the two is tried, so the time grows with
 * a power of the run's length; when nothing after them can fail, the first split succeeds (`\d+\.?\d*` at the end
 * is fine). A part that must match a character ends the run (`.*x.*` is left to the probe: common, and only slow
 * on long payloads).
 */
function adjacent(top: Node[][]): Found | null {
  let found: Found | null = null;
  let budget = 1000; // the second pass over bounded repeats, capped for patterns of deeply nested {2}
  const unbounded = (q: Extract<Node, { t: 'quant' }>) => q.max === Infinity || q.max - q.min >= 32;
  const merge = (a: Open[], b: Open[]) => [...a, ...b.filter((o) => !a.some((x) => x.node === o.node))];
  // `tailOk`: nothing after this part, up to the end of the pattern, can fail.
  const seq = (items: Node[], open: Open[], tailOk: boolean): Open[] => {
    const okAfter = items.map(() => tailOk);
    for (let k = items.length - 2; k >= 0; k--) okAfter[k] = okAfter[k + 1] && infallible(items[k + 1]);
    items.forEach((n, k) => (open = node(n, open, okAfter[k])));
    return open;
  };
  const alts = (list: Node[][], open: Open[], tailOk: boolean): Open[] => list.reduce<Open[]>((out, alt) => merge(out, seq(alt, open, tailOk)), []);
  const node = (n: Node, open: Open[], tailOk: boolean): Open[] => {
    if (found) return [];
    switch (n.t) {
      case 'set':
        return [];
      case 'assert':
      case 'ref':
        return open;
      case 'group':
        if (n.look) {
          alts(n.alts, [], true); // atomic: nothing inside trades characters with the outside
          return open;
        }
        return alts(n.alts, open, tailOk);
      case 'quant': {
        // After one pass of the body comes the next (required while under the minimum), then the rest.
        const bodyOk = tailOk && (n.min <= 1 || infallible(n.node));
        if (unbounded(n)) {
          if (n.node.t === 'group') node(n.node, [], false);
          const me: Open = { node: n, first: ends(n.node, false).set, last: ends(n.node, true).set };
          const o = tailOk ? undefined : open.find((x) => intersects(x.first, me.first) && intersects(x.last, me.last));
          if (o && !found) found = { kind: 'adjacent', at: o.node.at, first: o.node, second: n };
          return n.min === 0 || ends(n.node, false).nullable ? merge(open, [me]) : [me];
        }
        let out = node(n.node, open, bodyOk);
        if (n.max >= 2 && budget-- > 0) out = merge(out, node(n.node, out, bodyOk)); // one repeat's end meets the next's start
        return n.min === 0 ? merge(out, open) : out;
      }
    }
  };
  alts(top, [], true);
  return found;
}
