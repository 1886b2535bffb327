// The message protocol's guards for manual intercept: a decision, a held list and their Firefox relays are taken only
// in their own shapes (a page or a stale context could post anything).
import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, isContentToRouter, isHostToPanel, isHostToRouter, isPanelToHost, isRouterToContent } from '../../src/protocol';
import { checkHookHeld } from '../../src/capture/firefox/hook-protocol';

const v = PROTOCOL_VERSION;

describe('protocol: manual intercept', () => {
  it('takes a release with a decision it can act on, and nothing else', () => {
    expect(isPanelToHost({ v, type: 'release', key: 'k', decision: { forward: true } })).toBe(true);
    expect(isPanelToHost({ v, type: 'release', key: 'k', decision: { forward: true, payload: { text: 'x' } } })).toBe(true);
    expect(isPanelToHost({ v, type: 'release', key: 'k', decision: { forward: false } })).toBe(true);
    expect(isPanelToHost({ v, type: 'release-all' })).toBe(true);
    expect(isPanelToHost({ v, type: 'release', key: 'k', decision: { forward: 'yes' } })).toBe(false);
    expect(isPanelToHost({ v, type: 'release', key: 'k', decision: { forward: true, payload: { html: '<b>' } } })).toBe(false);
    expect(isPanelToHost({ v, type: 'release', decision: { forward: true } })).toBe(false);
    expect(isPanelToHost({ v: v - 1, type: 'release-all' })).toBe(false);
    expect(isHostToPanel({ v, type: 'held', held: [], overflow: 0 })).toBe(true);
    expect(isHostToPanel({ v, type: 'held', held: 'none', overflow: 0 })).toBe(false);
  });

  it('Firefox: the relays carry held lists and releases in their shapes only', () => {
    expect(isContentToRouter({ type: 'held', doc: 'd', held: [], overflow: 0, bad: 0 })).toBe(true);
    expect(isContentToRouter({ type: 'held', doc: 'd', held: [], overflow: -1, bad: 0 })).toBe(false);
    expect(isHostToRouter({ type: 'release', frameId: 0, doc: 'd', id: 3, decision: { forward: false } })).toBe(true);
    expect(isHostToRouter({ type: 'release', frameId: 0, doc: 'd', id: 3, decision: {} })).toBe(false);
    expect(isRouterToContent({ type: 'release', doc: 'd', id: 3, decision: { forward: true } })).toBe(true);
    expect(isRouterToContent({ type: 'release', doc: 'd', id: -3, decision: { forward: true } })).toBe(false);
  });

  it('the relay keeps held entries of the right shape with their payload, counts the rest', () => {
    const ok = { id: 1, rule: 'r', dir: 'received', url: 'ws://a/', created: null, t: 1, due: 2, original: { text: 'hi' } };
    const out = checkHookHeld({ k: 'held', held: [ok, { ...ok, original: undefined }, { ...ok, due: 'soon' }], overflow: 4 });
    expect(out).toEqual({ held: [{ ...ok, key: '' }], overflow: 4, bad: 2 });
    expect(checkHookHeld({ k: 'held', held: new Array(1001).fill(ok), overflow: 0 })).toBeNull();
  });
});
