import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { namesReader } from '../../../../src/model/query/raw-json';
import { jsonrpcDecoder as d } from '../../../../src/model/decode/jsonrpc';
import { DECODE_LIMIT } from '../../../../src/model/decode/types';
import { checkHostile, ctx, expectWellFormed, fixtureFrames, text } from './rpc-support';

const frames = fixtureFrames('jsonrpc');
const decode = (t: string) => d.decode(text(t), ctx());

describe('JSON-RPC decoder', () => {
  it('decodes the recorded session (ws server and client)', () => {
    const out = frames.map((f) => d.decode(f, ctx()));
    for (const o of out) expectWellFormed(o, 'jsonrpc');
    expect(out.map((o) => o.messages.map((m) => m.summary))).toEqual([
      ['→ subscribe #7'],
      ['← #7 result'],
      ['notify update'],
      ['→ add #a-8'],
      ['← #a-8 result'],
      ['→ nope #9'],
      ['← #9 error -32601 Method not found'],
      ['notify log'],
      ['→ add #10', 'notify log', '→ missing #11'],
      ['← #10 result', '← #11 error -32601 Method not found'],
      [],
      ['← error -32700 Parse error'],
    ]);
    expect(out[10].error).toMatch(/^not JSON/);
    const sub = out[0].messages[0];
    expect(sub).toMatchObject({ kind: 'request', names: { method: 'subscribe' }, id: 7 });
    expect(sub.value).toEqual({ jsonrpc: '2.0', id: 7, method: 'subscribe', params: ['prices'] });
    expect(out[1].messages[0]).toMatchObject({ kind: 'result', id: 7, value: { result: { subscription: 'sub-prices' } } });
    expect(out[2].messages[0]).toMatchObject({ kind: 'notification', names: { method: 'update' } });
    expect(out[2].messages[0].id).toBeUndefined();
    expect(out[6].messages[0]).toMatchObject({ kind: 'error', id: 9 });
    expect(out[11].messages[0].id).toBeUndefined();
  });

  it('reports what is not JSON-RPC, keeping the good elements of a batch', () => {
    expect(decode('{"jsonrpc":"2.0"}')).toMatchObject({ messages: [], error: expect.stringMatching(/no method/) });
    expect(decode('[]')).toMatchObject({ messages: [], error: 'an empty batch' });
    const b = decode('[{"jsonrpc":"2.0","id":1,"result":true},5,{"jsonrpc":"2.0","method":"x"}]');
    expect(b.messages.map((m) => m.summary)).toEqual(['← #1 result', 'notify x']);
    expect(b.error).toBe('batch element 1 is not a JSON-RPC message');
    expect(decode('42').error).toMatch(/not a JSON-RPC message/);
    expect(decode('{"jsonrpc":"2.0","id":{"toString":1},"method":"m"}').messages[0].summary).toBe('→ m #{"toString":…');
  });

  it('keeps summaries on one short line', () => {
    const m = decode(JSON.stringify({ jsonrpc: '2.0', id: 'x'.repeat(100), method: 'a\nb'.repeat(50) })).messages[0];
    expect(m.summary.length).toBeLessThan(100);
    expect(m.summary).not.toMatch(/\n/);
    expect(m.names?.method).toBe('a\nb'.repeat(50));
  });

  it('reads the head of a frame past DECODE_LIMIT', () => {
    const big = 'x'.repeat(DECODE_LIMIT * 2);
    const req = decode(`{"jsonrpc":"2.0","id":12,"method":"upload","params":["${big}"]}`);
    expect(req.truncated).toMatch(/first 1048576 of/);
    expect(req.messages).toHaveLength(1);
    expect(req.messages[0]).toMatchObject({ summary: '→ upload #12', names: { method: 'upload' }, id: 12 });
    const late = decode(`{"jsonrpc":"2.0","method":"upload","params":["${big}"],"id":3}`);
    expect(late.messages[0]).toMatchObject({ kind: 'request', summary: '→ upload' });
    const res = decode(`{"jsonrpc":"2.0","id":4,"result":{"blob":"${big}"}}`);
    expect(res.messages[0]).toMatchObject({ summary: '← #4 result', id: 4 });
    const batch = decode(`[{"jsonrpc":"2.0","id":1,"method":"a"},{"jsonrpc":"2.0","id":2,"method":"b","params":["${big}"]}]`);
    expect(batch.messages.map((m) => m.summary)).toEqual(['→ a #1', '→ b #2']);
    expect(batch.truncated).toBeDefined();
  });

  it('rebuilds the head of a cut frame without reaching a prototype', () => {
    const big = 'x'.repeat(DECODE_LIMIT);
    const m = decode(`{"__proto__":{"polluted":1},"constructor":{"prototype":2},"jsonrpc":"2.0","id":1,"method":"m","params":["${big}"]}`);
    expect(m.messages[0]).toMatchObject({ summary: '→ m #1' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(m.messages[0].value)).toBe(Object.prototype);
    expect((m.messages[0].value as any).constructor).toEqual({ prototype: 2 });
  });

  it('bounds a batch of many tiny elements', () => {
    const b = decode(JSON.stringify(Array.from({ length: 5000 }, (_, i) => ({ jsonrpc: '2.0', method: 'n', id: i }))));
    expect(b.messages).toHaveLength(1000);
    expect(b.truncated).toBe('the first 1000 of 5000 batch elements');
  });

  it('sniffs "jsonrpc":"2.0" near the start of an object or a batch', () => {
    expect(d.sniff!(frames[0], '')).toBe(true);
    expect(d.sniff!(frames[8], '')).toBe(true);
    expect(d.sniff!(text('  [ {"id":1, "jsonrpc": "2.0", "result": 1}]'), '')).toBe(true);
    expect(d.sniff!(text('{"type":"connection_init"}'), '')).toBe(false);
    expect(d.sniff!(text('{"jsonrpc":"1.0","id":1}'), '')).toBe(false);
    expect(d.sniff!(text('{"params":{"jsonrpc":"2.0"},"id":1}'), '')).toBe(false);
    expect(d.sniff!(text('hello'), '')).toBe(false);
    expect(d.sniff!(text('[1,"realm1",{}]'), '')).toBe(false);
    expect(d.sniff!(text(`{"params":"${'x'.repeat(600)}","jsonrpc":"2.0"}`), '')).toBeUndefined();
  });

  it('survives hostile input', () => {
    checkHostile(d, frames);
  });
});

describe('JSON-RPC quickName (a query reads method names without decoding)', () => {
  const decodedName = (t: string) => decode(t).messages.find((m) => m.names?.method !== undefined)?.names?.method ?? null;
  const agrees = (t: string) => {
    const q = d.quickName!(text(t), 'method', namesReader());
    if (q !== undefined) expect(q, t).toBe(decodedName(t));
  };

  it('reads the method of requests and notifications; results, errors and non-JSON name none; batches are decoded', () => {
    const raw = namesReader();
    const quick = (t: string) => d.quickName!(text(t), 'method', raw);
    expect(quick('{"jsonrpc":"2.0","id":1,"method":"eth_call","params":[]}')).toBe('eth_call');
    expect(quick(' {"jsonrpc":"2.0","method":"log"}')).toBe('log');
    expect(quick('{"jsonrpc":"2.0","id":1,"result":{"method":"inner"}}')).toBeNull();
    expect(quick('{"jsonrpc":"2.0","method":"eth_call"')).toBeNull(); // not JSON
    expect(quick('{"jsonrpc":"2.0","method":7}')).toBeNull();
    expect(quick('{"method":"a","method":"b"}')).toBe('b'); // the last of duplicates, as JSON.parse
    expect(quick('[{"jsonrpc":"2.0","method":"a"}]')).toBeUndefined();
    expect(quick('{"method":"e\\u0073c"}')).toBeUndefined(); // an escape: decoded instead
    expect(d.quickName!(text('{"method":"a"}'), 'event', raw)).toBeNull();
  });

  it('agrees with decode on generated messages, random texts and mutated requests', () => {
    const json = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<unknown>;
    fc.assert(
      fc.property(fc.record({ jsonrpc: fc.constant('2.0'), id: fc.option(fc.oneof(fc.integer(), fc.string()), { nil: undefined }), method: fc.oneof(fc.string(), fc.integer()), params: json }, { requiredKeys: ['jsonrpc'] }), (o) => agrees(JSON.stringify(o))),
      { numRuns: 500 },
    );
    const alphabet = fc.constantFrom(...'{}[]":,\\ methodab12'.split(''));
    fc.assert(fc.property(fc.string({ unit: alphabet, maxLength: 40 }), agrees), { numRuns: 2000 });
    const request = '{"jsonrpc":"2.0","id":12,"method":"eth_getBalance","params":["0xab",{"method":"x"}]}';
    fc.assert(
      fc.property(fc.nat(request.length), fc.constantFrom(...'{}[]",:\\ x'.split('')), (at, c) => {
        agrees(request.slice(0, at) + c + request.slice(at + 1));
        agrees(request.slice(0, at));
      }),
      { numRuns: 2000 },
    );
  });
});
