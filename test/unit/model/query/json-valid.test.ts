// The regular expressions that spare JSON terms a parse (json-valid): they may say "cannot tell", never "JSON" for a
// text JSON.parse refuses, nor "no repeated names" for a text with some; and a query typed before anything was learnt
// answers as JSON.parse would on tricky texts.
import { beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { learnJson, parseQuery } from '../../../../src/model/query';
import { forgetShapes, jsonShape, learnShape, MAX_CHARS, MAX_DEPTH, NOT_TOLD, UNIQUE, VALID } from '../../../../src/model/query/json-valid';
import { SessionStore } from '../../../../src/model/store';
import { M_UNCOUNTED, M_UNIQUE, M_VALIDITY } from '../../../../src/model/query/json-memo';
import { JSON_MEMO, type JsonMemoFrame } from '../../../../src/model/types';
import { ctx } from './fixtures';
import { text } from './json-fixtures';

const parsed = (t: string): { ok: boolean; value?: unknown } => {
  try {
    return { ok: true, value: JSON.parse(t) };
  } catch {
    return { ok: false };
  }
};
/** How deep a JSON text's objects and arrays nest, as written (a repeated name may hide a deeper value). */
function depth(t: string): number {
  let d = 0;
  let max = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (c === '"') for (i++; i < t.length && t[i] !== '"'; i++) i += t[i] === '\\' ? 1 : 0;
    else if (c === '{' || c === '[') max = Math.max(max, ++d);
    else if (c === '}' || c === ']') d--;
  }
  return max;
}
/** What JSON terms read as JSON: an object or an array that JSON.parse takes. */
const isJsonContainer = (t: string) => /^[ \t\n\r]*[{[]/.test(t) && parsed(t).ok;

// Texts that hold `"type":"trade"` (or a way of writing it) without being JSON, or that are JSON in unusual ways.
const TRICKY = [
  // not JSON, with the match in them
  '{"type":"trade"', '{"type":"trade"} x', '{"type":"trade"}}', '{"type":"trade"}{}', '[{"type":"trade"}]]', '{"type":"trade",}',
  '{"type":"trade" "a":1}', '{"type":"trade",a:1}', '{"type":"trade","a":01}', '{"type":"trade","a":1.}', '{"type":"trade","a":.5}',
  '{"type":"trade","a":+1}', '{"type":"trade","a":-}', '{"type":"trade","a":1e}', '{"type":"trade","a":0x1}', '{"type":"trade","a":NaN}',
  '{"type":"trade","a":tru}', "{\"type\":\"trade\",\"a\":'x'}", '{"type":"trade","a":[1,]}', '{"type":"trade","a":[,1]}',
  '{"type":"trade","a":"x\u0001y"}', '{"type":"trade","a":"line\nbreak"}', '{"type":"trade","a":"tab\there"}', '{"type":"trade","a":"\\x"}',
  '{"type":"trade","a":"\\u12"}', '{"type":"trade"}\u00a0', '\ufeff{"type":"trade"}', '{"type":"trade"}\v', '{"type":"trade":1}',
  '{"type":"trade","a":{"b":1}', '{"type":"trade","a":[1}', '{"type":"trade","a":{]}', '{"type":"trade"}]', '"{\\"type\\":\\"trade\\"}"',
  // JSON: duplicate names (the last wins), escapes, whitespace, deep nesting, long texts
  '{"type":"trade","type":"quote"}', '{"type":"quote","type":"trade"}', '{"type":"trade","a":{"type":"quote"},"type":"trade"}',
  '{"ty\\u0070e":"trade"}', '{"type":"tr\\u0061de"}', '{"type":"trade\\\\"}', '{"a":"\\"type\\":\\"trade\\"","type":"quote"}',
  '\n\t{ "type" : "trade" }\r\n', '{"type":"trade","a":"\ud800"}', '{"type":"trade","a":[[[[[1]]]]]}', '{"type":"trade","a":[[[1]]]}',
  `{"type":"trade","pad":"${'x'.repeat(MAX_CHARS)}"}`, `{"type":"trade","a":[${'1,'.repeat(MAX_CHARS)}1]}`, '{"type":"trade","a":-0.5e+3}',
];

// Objects whose names come from a few, so that repeated names and texts of one shape are frequent.
type J = null | boolean | number | string | J[] | { pairs: Array<[string, J]> };
const j: fc.Arbitrary<J> = fc.letrec<{ v: J }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, 1, -2.5, '', 'trade', 'a"b'),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.array(fc.tuple(fc.constantFrom('a', 'b', 'type', '0', 'x y'), tie('v')), { maxLength: 3 }).map((pairs) => ({ pairs })),
  ),
})).v;
const write = (v: J): string => {
  if (Array.isArray(v)) return `[${v.map(write).join(',')}]`;
  if (v !== null && typeof v === 'object') return `{${v.pairs.map(([k, x]) => `${JSON.stringify(k)}:${write(x)}`).join(', ')}}`;
  return JSON.stringify(v);
};
const repeats = (v: J): boolean => {
  if (Array.isArray(v)) return v.some(repeats);
  if (v === null || typeof v !== 'object') return false;
  const names = v.pairs.map(([k]) => k);
  return new Set(names).size < names.length || v.pairs.some(([, x]) => repeats(x));
};
const container = (v: J) => v !== null && typeof v === 'object';
const nameless = (v: J): boolean => v === null || typeof v !== 'object' || (Array.isArray(v) && v.every(nameless));
/**
 * Whether a shape can be learnt from v: no index names (JSON.parse puts those first); an array with an object in it
 * (a tuple, as Socket.IO's `["event",{…}]`) has at most 8 elements.
 */
const shapely = (v: J): boolean => {
  if (Array.isArray(v)) return v.every(nameless) || (v.length <= 8 && v.every(shapely));
  if (v === null || typeof v !== 'object') return true;
  return v.pairs.every(([k, x]) => k !== '0' && shapely(x));
};

describe('jsonShape (JSON told by regular expressions)', () => {
  beforeEach(() => forgetShapes(true));

  it('says JSON only for what JSON.parse takes, and for every such text it can tell', () => {
    const arbitrary = fc.oneof(text, fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom(...TRICKY));
    fc.assert(
      fc.property(arbitrary, (t) => {
        const tellable = isJsonContainer(t) && t.length <= MAX_CHARS && depth(t) <= MAX_DEPTH;
        expect(jsonShape(t) !== NOT_TOLD).toBe(tellable);
      }),
      { numRuns: 1000 },
    );
  });

  it('says "no repeated names" only for texts of a shape learnt from a text without any, and knows that text again', () => {
    fc.assert(
      fc.property(fc.array(j.filter(container), { minLength: 1, maxLength: 3 }), fc.array(j.filter(container), { maxLength: 8 }), (learnt, others) => {
        forgetShapes(true);
        for (const v of learnt) if (jsonShape(write(v)) !== NOT_TOLD) learnShape(repeats(v) ? null : JSON.parse(write(v)));
        for (const v of [...learnt, ...others]) {
          const t = write(v);
          const told = jsonShape(t);
          expect(told).toBe(depth(t) > MAX_DEPTH ? NOT_TOLD : told === UNIQUE ? UNIQUE : VALID);
          if (told === UNIQUE) expect(repeats(v), t).toBe(false);
        }
        // A text learnt without repeated names is known by its shape, written with other values and spaces.
        const simple = learnt.filter((v) => depth(write(v)) <= MAX_DEPTH && !repeats(v) && shapely(v));
        for (const v of simple) expect(jsonShape(` ${write(v).replace(/"trade"/g, '17')}\n`), write(v)).toBe(UNIQUE);
      }),
      { numRuns: 1000 },
    );
  });

  it('answers at once on long texts that fail late (a failing match backtracks linearly)', () => {
    const n = MAX_CHARS - 16;
    const texts = ['[' + '1,'.repeat(n / 2 - 1), '{' + '"a":1,'.repeat(n / 6), '{"a":"' + 'x'.repeat(n), '[' + '1 ,'.repeat(n / 3) + ' x]', '{}' + ' '.repeat(n) + 'x'];
    const t0 = performance.now();
    for (const t of texts) expect(jsonShape(t)).toBe(NOT_TOLD);
    expect(performance.now() - t0).toBeLessThan(2000); // exponential backtracking would not end
  });
});

describe('a JSON term typed before anything was learnt', () => {
  beforeEach(forgetShapes);
  const load = (texts: string[]) => {
    const s = new SessionStore();
    s.apply(texts.map((t, i) => ({ t: 'frame', frame: { id: i + 1, conn: 1, dir: 'received', opcode: 1, ts: 0, size: t.length, text: t } })));
    return s;
  };
  const ids = (s: SessionStore) => Array.from({ length: s.visibleCount }, (_, i) => s.visibleAt(i)!.id);
  const want = (texts: string[], test: (v: unknown) => boolean) =>
    texts.flatMap((t, i) => {
      const p = isJsonContainer(t) ? parsed(t) : { ok: false };
      const v = p.ok && p.value !== null && typeof p.value === 'object' && Object.hasOwn(p.value, 'type') ? (p.value as { type: unknown }).type : undefined;
      return test(v) ? [i + 1] : [];
    });

  it('answers as JSON.parse on tricky texts, before and after learnJson, by shapes, the grammar or a parse', () => {
    for (const [q, test] of [
      ['$.type == "trade"', (v: unknown) => v === 'trade'],
      ['$.type != "trade"', (v: unknown) => v !== 'trade'],
      ['exists($.type)', (v: unknown) => v !== undefined],
    ] as const) {
      forgetShapes(q !== '$.type == "trade"'); // the grammar at once, or only after shapes missed often
      // Texts of one shape first (learnt from the first), then the tricky ones, of that shape or not.
      const texts = [...Array.from({ length: 20 }, (_, i) => `{"type":"trade","a":${i}}`), ...TRICKY, '{"type":"trade","a":"x"}', '{"type":"trade","a":1,"a":2}'];
      const s = load(texts);
      const pred = parseQuery(q).predicate!;
      s.setFilter((f, c) => pred(f, c, ctx));
      expect(ids(s), q).toEqual(want(texts, test));
      expect(s.learn(learnJson, Infinity)).toBe(true);
      s.setFilter((f, c) => pred(f, c, ctx));
      expect(ids(s), `${q}, learnt`).toEqual(want(texts, test));
    }
  });

  it('remembers "no repeated names" only where it is so, and learnJson counts the names the term could not', () => {
    const shapes = ['{"type":"trade","x":1}', '{"type":"trade","type":"quote"}', '{"type":"trade","x":[1]}', '{"x":2,"type":"trade"}'];
    const texts = Array.from({ length: 400 }, (_, i) => shapes[(i * 7) % 13 % 4].replace('1', String(i)));
    const s = load(texts);
    const pred = parseQuery('$.type == "trade"').predicate!;
    const memos = () => {
      const out: number[] = [];
      s.setFilter((f) => (out.unshift((f as JsonMemoFrame).jsonMemo), false)); // newest first
      return out.map((m) => ({ valid: (m & M_VALIDITY) === JSON_MEMO.valid, unique: (m & M_UNIQUE) !== 0, uncounted: (m & M_UNCOUNTED) !== 0 }));
    };
    s.setFilter((f, c) => pred(f, c, ctx));
    const dup = (t: string) => t.includes('"type":"trade","type"');
    expect(ids(s)).toEqual(texts.map((_, i) => i + 1).filter((id) => !dup(texts[id - 1])));
    const before = memos();
    texts.forEach((t, i) => {
      if (dup(t)) expect(before[i].unique).toBe(false); // not a match however it is, so perhaps not checked at all
      else expect(before[i].valid && (before[i].unique || before[i].uncounted)).toBe(true);
    });
    expect(before.filter((m) => m.unique).length).toBeGreaterThan(texts.length / 2); // most told by a shape learnt
    s.learn(learnJson, Infinity);
    expect(memos()).toEqual(texts.map((t) => ({ valid: true, unique: !dup(t), uncounted: false })));
  });
});
