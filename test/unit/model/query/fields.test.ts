// Field terms: conn:<url fragment> is answered once per connection snapshot.
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../../../src/model/query';
import type { Connection } from '../../../../src/model/types';
import { ctx, text } from './fixtures';

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
});
