// Field terms: dir:, conn:, op:, size:, time: — each a cheap test of a frame's columns (and the decoded fields, see
// decoded-terms.ts, and pairing's, see pair-terms.ts).
import { OPCODE, type Connection } from '../types';
import type { Node } from './ast';
import { DECODED_FIELDS, decodedTerm } from './decoded-terms';
import { PAIR_FIELDS, pairTerm, unansweredTerm } from './pair-terms';
import { QueryError } from './types';

export const FIELDS = ['dir', 'conn', 'op', 'size', 'time'];

/** The frame types `op:` names. */
export const OP_CODES: Readonly<Record<string, number>> = {
  text: OPCODE.text, binary: OPCODE.binary, close: OPCODE.close, ping: OPCODE.ping, pong: OPCODE.pong,
  error: OPCODE.error, continuation: OPCODE.continuation,
};

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

export const compare = (op: string, a: number, b: number) =>
  op === '>' ? a > b : op === '>=' ? a >= b : op === '<' ? a < b : op === '<=' ? a <= b : a === b;

/** An unquoted word read as `field<sep>value` (field lower-cased, value unquoted). */
export interface FieldWord {
  field: string;
  rawField: string;
  sep: string;
  value: string;
  valuePos: number;
}

/** A word's field and value, or null when the word is not shaped as one (it is text then). */
export function splitField(word: string, pos: number): FieldWord | null {
  const m = /^([a-z]+)(:|>=|<=|>|<|=)(.*)$/i.exec(word);
  if (!m) return null;
  const [, rawField, sep, rawValue] = m;
  if (sep === ':' && rawValue.startsWith('//')) return null; // a URL typed as text
  const value = rawValue.replace(/^["']|["']$/g, '');
  return { field: rawField.toLowerCase(), rawField, sep, value, valuePos: pos + rawField.length + sep.length };
}

/** `dir:`'s value (with its aliases), or a QueryError. */
export function dirValue(sep: string, value: string, valuePos: number): 'sent' | 'received' {
  const v = value.toLowerCase();
  const dir = v === 'sent' || v === 'send' || v === 'out' ? 'sent' : v === 'received' || v === 'receive' || v === 'in' ? 'received' : null;
  if (sep !== ':' || !dir) throw new QueryError('dir: takes sent or received', valuePos);
  return dir;
}

/** `size`'s comparison (`=` for `:` and `=`) and bytes, or a QueryError. */
export function sizeValue(sep: string, value: string, valuePos: number): { op: '=' | '>' | '>=' | '<' | '<='; bytes: number } {
  const op = sep === ':' || sep === '=' ? '=' : (sep as '>' | '>=' | '<' | '<=');
  const sm = /^(\d+(?:\.\d+)?)([a-z]*)$/i.exec(value);
  if (!sm) throw new QueryError(`size needs a number of bytes, like size>1k or size<=512`, valuePos);
  return { op, bytes: unitBytes(sm[1], sm[2], valuePos) };
}

export function fieldTerm(word: string, pos: number): Node | null {
  if (word.toLowerCase() === 'unanswered') return unansweredTerm();
  const w = splitField(word, pos);
  if (!w) return null;
  const { field, rawField, sep, value, valuePos } = w;
  if (DECODED_FIELDS.includes(field)) return decodedTerm(field, value, sep, valuePos);
  if (PAIR_FIELDS.includes(field)) return pairTerm(field, value, sep, valuePos);
  if (!FIELDS.includes(field)) {
    if (sep !== ':') return null;
    throw new QueryError(`Unknown field "${rawField}": use dir, conn, op, size, time, proto, event, method, dest, topic, pair, latency, unanswered, exchange — or quote the text`, pos);
  }
  switch (field) {
    case 'dir': {
      const dir = dirValue(sep, value, valuePos);
      return { t: 'leaf', text: `dir:${dir}`, match: (f) => f.dir === dir };
    }
    case 'op': {
      const op = Object.prototype.hasOwnProperty.call(OP_CODES, value.toLowerCase()) ? OP_CODES[value.toLowerCase()] : undefined;
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
      const { op, bytes } = sizeValue(sep, value, valuePos);
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
