import fc from 'fast-check';
import { parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { graphqlWsDecoder as d } from '../../../../src/model/decode/graphqlws';
import { DECODE_LIMIT } from '../../../../src/model/decode/types';
import { checkHostile, ctx, expectWellFormed, fixtureFrames, text } from './rpc-support';

const frames = fixtureFrames('graphql');
const legacy = fixtureFrames('graphql-legacy');
const decode = (t: string) => d.decode(text(t), ctx('graphql-transport-ws'));
const subscribe = (query: string, extra: object = {}) =>
  decode(JSON.stringify({ id: '9', type: 'subscribe', payload: { query, ...extra } })).messages[0];

describe('GraphQL over WebSocket decoder', () => {
  it('decodes frames made by graphql-ws (graphql-transport-ws)', () => {
    const out = frames.map((f) => d.decode(f, ctx('graphql-transport-ws')));
    for (const o of out) {
      expectWellFormed(o, 'graphql');
      expect(o.error).toBeUndefined();
      expect(o.messages).toHaveLength(1);
    }
    const summaries = out.map((o) => o.messages[0].summary);
    expect(summaries.slice(0, 10)).toEqual([
      'connection_init',
      'connection_ack',
      'subscribe #1 Hello',
      'next #1 {"hello":"Hello, Ada!"}',
      'complete #1',
      'subscribe #2 OnPrice',
      'next #2 {"onPrice":{"symbol":"BTC","price":100}}',
      'next #2 {"onPrice":{"symbol":"BTC","price":101}}',
      'next #2 {"onPrice":{"symbol":"BTC","price":102}}',
      'complete #2',
    ]);
    expect(summaries).toContain('ping');
    expect(summaries).toContain('pong');
    expect(summaries).toContain('subscribe #3 query { hello }');
    expect(summaries).toContain('error #4 Cannot query field "nope" on type "Query".');
    expect(summaries).toContain('subscribe #5 subscription { ticks }');
    expect(summaries).toContain('complete #5');

    const hello = out[2].messages[0];
    expect(hello).toMatchObject({ kind: 'subscribe', id: '1', names: { method: 'Hello' } });
    expect(hello.value).toEqual({
      id: '1',
      type: 'subscribe',
      payload: { query: 'query Hello($name: String!) {\n  hello(name: $name)\n}', operationName: 'Hello', variables: { name: 'Ada' } },
    });
    // The name parsed from the query when the client sends no operationName.
    expect(out[5].messages[0]).toMatchObject({ names: { method: 'OnPrice' }, id: '2' });
    expect((out[5].messages[0].value as any).payload.query).toBe(
      'subscription OnPrice($symbol: String!) {\n  onPrice(symbol: $symbol) {\n    symbol\n    price\n  }\n}',
    );
    expect(out[6].messages[0]).toMatchObject({ kind: 'next', id: '2' });
    expect(out[6].messages[0].names).toBeUndefined();
  });

  it('decodes the legacy graphql-ws protocol (subscriptions-transport-ws)', () => {
    const out = legacy.map((f) => d.decode(f, ctx('graphql-ws')));
    for (const o of out) expectWellFormed(o, 'graphql');
    expect(out.map((o) => o.messages[0].summary)).toEqual([
      'connection_init',
      'connection_ack',
      'ka',
      'start #1 OnComment',
      'data #1 {"commentAdded":{"id":1,"content":"hi"}}',
      'ka',
      'stop #1',
      'complete #1',
      'start #2 query { nope }',
      'data #2 errors: Cannot query field "nope" on type "Query".',
      'complete #2',
      'start #3 subscription { broken }',
      'error #3 Subscription field must return Async Iterable.',
      'connection_terminate',
      'connection_init',
      'connection_error Unauthorized',
    ]);
    expect(out[3].messages[0]).toMatchObject({ kind: 'start', names: { method: 'OnComment' }, id: '1' });
  });

  it('pretty-prints queries into documents equal to what was sent', () => {
    const queries = [
      'query Q($a: Int = 5, $b: [String!]!) @live { x: field(a: $a, b: $b, o: {k: 1, l: [1, 2], m: {n: "s"}}) @include(if: true) { id ...F ... on User @skip(if: false) { name } ... @defer { late } } other }\nfragment F on T { id }',
      'mutation { add(input: {title: """block\n "quoted" \\""" end""", n: -1.5e3}) { ok } }',
      '{ a b c }',
      '# a comment\nsubscription S { s @client t }',
      'query { on { on } }',
      '{a,b,c}',
    ];
    for (const q of queries) {
      const m = subscribe(q);
      const pretty = (m.value as any).payload.query as string;
      expect(print(parse(pretty))).toBe(print(parse(q)));
    }
    expect((subscribe('{ a { b c } d }').value as any).payload.query).toBe('{\n  a {\n    b\n    c\n  }\n  d\n}');
    expect((subscribe('query A { a } query B { b }').value as any).payload.query).toBe('query A {\n  a\n}\n\nquery B {\n  b\n}');
  });

  it('pretty-prints random documents into equal ones, and never throws on random query text', () => {
    const name = fc.constantFrom('a', 'b', 'on', 'query', 'fragment', 'x_1');
    const sep = fc.constantFrom(' ', '\n', ', ', ',', '\t', ' # c\n');
    const value = fc.oneof(
      fc.integer().map(String),
      fc.constantFrom('"s"', '$v', 'true', 'null', 'ENUM', '[1, 2]', '{k: "v", l: [{m: 1}]}', '"""b\n"""'),
    );
    const args = fc.array(fc.tuple(name, value), { maxLength: 3 }).map((as) =>
      as.length ? `(${as.map(([k, v]) => `${k}: ${v}`).join(' ')})` : '',
    );
    const directive = fc.option(fc.tuple(name, args).map(([n, a]) => ` @${n}${a}`), { nil: '' });
    const { sel } = fc.letrec<{ sel: string }>((tie) => ({
      sel: fc
        .array(
          fc.oneof(
            { depthSize: 'small' },
            fc.tuple(fc.option(name, { nil: undefined }), name, args, directive).map(([al, n, a, dir]) => `${al ? `${al}: ` : ''}${n}${a}${dir}`),
            fc.tuple(name, args, directive, tie('sel')).map(([n, a, dir, s]) => `${n}${a}${dir} ${s}`),
            fc.tuple(name, directive).map(([n, dir]) => `...${n === 'on' ? 'F' : n}${dir}`),
            fc.tuple(name, tie('sel')).map(([n, s]) => `... on ${n} ${s}`),
          ),
          { minLength: 1, maxLength: 4 },
        )
        .chain((items) => fc.array(sep, { minLength: items.length, maxLength: items.length }).map((seps) => `{${items.map((it, i) => seps[i] + it).join('')} }`)),
    }));
    const doc = fc.tuple(fc.constantFrom('', 'query Q ', 'subscription S($v: Int = 1) ', 'mutation M @d '), sel).map(([h, s]) => h + s);
    fc.assert(
      fc.property(doc, (q) => {
        const pretty = (subscribe(q).value as any).payload.query as string;
        expect(print(parse(pretty))).toBe(print(parse(q)));
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (q) => {
        expectWellFormed(decode(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: q } })), 'graphql');
      }),
      { numRuns: 300 },
    );
  });

  it('finds the operation after fragments, and keeps unlexable or long queries as sent', () => {
    expect(subscribe('fragment F on T { id } query Named { ...F }').names).toEqual({ method: 'Named' });
    expect(subscribe('query { a }', { operationName: 'Given' }).summary).toBe('subscribe #9 Given');
    const odd = 'query Odd { a ~ b }';
    expect((subscribe(odd).value as any).payload.query).toBe(odd);
    const long = `query Long { ${'f '.repeat(40_000)}}`;
    const m = subscribe(long);
    expect((m.value as any).payload.query).toBe(long);
    expect(m.summary).toBe('subscribe #9');
  });

  it('reads the head of a frame past DECODE_LIMIT', () => {
    const big = 'x'.repeat(DECODE_LIMIT + 10);
    const sub = decode(`{"id":"4","type":"subscribe","payload":{"operationName":"Up","query":"mutation Up($f: String) { up(f: $f) }","variables":{"f":"${big}"}}}`);
    expect(sub.truncated).toBeDefined();
    expect(sub.messages[0]).toMatchObject({ summary: 'subscribe #4 Up', names: { method: 'Up' }, id: '4' });
    const next = decode(`{"id":"5","type":"next","payload":{"data":{"blob":"${big}"}}}`);
    expect(next.messages[0]).toMatchObject({ kind: 'next', id: '5' });
    expect(next.messages[0].summary).toMatch(/^next #5/);
  });

  it('reports frames that are not this protocol', () => {
    expect(decode('{"id":1}').error).toMatch(/no "type"/);
    expect(decode('nope').error).toMatch(/^not JSON/);
  });

  it('sniffs its own opening frames and leaves shared types undecided', () => {
    expect(d.sniff!(frames[0], '')).toBe(true);
    expect(d.sniff!(frames[1], '')).toBe(true);
    expect(d.sniff!(frames[2], '')).toBe(true);
    expect(d.sniff!(frames[3], '')).toBe(true);
    expect(d.sniff!(legacy[2], '')).toBe(true);
    expect(d.sniff!(text('{"type":"ping"}'), '')).toBeUndefined();
    expect(d.sniff!(text('{"type":"complete","id":"1"}'), '')).toBeUndefined();
    expect(d.sniff!(text('{"type":"welcome"}'), '')).toBe(false);
    expect(d.sniff!(text('{"type":1,"target":"x","arguments":[]}\x1e'), '')).toBe(false);
    expect(d.sniff!(text('{"jsonrpc":"2.0","id":1,"result":1}'), '')).toBe(false);
    expect(d.sniff!(text('42["chat"]'), '')).toBe(false);
  });

  it('survives hostile input', () => {
    checkHostile(d, [...frames, ...legacy]);
  });
});
