// Whether a text is JSON without JSON.parse: regular expressions, which run as native code and make no values (a parse
// allocates every object, string and number of the text). JSON nests without bound and a regular expression cannot
// count, so they know objects and arrays up to MAX_DEPTH levels; deeper texts, and long ones, go to JSON.parse.
//
// Two kinds: the grammar, which tells a text is JSON; and shapes learnt from texts that were parsed (a stream sends a
// few kinds of message over and over), which also tell that no object in it repeats a name, as a parse would.

const WS = '[ \\t\\n\\r]*';
/** Whitespace to the end: as WS, but a run of spaces (how texts are often padded) is matched by a faster loop. */
const END = ' *(?:[\\t\\n\\r][ \\t\\n\\r]*)?$';
/** A string: any character but a quote, a backslash or a control character, or an escape. */
const STR = '"[^"\\\\\\x00-\\x1f]*(?:\\\\(?:["\\\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\\\\x00-\\x1f]*)*"';
const NUM = '-?(?:0|[1-9]\\d*)(?:\\.\\d+)?(?:[eE][+-]?\\d+)?';
const PRIMITIVE = `(?:${STR}|${NUM}|true|false|null)`;
// A member or element appears once per level (after a comma another must follow, after the last one the closing
// bracket), so the expression doubles with each level rather than quadruples; and no two whitespace runs meet, so a
// failure backtracks over each character a bounded number of times.
const object = (v: string) => `\\{${WS}(?:${STR}${WS}:${WS}${v}${WS}(?:,${WS}(?=")|(?=\\})))*\\}`;
const array = (v: string) => `\\[${WS}(?:${v}${WS}(?:,${WS}(?!\\])|(?=\\])))*\\]`;
function value(depth: number): string {
  if (depth === 0) return PRIMITIVE;
  const v = value(depth - 1);
  return `(?:${STR}|${NUM}|${object(v)}|${array(v)}|true|false|null)`;
}
/** A value without objects (so without names), up to `depth` levels of arrays. */
function nameless(depth: number): string {
  return depth === 0 ? PRIMITIVE : `(?:${PRIMITIVE}|${array(nameless(depth - 1))})`;
}

/** Levels of objects and arrays the expressions know (each one doubles the grammar and the time to compile it). */
export const MAX_DEPTH = 4;
/**
 * Longer texts go to JSON.parse: a match that fails near the end backtracks over the whole text, far slower than a
 * parse, in one call that a filter slice cannot interrupt.
 */
export const MAX_CHARS = 16 * 1024;

/** What jsonShape tells of a text. */
export const NOT_TOLD = 0; // not JSON, or it cannot tell: parse
export const VALID = 1; // JSON
export const UNIQUE = 2; // JSON, and no object in it has two members of the same name

let grammar: RegExp | null = null;
/** Shapes learnt, the ones that match most often first. */
const shapes: RegExp[] = [];
const MAX_SHAPES = 3;
/** A shape's expression may be this long at most (a text of many members compiles slowly, and is rarely repeated). */
const MAX_SHAPE_CHARS = 16 * 1024;
// Texts no shape told since the last shape was learnt, and how many there must be before the next one is: it doubles
// with each shape learnt (or not learnt), so a stream of ever new shapes costs a few compilations, not one per text.
let missed = 0;
let learnAfter = 0;
// The grammar is compiled once shapes have missed this often (a stream of a few shapes may never need it); until then
// a text no shape tells is parsed.
const GRAMMAR_AFTER = 64;
let misses = 0;

/** Whether a text is JSON (an object or an array, whitespace around it), and whether its names repeat. */
export function jsonShape(t: string): number {
  if (t.length > MAX_CHARS) return NOT_TOLD;
  for (let s = 0; s < shapes.length; s++) {
    if (shapes[s].test(t)) {
      if (s > 0) [shapes[s - 1], shapes[s]] = [shapes[s], shapes[s - 1]]; // the frequent shapes move to the front
      return UNIQUE;
    }
  }
  missed++;
  if (grammar === null) {
    if (++misses < GRAMMAR_AFTER) return NOT_TOLD;
    const v = value(MAX_DEPTH - 1);
    grammar = new RegExp(`^${WS}(?:${object(v)}|${array(v)})${END}`);
  }
  return grammar.test(t) ? VALID : NOT_TOLD;
}

/** Whether the next text no shape told should be parsed (if jsonShape told VALID) and its shape learnt. */
export function wantsShape(): boolean {
  return missed > learnAfter;
}

/**
 * Learn the shape of a text no shape told, from its parsed value (null: its names repeat). A text of the same shape
 * has the same names in the same order in each object (written without escapes), and only names-free values in its
 * arrays; so its names do not repeat either.
 */
export function learnShape(parsed: unknown): void {
  missed = 0;
  learnAfter = Math.min(2 * learnAfter + 16, 1 << 20);
  const src = parsed === null ? null : shapeOf(parsed, MAX_DEPTH);
  if (src === null || src.length > MAX_SHAPE_CHARS) return;
  if (shapes.length === MAX_SHAPES) shapes.pop();
  shapes.push(new RegExp(`^${WS}${src}${END}`));
}

/** Forget the shapes learnt (tests); `grammar`: tell texts by the grammar from the first miss. */
export function forgetShapes(grammar = false): void {
  shapes.length = 0;
  missed = 0;
  learnAfter = 0;
  misses = grammar ? GRAMMAR_AFTER : 0;
}

const INDEX = /^(?:0|[1-9]\d*)$/;
const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|]/g;

/** Whether a value has no object in it, and no more than `depth` levels of arrays. */
function isNameless(v: unknown, depth: number): boolean {
  if (v === null || typeof v !== 'object') return true;
  return depth > 0 && Array.isArray(v) && v.every((x) => isNameless(x, depth - 1));
}

/** Elements of an array with an object in it that a shape lists one by one (Socket.IO's `["event",{…}]`). */
const MAX_TUPLE = 8;

/**
 * The expression of a value's shape, or null: a name that is an array index (JSON.parse puts those first, not in
 * written order), or an array of more than MAX_TUPLE elements with an object in it. An array without objects takes
 * any number of name-free elements; one with an object is a tuple: these elements, each of its own shape.
 */
function shapeOf(v: unknown, depth: number): string | null {
  if (v === null || typeof v !== 'object') return PRIMITIVE;
  if (depth === 0) return null;
  if (Array.isArray(v)) {
    if (v.every((x) => isNameless(x, depth - 1))) return array(nameless(depth - 1));
    if (v.length > MAX_TUPLE) return null;
    const items: string[] = [];
    for (const x of v) {
      const inner = shapeOf(x, depth - 1);
      if (inner === null) return null;
      items.push(inner);
    }
    return `\\[${WS}${items.join(`${WS},${WS}`)}${WS}\\]`;
  }
  const members: string[] = [];
  for (const [name, x] of Object.entries(v)) {
    if (INDEX.test(name) && Number(name) < 2 ** 32 - 1) return null;
    const inner = shapeOf(x, depth - 1);
    if (inner === null) return null;
    members.push(`${JSON.stringify(name).replace(REGEX_SPECIAL, '\\$&')}${WS}:${WS}${inner}`);
  }
  return `\\{${WS}${members.join(`${WS},${WS}`)}${WS}\\}`;
}
