// Pairing rules kept per origin: the origin of a socket URL, what is stored checked, the lookup pairSource asks.
import { describe, expect, it } from 'vitest';
import { originOf, ruleLookup, validRule, validRules, withRule } from '../../../../src/model/pairs/rules';
import { PAIR_ROLE as R } from '../../../../src/model/pairs/types';

describe('pair rules', () => {
  it('originOf: scheme, host and port of a socket URL; empty for what has none', () => {
    expect(originOf('wss://api.example.com:8443/rpc?token=1')).toBe('wss://api.example.com:8443');
    expect(originOf('ws://localhost:8080/')).toBe('ws://localhost:8080');
    expect(originOf('wss://api.example.com:443/x')).toBe('wss://api.example.com'); // the default port is left out
    expect(originOf('WSS://API.Example.com/x')).toBe('wss://api.example.com');
    expect(originOf('not a url')).toBe('');
    expect(originOf('')).toBe('');
    expect(originOf('about:blank')).toBe(''); // an opaque origin
  });

  it('validRule keeps well-formed rules whose paths compile', () => {
    expect(validRule({ requestId: '$.id', answerId: '$.re', method: '$.op', requestDir: 'received', extra: 1 })).toEqual({
      requestId: '$.id',
      answerId: '$.re',
      method: '$.op',
      requestDir: 'received',
    });
    expect(validRule({ requestId: '$.id', answerId: '$.id', method: '' })).toEqual({ requestId: '$.id', answerId: '$.id' });
    for (const bad of [null, 'x', [], { requestId: '$.id' }, { requestId: 1, answerId: '$.a' }, { requestId: '$.id', answerId: '$.a', method: 3 }, { requestId: '$.id', answerId: '$.a', requestDir: 'up' }, { requestId: 'id', answerId: '$.a' }]) {
      expect(validRule(bad)).toBeNull();
    }
  });

  it('validRules drops malformed entries and anything not an object of rules', () => {
    const ok = { requestId: '$.id', answerId: '$.id' };
    expect(validRules({ 'wss://a': ok, 'wss://b': { requestId: '$[' }, '': ok, 'wss://c': 'no' })).toEqual({ 'wss://a': ok });
    expect(validRules(undefined)).toEqual({});
    expect(validRules([ok])).toEqual({});
  });

  it('withRule sets or drops an origin’s rule in a new object', () => {
    const a = { requestId: '$.a', answerId: '$.a' };
    const all = { 'wss://x': a };
    const b = { requestId: '$.b', answerId: '$.c' };
    expect(withRule(all, 'wss://y', b)).toEqual({ 'wss://x': a, 'wss://y': b });
    expect(withRule(all, 'wss://x', null)).toEqual({});
    expect(all).toEqual({ 'wss://x': a });
  });

  it('ruleLookup gives the compiled rule of a URL’s origin', () => {
    const look = ruleLookup({ 'wss://x.example': { requestId: '$.reqId', answerId: '$.replyTo', method: '$.op' } });
    const rule = look('wss://x.example/a?b=1')!;
    expect(rule.keys({ id: 1, conn: 1, dir: 'sent', opcode: 1, ts: 0, size: 0, text: '{"op":"buy","reqId":7}' })).toEqual([{ role: R.request, key: '7', name: 'buy' }]);
    expect(look('wss://x.example/other')).toBe(rule); // compiled once per origin
    expect(look('wss://y.example/a')).toBeUndefined();
    expect(look('garbage')).toBeUndefined();
    expect(ruleLookup({ 'wss://x.example': { requestId: 'bad', answerId: '$.a' } })('wss://x.example/')).toBeUndefined();
    expect(ruleLookup({})('wss://constructor/')).toBeUndefined();
  });
});
