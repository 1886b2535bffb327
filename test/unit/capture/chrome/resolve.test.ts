import { describe, expect, it } from 'vitest';
import { candidateUrls, matchCloses } from '../../../../src/capture/chrome/resolve';
import type { Connection } from '../../../../src/model/types';

const c = (id: number, url: string, state: Connection['state'], extra: Partial<Connection> = {}): Connection => ({
  id,
  url,
  state,
  openedBeforeCapture: false,
  target: { type: 'page' },
  ...extra,
});

describe('resolving what CDP does not say', () => {
  it('candidate URLs are live sockets not accounted for by announced open connections', () => {
    const live = [
      { url: 'ws://a/chat', readyState: 1 },
      { url: 'ws://a/ticker', readyState: 1 },
      { url: 'ws://a/ticker', readyState: 1 },
      { url: 'ws://a/old', readyState: 3 },
    ];
    const conns = [c(1, 'ws://a/ticker', 'open'), c(2, '', 'open', { openedBeforeCapture: true })];
    expect(candidateUrls(live, conns).sort()).toEqual(['ws://a/chat', 'ws://a/ticker']);
    expect(candidateUrls(live, [...conns, c(3, 'ws://a/ticker', 'open')])).toEqual(['ws://a/chat']);
  });

  it('pairs page close events with closed connections of the same URL, earliest first', () => {
    const conns = [
      c(1, 'ws://a/x', 'closed', { closeTs: 5 }),
      c(2, 'ws://a/x', 'closed', { closeTs: 3 }),
      c(3, 'ws://a/y', 'open'),
      c(4, 'ws://a/z', 'closed', { closeTs: 1, closeCode: 1000 }),
    ];
    const { matched, unmatched } = matchCloses(
      [
        { url: 'ws://a/x', code: 4000, reason: 'first', wasClean: true },
        { url: 'ws://a/x', code: 4001, reason: 'second', wasClean: true },
        { url: 'ws://a/y', code: 1006, reason: '', wasClean: false },
      ],
      conns,
    );
    expect(matched.map(([conn, info]) => [conn.id, info.code])).toEqual([
      [2, 4000],
      [1, 4001],
    ]);
    expect(unmatched.map((u) => u.url)).toEqual(['ws://a/y']); // CDP has not reported that close yet
  });
});
