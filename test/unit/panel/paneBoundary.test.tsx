// @vitest-environment happy-dom
// A pane that throws shows what failed in its place, and the rest of the panel keeps working; "Try again" remounts it.
// The handshake view shows odd initiator shapes without throwing at all.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { h } from 'preact';
import { cleanup, fireEvent, render, waitFor } from '@testing-library/preact';
import { App } from '../../../src/panel/App';
import { Handshake } from '../../../src/panel/Handshake';
import { SessionStore } from '../../../src/model/store';
import type { CaptureRecord, Connection } from '../../../src/model/types';
import type { PanelHost } from '../../../src/panel/host';
import { timelineHeight } from '../support/layout';
import { fakeHost } from './fake-host';

/** While set, the detail pane throws this message on render; mounts counts the detail panes mounted. */
const detail = vi.hoisted(() => ({ fail: null as string | null, mounts: 0 }));
vi.mock('../../../src/panel/DetailPane', async (importActual) => {
  const actual = await importActual<typeof import('../../../src/panel/DetailPane')>();
  const { useState } = await import('preact/hooks');
  return {
    ...actual,
    DetailPane: (props: Parameters<typeof actual.DetailPane>[0]) => {
      useState(() => detail.mounts++);
      if (detail.fail !== null) throw new Error(detail.fail);
      return h(actual.DetailPane, props);
    },
  };
});

const host: PanelHost = fakeHost();
timelineHeight();
afterEach(() => {
  cleanup();
  detail.fail = null;
  vi.restoreAllMocks();
});

const conn = (over: Partial<Connection> = {}): Connection => ({
  id: 1,
  url: 'ws://h/one',
  state: 'open',
  openedBeforeCapture: false,
  target: { type: 'page' },
  response: { status: 101, statusText: 'Switching Protocols', headers: [] },
  ...over,
});

function liveStore() {
  const s = new SessionStore();
  s.apply([
    { t: 'anchor', anchor: 1_700_000_000 },
    { t: 'conn', conn: conn() },
    ...['a', 'b', 'c'].map((text, i): CaptureRecord => ({ t: 'frame', frame: { id: i + 1, conn: 1, dir: 'received', opcode: 1, ts: i, size: 1, text } })),
  ]);
  return s;
}

describe('pane error boundaries', () => {
  it('shows the failed pane in its place while the timeline still shows rows, and remounts it on "Try again"', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    detail.fail = '<b>boom</b>';
    const ui = render(<App store={liveStore()} getStatus={() => null} onStatus={() => () => {}} host={host} inDevTools={false} />);
    const err = await waitFor(() => ui.getByTestId('pane-error'));
    expect(err.getAttribute('data-pane')).toBe('detail');
    expect(err.textContent).toContain('The detail pane failed: <b>boom</b>');
    expect(err.querySelector('b')).toBeNull(); // inert text, never markup
    expect(ui.getAllByTestId('pane-error')).toHaveLength(1);
    await waitFor(() => expect(ui.getAllByTestId('frame-row')).toHaveLength(3));
    expect(ui.getByTestId('frame-count').getAttribute('data-total')).toBe('3');
    // The rest of the panel works: the filter still filters.
    fireEvent.input(ui.getByTestId('filter-input'), { target: { value: 'b' } });
    await waitFor(() => expect(ui.getAllByTestId('frame-row')).toHaveLength(1));

    detail.fail = null;
    const before = detail.mounts;
    fireEvent.click(ui.getByTestId('pane-retry'));
    await waitFor(() => expect(ui.queryByTestId('pane-error')).toBeNull());
    expect(ui.getByText('Select a frame or a connection.')).toBeTruthy();
    expect(detail.mounts).toBe(before + 1);
  });

  it('tries a failed detail pane again once another frame is picked', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const ui = render(<App store={liveStore()} getStatus={() => null} onStatus={() => () => {}} host={host} inDevTools={false} />);
    await waitFor(() => expect(ui.getAllByTestId('frame-row')).toHaveLength(3));
    detail.fail = 'bad frame';
    const row = (id: number) => ui.getAllByTestId('frame-row').find((r) => r.getAttribute('data-frame-id') === String(id))!;
    fireEvent.click(row(1));
    await waitFor(() => expect(ui.getByTestId('pane-error').textContent).toContain('The detail pane failed: bad frame'));
    detail.fail = null;
    fireEvent.click(row(2));
    await waitFor(() => expect(ui.getByTestId('frame-detail').getAttribute('data-frame-id')).toBe('2'));
    expect(ui.queryByTestId('pane-error')).toBeNull();
  });
});

describe('handshake view', () => {
  it.each([
    ['a string', 'at f (a.js:1:1)'],
    ['a number', 5],
    ['null', null],
    ["CDP's {callFrames}", { callFrames: [{ functionName: 'f', url: 'a.js', lineNumber: 0, columnNumber: 0 }] }],
    ['a list of odd frames', [null, 'x', { functionName: 5, url: {}, lineNumber: 'x', columnNumber: null }]],
  ])('shows an initiator whose stack is %s without throwing', (_name, stack) => {
    const s = liveStore();
    const initiator = { type: 'script', url: 'https://h/a.js', stack } as unknown as Connection['initiator'];
    const ui = render(<Handshake store={s} conn={conn({ initiator })} />);
    expect(ui.getByTestId('handshake').textContent).toContain('Initiator (script)');
  });

  it('shows an initiator without a type, a missing target and times a Date cannot hold', () => {
    const s = liveStore();
    const c = conn({ initiator: { type: 7, url: ['x'] } as unknown as Connection['initiator'], target: undefined as unknown as Connection['target'], createdTs: 1e300, openTs: NaN });
    const ui = render(<Handshake store={s} conn={c} />);
    expect(ui.getByTestId('handshake').textContent).toContain('Initiator (unknown)');
    expect(ui.container.querySelector('[data-field="created"]')!.textContent).toBe('—');
    expect(ui.container.querySelector('[data-field="opened"]')!.textContent).toBe('—');
    expect(ui.container.querySelector('[data-field="context"]')!.textContent).toBe('—');
  });

  it('lists a stack whose frames are partly odd, with what they hold', () => {
    const stack = [{ functionName: 'send', url: 'https://h/a.js', lineNumber: 4, columnNumber: 2 }, { functionName: 5, url: null, lineNumber: 'x' }];
    const ui = render(<Handshake store={liveStore()} conn={conn({ initiator: { type: 'script', stack } as unknown as Connection['initiator'] })} />);
    const items = [...ui.container.querySelectorAll('.stack li')].map((li) => li.textContent);
    expect(items).toEqual(['send https://h/a.js:5:3', '(anonymous) :?:?']);
  });
});
