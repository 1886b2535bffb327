// The host's list of held frames across contexts: each listing replaces its scope, payloads kept once, bad entries
// counted, keys located.
import { describe, expect, it } from 'vitest';
import { HeldBook } from '../../../src/capture/held-book';

const entry = (id: number, t: number, original?: unknown) => ({ id, rule: 'r', dir: 'sent', url: 'ws://a/x', created: null, t, due: t + 1000, original });

describe('HeldBook', () => {
  it('merges listings per scope, keeps a payload sent once, and drops what a scope no longer lists', () => {
    const b = new HeldBook();
    expect(b.set('s1', [{ ctx: 'c1', raw: entry(1, 10, { text: 'a' }) }, { ctx: 'c1', raw: entry(2, 30, { b64: 'AQI=' }) }])).toBe(true);
    expect(b.set('s2', [{ ctx: 'c1', raw: entry(1, 20, { text: 'b' }) }])).toBe(true);
    expect(b.list().map((h) => [h.key, h.original])).toEqual([
      ['s1|c1#1', { text: 'a' }],
      ['s2|c1#1', { text: 'b' }],
      ['s1|c1#2', { b64: 'AQI=' }],
    ]);
    expect(b.seen('s1')).toEqual({ c1: 2 });
    // Listed again without payloads: nothing changes.
    const rev = b.revision;
    expect(b.set('s1', [{ ctx: 'c1', raw: entry(1, 10) }, { ctx: 'c1', raw: entry(2, 30) }])).toBe(false);
    expect(b.revision).toBe(rev);
    expect(b.list()[0].original).toEqual({ text: 'a' });
    // Frame 1 went on.
    expect(b.set('s1', [{ ctx: 'c1', raw: entry(2, 30) }])).toBe(true);
    expect(b.locate('s1|c1#1')).toBeUndefined();
    expect(b.locate('s1|c1#2')).toEqual({ scope: 's1', ctx: 'c1', id: 2 });
    expect(b.drop('s2')).toBe(true);
    expect(b.size).toBe(1);
  });

  it('counts entries of a wrong shape and never lists them', () => {
    const b = new HeldBook();
    b.set('s', [
      { ctx: 'c', raw: { ...entry(1, 1, { text: 'ok' }) } },
      { ctx: 'c', raw: { ...entry(2, 1, { text: 'x' }), dir: 'sideways' } },
      { ctx: 'c', raw: { ...entry(3, 1, { b64: '<script>' }) } },
      { ctx: 'c', raw: 'nonsense' },
    ]);
    expect(b.bad).toBe(3);
    expect(b.list().map((h) => h.key)).toEqual(['s|c#1']);
  });

  it('tells the panel only what changed: the list and the overflow summed over scopes', () => {
    const b = new HeldBook();
    expect(b.news()).toBeNull();
    b.set('s1', [{ ctx: 'c', raw: entry(1, 1, { text: 'a' }) }], 2);
    b.set('s2', [], 3);
    expect(b.news()).toEqual({ held: [expect.objectContaining({ key: 's1|c#1' })], overflow: 5 });
    expect(b.news()).toBeNull();
    expect(b.news(true)?.overflow).toBe(5);
    b.drop('s2');
    expect(b.news()?.overflow).toBe(2);
  });
});
