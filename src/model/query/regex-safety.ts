// Regular expressions a user types: compiled, or refused with a QueryError when their shape can backtrack
// exponentially (a backtracking regex cannot be interrupted inside one test).
import { QueryError } from './types';

export function makeRegex(source: string, flags: string, pos: number): RegExp {
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
