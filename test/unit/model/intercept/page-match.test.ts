// A rule's query compiled for the page: the tree of each term, the terms refused (by name, where they are), the
// directions a match accepts, and that the tree means what the panel's filter means on the same frames.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canMatchDir, compilePageMatch, ruleDirection } from '../../../../src/model/intercept/page-match';
import type { PageMatch } from '../../../../src/model/intercept/types';
import { parseQuery, QueryError } from '../../../../src/model/query';
import { MISSING, resolve } from '../../../../src/model/query/json-path';
import { previewOf } from '../../../../src/model/preview';
import type { Connection, Frame } from '../../../../src/model/types';
import { conns, ctx, frames } from '../query/fixtures';

function pageError(q: string): QueryError {
  try {
    compilePageMatch(q);
  } catch (e) {
    expect(e).toBeInstanceOf(QueryError);
    return e as QueryError;
  }
  throw new Error(`"${q}" was accepted`);
}

describe('compilePageMatch', () => {
  it.each<[string, PageMatch]>([
    ['', { k: 'all' }],
    ['   ', { k: 'all' }],
    ['Hello', { k: 'text', s: 'hello' }],
    ['"Two Words"', { k: 'text', s: 'two words' }],
    ['"dir:sent"', { k: 'text', s: 'dir:sent' }],
    ['"unanswered"', { k: 'text', s: 'unanswered' }],
    ['wss://chat.example', { k: 'text', s: 'wss://chat.example' }],
    ['a=b', { k: 'text', s: 'a=b' }],
    ['/^Err(or)?/i', { k: 're', source: '^Err(or)?', flags: 'i' }],
    ['/a/gimy', { k: 're', source: 'a', flags: 'im' }],
    ['dir:sent', { k: 'dir', dir: 'sent' }],
    ['dir:in', { k: 'dir', dir: 'received' }],
    ['DIR:Received', { k: 'dir', dir: 'received' }],
    ['conn:Chat.Example', { k: 'url', frag: 'chat.example' }],
    ['conn:"/room 1"', { k: 'url', frag: '/room 1' }],
    ['op:text', { k: 'op', op: 'text' }],
    ['op:BINARY', { k: 'op', op: 'binary' }],
    ['size>1k', { k: 'size', cmp: '>', n: 1024 }],
    ['size<=512', { k: 'size', cmp: '<=', n: 512 }],
    ['size:200', { k: 'size', cmp: '==', n: 200 }],
    ['size>=1.5m', { k: 'size', cmp: '>=', n: 1.5 * 1024 * 1024 }],
    ['size<2kb', { k: 'size', cmp: '<', n: 2048 }],
    ['$.type == "trade"', { k: 'json', path: ['type'], cmp: '==', value: 'trade' }],
    ['$.price > 100', { k: 'json', path: ['price'], cmp: '>', value: 100 }],
    ['$.a.b[0] != null', { k: 'json', path: ['a', 'b', 0], cmp: '!=', value: null }],
    ['$["odd key"] == true', { k: 'json', path: ['odd key'], cmp: '==', value: true }],
    ['$.n <= -1.5e3', { k: 'json', path: ['n'], cmp: '<=', value: -1500 }],
    ['$.user.name ~ /^bo/i', { k: 'json', path: ['user', 'name'], cmp: '~', source: '^bo', flags: 'i' }],
    ['exists($.error)', { k: 'json', path: ['error'], cmp: 'exists' }],
    ['-dir:sent', { k: 'not', of: { k: 'dir', dir: 'sent' } }],
    ['--a', { k: 'not', of: { k: 'not', of: { k: 'text', s: 'a' } } }],
    ['a b', { k: 'and', of: [{ k: 'text', s: 'a' }, { k: 'text', s: 'b' }] }],
    ['a OR b', { k: 'or', of: [{ k: 'text', s: 'a' }, { k: 'text', s: 'b' }] }],
    // AND binds tighter than OR; nested groups of the same kind are flattened.
    ['a b OR c', { k: 'or', of: [{ k: 'and', of: [{ k: 'text', s: 'a' }, { k: 'text', s: 'b' }] }, { k: 'text', s: 'c' }] }],
    ['(a b) c', { k: 'and', of: [{ k: 'text', s: 'a' }, { k: 'text', s: 'b' }, { k: 'text', s: 'c' }] }],
    ['a OR (b OR c)', { k: 'or', of: [{ k: 'text', s: 'a' }, { k: 'text', s: 'b' }, { k: 'text', s: 'c' }] }],
    ['dir:sent -(a OR b)', { k: 'and', of: [{ k: 'dir', dir: 'sent' }, { k: 'not', of: { k: 'or', of: [{ k: 'text', s: 'a' }, { k: 'text', s: 'b' }] } }] }],
  ])('compiles %s', (q, tree) => {
    expect(compilePageMatch(q)).toEqual(tree);
  });

  it.each<[string, RegExp, number]>([
    // Terms the page cannot answer: refused by name, at the term.
    ['a time:5s..10s', /^time: cannot be used in a rule: the page matches each frame as it passes/, 2],
    ['time>5s', /^time cannot be used in a rule/, 0],
    ['proto:mqtt', /^proto: cannot be used in a rule: decoders run in the panel/, 0],
    ['x event:chat', /^event: cannot be used in a rule/, 2],
    ['method:subscribe', /^method: cannot be used in a rule/, 0],
    ['topic:prices/#', /^topic: cannot be used in a rule/, 0],
    ['dest:/topic/x', /^dest: cannot be used in a rule/, 0],
    ['unanswered', /^unanswered cannot be used in a rule: .*before any answer/, 0],
    ['-UNANSWERED', /^unanswered cannot be used in a rule/, 1],
    ['unanswered>5s', /^unanswered cannot be used in a rule/, 0],
    ['dir:sent latency>200ms', /^latency cannot be used in a rule/, 9],
    ['pair:request', /^pair: cannot be used in a rule/, 0],
    ['(a OR exchange:getUser)', /^exchange: cannot be used in a rule/, 6],
    // Values a rule cannot use.
    ['conn:3', /^conn:3 cannot be used in a rule: .*use a fragment of the socket's URL/, 5],
    ['conn:#12', /^conn:#12 cannot be used in a rule/, 5],
    ['conn:', /conn: takes part of the socket's URL/, 5],
    ['op:close', /^op:close cannot be used in a rule: rules act on text and binary messages only/, 3],
    ['op:ping', /^op:ping cannot be used in a rule/, 3],
    ['op:nope', /op: takes text or binary in a rule/, 3],
    ['foo:bar', /Unknown field "foo": a rule can use dir, conn, op and size/, 0],
    ['$.a == /x/', /== compares with a value: use ~/, 0],
    // The panel's own errors, at the same places.
    ['dir:up', /dir: takes sent or received/, 4],
    ['size>lots', /size needs a number of bytes/, 5],
    ['size>1g', /Unknown size unit "g"/, 5],
    ['/(a+)+$/', /repeats a group that itself repeats/, 1],
    ['/(/', /Invalid regular expression/, 0],
    ['$.n ~ /(a|a)*/', /alternatives can start with the same character/, 7],
    ['$.price > "x"', /> compares numbers/, 0],
    ['$.name ~ "bob"', /~ takes a regular expression/, 0],
    ['$.type == trade', /Quote text values/, 10],
    ['$.a[x] == 1', /\[ \] takes an index or a quoted key/, 3],
    ['$.type', /needs a comparison/, 0],
    ['exists(type)', /exists\(\) takes a JSON path/, 7],
    ['"open', /Unclosed quote/, 0],
    ['(a OR b', /Unclosed \(/, 0],
    ['a)', /Unmatched \)/, 1],
    ['a OR', /OR needs a term on both sides/, 2],
    ['-)', /- needs a term to negate/, 0],
  ])('refuses %s', (q, message, position) => {
    const err = pageError(q);
    expect(err.message).toMatch(message);
    expect(err.position).toBe(position);
  });

  it('never throws anything but QueryError, and accepts only queries the panel accepts', () => {
    const piece = fc.constantFrom('a', ' ', '(', ')', '-', 'OR', '"', '/', '$.', '$[', ']', '==', '>', '~', 'dir:', 'sent', 'conn:', '3', 'op:', 'size>', '1k', 'time:', 'exists(', 'x');
    const input = fc.oneof(fc.string({ maxLength: 40 }), fc.array(piece, { maxLength: 12 }).map((p) => p.join('')));
    fc.assert(
      fc.property(input, (s) => {
        try {
          compilePageMatch(s);
        } catch (e) {
          return e instanceof QueryError && e.position >= 0 && e.position <= s.length;
        }
        expect(() => parseQuery(s)).not.toThrow();
        return true;
      }),
      { numRuns: 3000 },
    );
  });
});

/** What the page is to do with a tree (types.ts), written plainly: here, to check it against the panel's filter. */
function evalPage(m: PageMatch, f: Frame, c: Connection | undefined): boolean {
  const text = f.text !== undefined ? f.text : previewOf(f);
  let json: unknown = MISSING;
  if (f.text !== undefined && f.opcode === 1) {
    try {
      json = JSON.parse(f.text);
    } catch {
      /* not JSON: no value at any path */
    }
  }
  switch (m.k) {
    case 'all':
      return true;
    case 'and':
      return m.of.every((x) => evalPage(x, f, c));
    case 'or':
      return m.of.some((x) => evalPage(x, f, c));
    case 'not':
      return !evalPage(m.of, f, c);
    case 'dir':
      return f.dir === m.dir;
    case 'url':
      return !!c && c.url.toLowerCase().includes(m.frag);
    case 'text':
      return text.toLowerCase().includes(m.s);
    case 're':
      return new RegExp(m.source, m.flags).test(text);
    case 'op':
      return f.opcode === (m.op === 'text' ? 1 : 2);
    case 'size': {
      const n = m.n;
      return { '==': f.size === n, '!=': f.size !== n, '<': f.size < n, '<=': f.size <= n, '>': f.size > n, '>=': f.size >= n }[m.cmp];
    }
    case 'json': {
      const v = json === MISSING ? MISSING : resolve(json, m.path);
      switch (m.cmp) {
        case 'exists':
          return v !== MISSING;
        case '~':
          return (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && new RegExp(m.source!, m.flags).test(String(v));
        case '==':
          return v !== MISSING && v === m.value;
        case '!=':
          return v === MISSING || v !== m.value;
        default:
          return typeof v === 'number' && evalPage({ k: 'size', cmp: m.cmp, n: m.value as number }, { ...f, size: v }, c);
      }
    }
  }
}

describe('page match semantics', () => {
  const term = fc.constantFrom(
    'hello', '"LO WO"', 'dir:sent', 'op:binary', 'op:text', 'size>100', 'size:4', '$.type == "trade"', '$.price > 100',
    '$.user.name ~ /^bo/i', '$.error != 1', 'exists($.error)', 'conn:chat', '/wor/i', 'de', '/^[{]/',
  );
  const q: fc.Arbitrary<string> = fc.letrec<{ q: string }>((tie) => ({
    q: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      term,
      tie('q').map((x) => `-(${x})`),
      fc.tuple(tie('q'), tie('q')).map(([a, b]) => `(${a}) (${b})`),
      fc.tuple(tie('q'), tie('q')).map(([a, b]) => `(${a}) OR (${b})`),
    ),
  })).q;

  it('matches the frames the panel filter matches with the same query', () => {
    // The error frame (opcode -1) is left out: the page sees only messages.
    const messages = frames.filter((f) => f.opcode === 1 || f.opcode === 2);
    fc.assert(
      fc.property(q, (s) => {
        const m = compilePageMatch(s);
        const pred = parseQuery(s).predicate!;
        for (const f of messages) expect([s, evalPage(m, f, conns.get(f.conn))]).toEqual([s, pred(f, conns.get(f.conn), ctx)]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('ruleDirection', () => {
  it.each([
    ['', 'both'],
    ['hello', 'both'],
    ['dir:sent', 'sent'],
    ['dir:received $.a == 1', 'received'],
    ['(dir:sent a) OR (dir:sent b)', 'sent'],
    ['dir:sent OR a', 'both'],
    ['dir:sent OR dir:received', 'both'],
    ['-dir:received', 'sent'],
    ['-dir:sent x', 'received'],
    ['-(dir:sent OR x)', 'received'],
    ['-(dir:sent x)', 'both'],
    ['dir:sent dir:received', 'both'],
  ])('%s → %s', (q, dir) => {
    expect(ruleDirection(compilePageMatch(q))).toBe(dir);
  });

  it('tells a match no direction can satisfy', () => {
    const never = compilePageMatch('dir:sent dir:received');
    expect([canMatchDir(never, 'sent'), canMatchDir(never, 'received')]).toEqual([false, false]);
    const sent = compilePageMatch('-dir:received hello');
    expect([canMatchDir(sent, 'sent'), canMatchDir(sent, 'received')]).toEqual([true, false]);
  });
});
