// The query language: parsing, every error case, matcher semantics, and properties (fast-check).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { learnJson, parseQuery, QueryError } from '../../../src/model/query';
import type { Connection, Frame } from '../../../src/model/types';
import { SessionStore } from '../../../src/model/store';

const conns = new Map<number, Connection>([
  [1, { id: 1, url: 'wss://exchange.example/ticker', state: 'open', openedBeforeCapture: false, target: { type: 'page' } }],
  [2, { id: 2, url: 'wss://chat.example/room', state: 'open', openedBeforeCapture: false, target: { type: 'page' } }],
]);
let id = 0;
const text = (t: string, o: Partial<Frame> = {}): Frame => ({ id: ++id, conn: 1, dir: 'received', opcode: 1, ts: 100, size: new TextEncoder().encode(t).length, text: t, ...o });
const bin = (bytes: number[], o: Partial<Frame> = {}): Frame => ({ id: ++id, conn: 2, dir: 'sent', opcode: 2, ts: 100, size: bytes.length, bytes: new Uint8Array(bytes), ...o });

const frames: Frame[] = [
  text('{"type":"trade","price":101.5,"user":{"name":"Bob"},"items":[{"id":3}]}', { ts: 100 }),
  text('{"type":"quote","price":99}', { ts: 101, dir: 'sent' }),
  text('{"type":"trade","price":250,"error":null}', { ts: 110, conn: 2 }),
  text('Hello World', { ts: 160 }),
  bin([0xde, 0xad, 0xbe, 0xef], { ts: 170 }),
  text('connection lost', { ts: 200, opcode: -1, size: 0 }),
  text('x'.repeat(3000), { ts: 300 }),
];
const ctx = { startTs: 100 };

/** The QueryError a query raises (fails the test if it raises none, or something else). */
function queryError(q: string): QueryError {
  try {
    parseQuery(q);
  } catch (e) {
    expect(e).toBeInstanceOf(QueryError);
    return e as QueryError;
  }
  throw new Error(`"${q}" was accepted`);
}

function matches(q: string): number[] {
  const { predicate } = parseQuery(q);
  return frames.filter((f) => !predicate || predicate(f, conns.get(f.conn), ctx)).map((f) => frames.indexOf(f));
}

describe('query language', () => {
  it.each([
    ['', [0, 1, 2, 3, 4, 5, 6]],
    ['hello', [3]],
    ['HELLO world', [3]],
    ['"lo wo"', [3]],
    ['/^hel+o/i', [3]],
    ['/price":\\d{3},/', [2]],
    ['dir:sent', [1, 4]],
    ['dir:received', [0, 2, 3, 5, 6]],
    ['conn:2', [2, 4]],
    ['conn:#1', [0, 1, 3, 5, 6]],
    ['conn:chat', [2, 4]],
    ['op:binary', [4]],
    ['op:error', [5]],
    ['op:text -op:error', [0, 1, 2, 3, 6]],
    ['size>1k', [6]],
    ['size<=4', [4, 5]],
    ['size:11', [3]],
    ['time:..5s', [0, 1]],
    ['time:10s..60s', [2, 3]],
    ['time:>60s', [4, 5, 6]],
    ['time:<500ms', [0]],
    ['$.type == "trade"', [0, 2]],
    ['$.type != "trade"', [1, 3, 4, 5, 6]],
    ['$.price > 100', [0, 2]],
    ['$.price <= 99', [1]],
    ['$.user.name ~ /^bo/i', [0]],
    ['$.items[0].id == 3', [0]],
    ['$["type"] == "quote"', [1]],
    ['exists($.error)', [2]],
    ['exists($.user.name)', [0]],
    ['-dir:sent', [0, 2, 3, 5, 6]],
    ['dir:sent OR op:error', [1, 4, 5]],
    ['($.type == "trade" OR hello) -conn:2', [0, 3]],
    ['-(dir:sent OR dir:received)', []],
    ['"de ad be"', [4]], // binary frames match their hex preview
    ['http://example', []], // a URL is text, not a field
  ])('%s', (q, want) => {
    expect(matches(q)).toEqual(want);
  });

  it.each([
    ['/unclosed', /Unclosed regular expression/, 0],
    ['/a(/', /Invalid regular expression/, 0],
    ['"open quote', /Unclosed quote/, 0],
    ['foo:bar', /Unknown field "foo"/, 0],
    ['dir:up', /dir: takes sent or received/, 4],
    ['op:banana', /op: takes text, binary/, 3],
    ['size>big', /size needs a number/, 5],
    ['size>1x', /Unknown size unit "x"/, 5],
    ['time:soon', /time takes a range/, 5],
    ['time:5q..9s', /Not a time/, 5],
    ['$.type', /needs a comparison/, 0],
    ['$.type ==', /value is missing/, 9],
    ['$.type == trade', /Quote text values/, 10],
    ['$.price > "x"', /compares numbers/, 0],
    ['$.name ~ "bob"', /~ takes a regular expression/, 0],
    ['$.a[x] == 1', /\[ \] takes an index or a quoted key/, 3],
    ['exists(type)', /exists\(\) takes a JSON path/, 7],
    ['exists($.a', /closing \)/, 10],
    ['(a OR b', /Unclosed \(/, 0],
    ['a)', /Unmatched \)/, 1],
    ['()', /Empty \( \)/, 0],
    ['a OR', /OR needs a term on both sides/, 2],
    ['OR a', /OR needs a term on both sides/, 0],
    ['$.a >', /value is missing/, 5],
  ])('rejects %s', (q, message, position) => {
    const err = queryError(q);
    expect(err.message).toMatch(message);
    expect(err.position).toBe(position);
  });

  it.each([
    ['/(a+)+$/', 1],
    ['/^(\\w+\\s?)*$/', 2],
    ['/x(?:ab*){2,}/', 2],
    ['/(a?b?)+c/', 1],
    ['$.name ~ /((a)+)*/', 10],
  ])('refuses %s: nested repetition can take exponential time', (q, position) => {
    const err = queryError(q);
    expect(err.message).toMatch(/exponential time/);
    expect(err.position).toBe(position);
  });

  it.each([
    ['/(a|a)*$/', 1],
    ['/^(a|ab)+c/', 2],
    ['/(\\w|\\d)+x/', 1],
    ['/x(?:\\s|\\t){2,}/', 2],
    ['/(.|a)*/', 1],
  ])('refuses %s: a repeated choice whose alternatives overlap can take exponential time', (q, position) => {
    const err = queryError(q);
    expect(err.message).toMatch(/alternatives can start with the same character/);
    expect(err.position).toBe(position);
  });

  it.each(['/(foo|bar)+/', '/(GET|POST) /', '/(.|\\n)*/', '/(\\d|x)+/', '/(a|b)c|(a|b)d/', '/[a|a]*/'])('accepts %s (alternatives start apart, or are not repeated)', (q) => {
    expect(() => parseQuery(q)).not.toThrow();
  });

  it.each(['/\\d+/', '/(ab)+/', '/[(+)]+x*/', '/(a{2})+/', '/(?:https?):/', '/a+?b*?/'])('accepts %s', (q) => {
    expect(() => parseQuery(q)).not.toThrow();
  });

  it('never throws anything but QueryError, whatever is typed', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        try {
          parseQuery(s);
        } catch (e) {
          return e instanceof QueryError && e.position >= 0 && e.position <= s.length;
        }
        return true;
      }),
      { numRuns: 3000 },
    );
  });

  const term = fc.constantFrom('hello', 'dir:sent', 'op:binary', 'size>100', '$.type == "trade"', 'exists($.error)', 'conn:chat', '/wor/i');
  const q: fc.Arbitrary<string> = fc.letrec<{ q: string }>((tie) => ({
    q: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      term,
      tie('q').map((x) => `-(${x})`),
      fc.tuple(tie('q'), tie('q')).map(([a, b]) => `(${a}) (${b})`),
      fc.tuple(tie('q'), tie('q')).map(([a, b]) => `(${a}) OR (${b})`),
    ),
  })).q;

  it('obeys boolean algebra: negation complements, AND intersects, OR unites, and rendering round-trips', () => {
    fc.assert(
      fc.property(q, q, (a, b) => {
        const A = new Set(matches(a));
        const B = new Set(matches(b));
        const all = frames.map((_, i) => i);
        expect(matches(`-(${a})`)).toEqual(all.filter((i) => !A.has(i)));
        expect(matches(`(${a}) (${b})`)).toEqual(all.filter((i) => A.has(i) && B.has(i)));
        expect(matches(`(${a}) OR (${b})`)).toEqual(all.filter((i) => A.has(i) || B.has(i)));
        expect(matches(parseQuery(a).text)).toEqual([...A]);
      }),
      { numRuns: 300 },
    );
  });
});

// JSON terms read the raw text where they can (no parse); they must answer exactly as a parse would: JSON.parse
// (the last of duplicate names wins, escapes decoded), objects and arrays only, own properties, invalid → no value.
describe('JSON terms answer as JSON.parse would', () => {
  type J = null | boolean | number | string | J[] | { pairs: Array<[string, J]> };
  const names = ['a', 'b', 'type', 'length', '0', 'a b', 'é', 'q"', 'x\\y', ',', '__proto__'];
  const leaf: fc.Arbitrary<J> = fc.oneof(
    fc.constantFrom(null, true, false, 0, -0, 1, 1.5, -2.25, 100, 150.5, 1e21, 0.1, 12345678901234567),
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
  const text = fc.oneof(
    fc.tuple(value, style).map(([v, s]) => write(v, s)),
    fc.tuple(value, style, fc.nat(), fc.constantFrom('', '}', ']', ',', 'x', '"')).map(([v, s, cut, tail]) => {
      const t = write(v, s);
      return t.slice(0, cut % (t.length + 1)) + tail; // mostly invalid
    }),
    fc.constantFrom('{"a":1,"a":2}', '{"a":{"b":1},"a":{"c":2}}', '{"b":[1,{"a":3}],"a":"trade"}', '{"type":"trade"} x', ' {"type" : "trade"}', '{"ty\\u0070e":"trade"}', '[1,2,3]', '{"a":"x","b":"a"}', '{"a b":1,"é":"é"}',
      '{"a":"trade","a":150.5}', '{"type":"trade","b":1,"type":"quote"}', '{"a":null,"b":{"a":1.5},"a":1.5}', '{"b":{"a":"trade","a":true}}', '{"a":[1.5],"a":[0]}', '{"a":"trades","type":"trade x","b":{"a":"trad"}}'),
  );
  const MISSING = Symbol('missing');
  function resolveRef(t: string, segs: Array<string | number>): unknown {
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
  const terms: Array<{ q: string; segs: Array<string | number>; want: (v: unknown) => boolean }> = [];
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
    terms.push({ q: `${p} ~ /^[a-t]/`, segs, want: (v) => v !== MISSING && v !== null && typeof v !== 'object' && /^[a-t]/.test(String(v)) });
  }

  it('on random texts, through the store (its cursor remembers what it learnt: asked twice)', () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 12 }), fc.constantFrom(...terms), (texts, term) => {
        const s = new SessionStore();
        s.apply(texts.map((t, i) => ({ t: 'frame', frame: { id: i + 1, conn: 1, dir: 'received', opcode: i === 5 ? -1 : 1, ts: 0, size: t.length, text: t } })));
        const pred = parseQuery(term.q).predicate!;
        const want = texts.map((_t, i) => i + 1).filter((id) => (id === 6 ? term.q.includes('!=') : term.want(resolveRef(texts[id - 1], term.segs))));
        for (let pass = 0; pass < 2; pass++) {
          s.setFilter((f, c) => pred(f, c, ctx));
          expect(Array.from({ length: s.visibleCount }, (_, i) => s.visibleAt(i)!.id)).toEqual(want);
        }
        // And on plain frame objects (nothing remembered).
        expect(texts.map((_, i) => s.frameAt(i)!).filter((f) => pred(f, undefined, ctx)).map((f) => f.id)).toEqual(want);
      }),
      { numRuns: 2000 },
    );
  });

  it('the same after the panel learnt the texts while idle (learnJson), also when a text repeats', () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 12 }), fc.constantFrom(...terms), fc.nat(11), (texts, term, upTo) => {
        const s = new SessionStore();
        const all = [...texts, texts[0]]; // the same string again: the parse cache must not leave it unlearnt
        s.apply(all.map((t, i) => ({ t: 'frame', frame: { id: i + 1, conn: 1, dir: 'received', opcode: 1, ts: 0, size: t.length, text: t } })));
        // Learn some, then all, of the frames; query in between.
        const pred = parseQuery(term.q).predicate!;
        const want = all.map((_t, i) => i + 1).filter((id) => term.want(resolveRef(all[id - 1], term.segs)));
        let n = 0;
        s.learn((f) => n++ < upTo && learnJson(f), Infinity);
        s.setFilter((f, c) => pred(f, c, ctx));
        expect(Array.from({ length: s.visibleCount }, (_, i) => s.visibleAt(i)!.id)).toEqual(want);
        const fresh = new SessionStore();
        fresh.apply(all.map((t, i) => ({ t: 'frame', frame: { id: i + 1, conn: 1, dir: 'received', opcode: 1, ts: 0, size: t.length, text: t } })));
        expect(fresh.learn((f) => void learnJson(f), Infinity)).toBe(true);
        fresh.setFilter((f, c) => pred(f, c, ctx));
        expect(Array.from({ length: fresh.visibleCount }, (_, i) => fresh.visibleAt(i)!.id)).toEqual(want);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('query evaluation', () => {
  it('answers conn:<url fragment> per connection snapshot (a new snapshot is asked again)', () => {
    const pred = parseQuery('conn:chat').predicate!;
    const f = text('x', { conn: 7 });
    const a: Connection = { id: 7, url: 'wss://chat.example/', state: 'open', openedBeforeCapture: false, target: { type: 'page' } };
    expect(pred(f, a, ctx)).toBe(true);
    expect(pred(f, a, ctx)).toBe(true);
    const b: Connection = { ...a, url: 'wss://other.example/', urlCandidates: undefined };
    expect(pred(f, b, ctx)).toBe(false);
    expect(pred(f, { ...b, urlCandidates: ['wss://chat.example/'] }, ctx)).toBe(true);
    expect(pred(f, undefined, ctx)).toBe(false);
  });

  it('runs the cheap terms of AND and OR first, with the same answers', () => {
    let jsonReads = 0;
    const spy = (t: string): Frame => {
      const f = text(t);
      return new Proxy(f, { get: (o, k) => (k === 'text' && jsonReads++, Reflect.get(o, k)) });
    };
    const pred = parseQuery('$.type == "trade" dir:sent').predicate!;
    expect(pred(spy('{"type":"trade"}'), undefined, ctx)).toBe(false); // received: the JSON term is not run
    expect(jsonReads).toBe(0);
    expect(pred(spy('{"type":"trade"}'), undefined, ctx)).toBe(false);
    expect(parseQuery('$.type == "trade" OR dir:received').predicate!(spy('nope'), undefined, ctx)).toBe(true);
    expect(jsonReads).toBe(0);
  });
});
