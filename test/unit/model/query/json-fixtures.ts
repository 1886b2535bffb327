// Random JSON texts (valid and not, with the liberties JSON allows) and JSON terms with what JSON.parse would answer.
import fc from 'fast-check';

// JSON terms read the raw text where they can (no parse); they must answer exactly as a parse would: JSON.parse
// (the last of duplicate names wins, escapes decoded), objects and arrays only, own properties, invalid → no value.
type J = null | boolean | number | string | J[] | { pairs: Array<[string, J]> };
const names = ['a', 'b', 'type', 'length', '0', 'a b', 'é', 'q"', 'x\\y', ',', '__proto__'];
const leaf: fc.Arbitrary<J> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -0, 1, 1.5, -2.25, 100, 150.5, 1e21, 0.1, 12345678901234568),
  fc.constantFrom('', 'a', 'trade', 'trades', 'b{', 'x]', '"', '\\', 'é', 'line\nbreak', 'type'),
);
const value: fc.Arbitrary<J> = fc.letrec<{ v: J }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.array(fc.tuple(fc.constantFrom(...names), tie('v')), { maxLength: 4 }).map((pairs) => ({ pairs })),
  ),
})).v;
// Serialization with the liberties JSON allows: spaces anywhere between tokens, any character escaped.
const style = fc.record({ ws: fc.constantFrom('', ' ', '\n  ', '\t'), escape: fc.boolean() });
function write(v: J, s: { ws: string; escape: boolean }): string {
  const w = s.ws;
  const str = (x: string) => (s.escape ? `"${[...x].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"` : JSON.stringify(x));
  if (Array.isArray(v)) return `[${w}${v.map((x) => write(x, s)).join(`${w},${w}`)}${w}]`;
  if (v !== null && typeof v === 'object') return `{${w}${v.pairs.map(([k, x]) => `${str(k)}${w}:${w}${write(x, s)}`).join(`${w},${w}`)}${w}}`;
  return typeof v === 'string' ? str(v) : JSON.stringify(v);
}
export const text = fc.oneof(
  fc.tuple(value, style).map(([v, s]) => write(v, s)),
  fc.tuple(value, style, fc.nat(), fc.constantFrom('', '}', ']', ',', 'x', '"')).map(([v, s, cut, tail]) => {
    const t = write(v, s);
    return t.slice(0, cut % (t.length + 1)) + tail; // mostly invalid
  }),
  fc.constantFrom('{"a":1,"a":2}', '{"a":{"b":1},"a":{"c":2}}', '{"b":[1,{"a":3}],"a":"trade"}', '{"type":"trade"} x', ' {"type" : "trade"}', '{"ty\\u0070e":"trade"}', '[1,2,3]', '{"a":"x","b":"a"}', '{"a b":1,"é":"é"}',
    '{"a":"trade","a":150.5}', '{"type":"trade","b":1,"type":"quote"}', '{"a":null,"b":{"a":1.5},"a":1.5}', '{"b":{"a":"trade","a":true}}', '{"a":[1.5],"a":[0]}', '{"a":"trades","type":"trade x","b":{"a":"trad"}}'),
);
const MISSING = Symbol('missing');
export function resolveRef(t: string, segs: Array<string | number>): unknown {
  const s = t.trimStart();
  if (s[0] !== '{' && s[0] !== '[') return MISSING;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    return MISSING;
  }
  for (const k of segs) {
    if (v === null || typeof v !== 'object') return MISSING;
    if (typeof k === 'number') {
      if (!Array.isArray(v) || k >= v.length) return MISSING;
      v = v[k];
    } else {
      if (!Object.prototype.hasOwnProperty.call(v, k)) return MISSING;
      v = (v as Record<string, unknown>)[k];
    }
  }
  return v;
}
export const terms: Array<{ q: string; segs: Array<string | number>; want: (v: unknown) => boolean }> = [];
const paths: Array<[string, Array<string | number>]> = [
  ['$.a', ['a']], ['$.b.a', ['b', 'a']], ['$.a[0]', ['a', 0]], ['$[1]', [1]], ['$[0].a', [0, 'a']], ['$.length', ['length']],
  ['$["a b"]', ['a b']], ['$.type', ['type']], ['$["0"]', ['0']], ['$["é"]', ['é']], ['$.__proto__', ['__proto__']], ['$', []],
];
for (const [p, segs] of paths) {
  terms.push({ q: `exists(${p})`, segs, want: (v) => v !== MISSING });
  terms.push({ q: `${p} == "trade"`, segs, want: (v) => v === 'trade' });
  terms.push({ q: `${p} != "trade"`, segs, want: (v) => v === MISSING || v !== 'trade' });
  terms.push({ q: `${p} == 1.5`, segs, want: (v) => v === 1.5 });
  terms.push({ q: `${p} == null`, segs, want: (v) => v === null });
  terms.push({ q: `${p} != true`, segs, want: (v) => v === MISSING || v !== true });
  terms.push({ q: `${p} > 100`, segs, want: (v) => typeof v === 'number' && v > 100 });
  terms.push({ q: `${p} ~ /^[a-t]/`, segs, want: (v) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && /^[a-t]/.test(String(v)) });
}
