// @vitest-environment happy-dom
// The panel's views rendered as a plain page (no DevTools): detail pane, handshake, timeline virtualization and sorting.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, waitFor } from '@testing-library/preact';
import { useState } from 'preact/hooks';
import { SessionStore } from '../../../src/model/store';
import { RuleMarks } from '../../../src/model/store/rule-marks';
import type { CaptureRecord, Connection } from '../../../src/model/types';
import { DetailPane, MAX_TEXT_SHOWN } from '../../../src/panel/DetailPane';
import { MAX_SPACER_PX, Timeline, ROW_HEIGHT } from '../../../src/panel/Timeline';
import type { Frame } from '../../../src/model/types';
import { timelineHeight } from '../support/layout';

afterEach(cleanup);

const conn: Connection = {
  id: 1,
  url: 'ws://h/x',
  state: 'closed',
  openedBeforeCapture: false,
  target: { type: 'worker' },
  response: { status: 101, statusText: 'Switching Protocols', headers: [{ name: 'X-A', value: '<b>b</b>' }] },
  request: { headers: [{ name: 'Origin', value: 'http://h' }] },
  protocol: 'chat.v1',
  closeCode: 4001,
  closeReason: 'bye',
  wasClean: true,
};

function storeWith(records: CaptureRecord[]) {
  const s = new SessionStore();
  s.apply([{ t: 'anchor', anchor: 1_700_000_000 }, { t: 'conn', conn }, ...records]);
  return s;
}
const text = (id: number, t: string): CaptureRecord => ({
  t: 'frame',
  frame: { id, conn: 1, dir: 'received', opcode: 1, ts: id, size: t.length, text: t },
});

describe('detail pane', () => {
  it('shows JSON as a collapsible tree and the raw text on demand', () => {
    const s = storeWith([text(1, '{"type":"trade","user":{"name":"bob","tags":[1,2]}}')]);
    const { getByText, container, queryByText } = render(<DetailPane store={s} frame={s.frameAt(0)} conn={conn} />);
    expect(getByText('"trade"')).toBeTruthy();
    expect(getByText('"bob"')).toBeTruthy();
    // Collapse the `user` object: its children go away.
    fireEvent.click(getByText('user:').closest('.j-toggle')!);
    expect(queryByText('"bob"')).toBeNull();
    fireEvent.click(getByText('Text'));
    expect(container.querySelector('pre')?.textContent).toBe('{"type":"trade","user":{"name":"bob","tags":[1,2]}}');
  });

  it('shows binary as hex dump, UTF-8 and base64', () => {
    const s = storeWith([
      { t: 'frame', frame: { id: 1, conn: 1, dir: 'sent', opcode: 2, ts: 1, size: 5, b64: btoa('hi\x00\xfe\xff') } },
    ]);
    const { getByTestId, getByText } = render(<DetailPane store={s} frame={s.frameAt(0)} conn={conn} />);
    expect(getByTestId('binary-hex').textContent).toContain('68 69 00 fe ff');
    expect(getByTestId('binary-hex').textContent).toContain('|hi...|');
    fireEvent.click(getByText('Base64'));
    expect(getByTestId('binary-base64').textContent).toBe(btoa('hi\x00\xfe\xff'));
    fireEvent.click(getByText('UTF-8'));
    expect(getByTestId('binary-utf8').textContent).toBe('hi\u0000\ufffd\ufffd');
  });

  it('renders hostile payloads as text and truncates huge ones with a notice', () => {
    const hostile = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    const big = 'x'.repeat(MAX_TEXT_SHOWN + 10);
    const s = storeWith([text(1, hostile), text(2, big)]);
    const a = render(<DetailPane store={s} frame={s.frameAt(0)} conn={conn} />);
    expect(a.container.querySelector('img, script')).toBeNull();
    expect(a.container.textContent).toContain(hostile);
    a.unmount();
    const b = render(<DetailPane store={s} frame={s.frameAt(1)} conn={conn} />);
    expect(b.getByTestId('truncated').textContent).toContain('Showing the first');
    expect(b.container.querySelector('pre')!.textContent.length).toBe(MAX_TEXT_SHOWN);
  });

  it('shows the handshake of a connection: status, subprotocol, headers as text, close code', () => {
    const s = storeWith([]);
    const { getByTestId, container } = render(<DetailPane store={s} conn={conn} />);
    const hs = getByTestId('handshake');
    expect(hs.querySelector('[data-field="status"]')?.textContent).toBe('101 Switching Protocols');
    expect(hs.querySelector('[data-field="subprotocol"]')?.textContent).toBe('chat.v1');
    expect(hs.querySelector('[data-field="close"]')?.textContent).toBe('4001 “bye”');
    expect(hs.querySelector('[data-field="context"]')?.textContent).toBe('worker');
    expect(hs.textContent).toContain('<b>b</b>');
    expect(container.querySelector('b')).toBeNull();
  });
});

describe('timeline', () => {
  timelineHeight();

  it('puts only the rows in view into the DOM, at their offsets, over a full-height spacer', () => {
    const s = storeWith(Array.from({ length: 10_000 }, (_, i) => text(i + 1, `frame ${i}`)));
    const { container, getAllByTestId } = render(<Timeline store={s} selected={null} onSelect={() => {}} />);
    const rows = getAllByTestId('frame-row');
    expect(rows.length).toBeLessThan(100);
    expect((container.querySelector('.timeline-spacer') as HTMLElement).style.height).toBe(`${10_000 * ROW_HEIGHT}px`);
    for (const r of rows) expect((r).style.top).toMatch(/^\d+px$/);
  });

  /** A store of `N` rows `row <i>` (ids i + 1), read by index as the timeline reads it. */
  const bigStore = (N: number) => {
    const frame = (i: number): Frame => ({ id: i + 1, conn: 1, dir: 'received', opcode: 1, ts: i / 1000, size: 5, text: `row ${i}` });
    return {
      visibleCount: N,
      frameCount: N,
      anchor: 0,
      navigationStarts: new Map(),
      ruleMarks: new RuleMarks(),
      connections: new Map(),
      framesPerConnection: new Map([[1, N]]),
      firstIndexOf: () => 0,
      rowAt: frame,
      visibleAt: frame,
      frameAt: frame,
      visibleIndexOf: (id: number) => id - 1,
      wallMs: (ts: number) => ts * 1000,
      revision: 0,
      stats: { framesSent: 0, framesReceived: N },
      subscribe: () => () => {},
    } as unknown as SessionStore;
  };
  /** The rows on screen: the frame ids of the row elements whose top is within the 400 px view. */
  const onScreen = (container: Element, body: HTMLElement) =>
    [...container.querySelectorAll<HTMLElement>('[data-testid="frame-row"]')]
      .filter((r) => parseFloat(r.style.top) >= body.scrollTop && parseFloat(r.style.top) < body.scrollTop + 400)
      .map((r) => Number(r.dataset.frameId));
  const settle = () => new Promise((r) => setTimeout(r, 0));

  it('scrolls five million rows 1:1: a wheel of 100 px anywhere moves the rows 5 rows, keys reach both ends', async () => {
    const N = 5_000_000;
    const selected: number[] = [];
    const store = bigStore(N);
    function WithSelection() {
      const [sel, setSel] = useState<number | null>(null);
      return <Timeline store={store} selected={sel} onSelect={(id) => (setSel(id), id !== null && selected.push(id))} />;
    }
    const { container } = render(<WithSelection />);
    const body = container.querySelector('.timeline-body') as HTMLElement;
    Object.defineProperty(body, 'scrollHeight', { value: MAX_SPACER_PX });
    body.scrollTop = MAX_SPACER_PX * 0.37; // a scrollbar drag
    fireEvent.scroll(body);
    await settle();
    for (let i = 0; i < 300; i++) {
      const before = onScreen(container, body)[0];
      body.scrollTop += 100; // a wheel notch (past page boundaries too: 300 × 100 px)
      fireEvent.scroll(body);
      await settle();
      expect(onScreen(container, body)[0] - before).toBe(5);
    }
    fireEvent.keyDown(body, { key: 'End' });
    await settle();
    expect(selected.at(-1)).toBe(N);
    expect(onScreen(container, body)).toContain(N);
    fireEvent.keyDown(body, { key: 'ArrowUp' });
    await settle();
    expect(selected.at(-1)).toBe(N - 1);
    fireEvent.keyDown(body, { key: 'Home' });
    await settle();
    expect(body.scrollTop).toBe(0);
    expect(onScreen(container, body)[0]).toBe(1);
  });

  it('sorted by size, puts frames that arrive later in their places, and arrow keys move along that order', async () => {
    const sized = (id: number, size: number): CaptureRecord => ({
      t: 'frame',
      frame: { id, conn: 1, dir: 'received', opcode: 1, ts: id, size, text: 'x'.repeat(size) },
    });
    const s = storeWith([sized(1, 30), sized(2, 10), sized(3, 50), sized(4, 10)]);
    const selected: number[] = [];
    function WithSelection() {
      const [sel, setSel] = useState<number | null>(null);
      return <Timeline store={s} selected={sel} onSelect={(id) => (setSel(id), id !== null && selected.push(id))} />;
    }
    const { container, getByTestId } = render(<WithSelection />);
    const body = getByTestId('timeline');
    /** The frame ids of the rows, top to bottom. */
    const shown = () =>
      [...container.querySelectorAll<HTMLElement>('[data-testid="frame-row"]')]
        .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
        .map((r) => Number(r.dataset.frameId));
    const row = (id: number) => container.querySelector(`[data-testid="frame-row"][data-frame-id="${id}"]`)!;

    fireEvent.click(getByTestId('sort-size'));
    expect(body.dataset.sort).toBe('size-desc');
    expect(shown()).toEqual([3, 1, 2, 4]); // equal sizes in capture order
    s.apply([sized(5, 40), sized(6, 10), sized(7, 60), sized(8, 5)]);
    await waitFor(() => expect(shown()).toEqual([7, 3, 5, 1, 2, 4, 6, 8]));

    fireEvent.click(row(5));
    fireEvent.keyDown(body, { key: 'ArrowDown' });
    expect(selected.at(-1)).toBe(1);
    expect(row(1).getAttribute('aria-selected')).toBe('true');
    s.apply([sized(9, 35), sized(10, 1)]);
    await waitFor(() => expect(shown()).toEqual([7, 3, 5, 9, 1, 2, 4, 6, 8, 10]));
    fireEvent.keyDown(body, { key: 'ArrowUp' });
    expect(selected.at(-1)).toBe(9);
    fireEvent.keyDown(body, { key: 'End' });
    expect(selected.at(-1)).toBe(10);

    fireEvent.click(getByTestId('sort-size'));
    expect(body.dataset.sort).toBe('size-asc');
    expect(shown()).toEqual([10, 8, 2, 4, 6, 1, 9, 5, 3, 7]);
    fireEvent.keyDown(body, { key: 'ArrowDown' });
    expect(selected.at(-1)).toBe(8);
  });

  it('keeps five million rows reachable: the spacer stays under the browser cap, the last row renders, the middle is the middle', async () => {
    const N = 5_000_000;
    const { container } = render(<Timeline store={bigStore(N)} selected={null} onSelect={() => {}} />);
    const spacer = container.querySelector('.timeline-spacer') as HTMLElement;
    expect(parseFloat(spacer.style.height)).toBe(MAX_SPACER_PX);
    const body = container.querySelector('.timeline-body') as HTMLElement;
    // happy-dom does no layout: give the scroller the geometry a browser would.
    Object.defineProperty(body, 'scrollHeight', { value: MAX_SPACER_PX });
    Object.defineProperty(body, 'clientHeight', { value: 400 });
    body.scrollTop = MAX_SPACER_PX; // the very bottom
    fireEvent.scroll(body);
    await new Promise((r) => setTimeout(r, 0));
    const texts = [...container.querySelectorAll('[data-testid="frame-row"] .pv')].map((e) => e.textContent);
    expect(texts).toContain(`row ${N - 1}`);
    expect(container.querySelectorAll('[data-testid="frame-row"]').length).toBeLessThan(100);
    body.scrollTop = MAX_SPACER_PX / 2; // the middle maps to the middle rows
    fireEvent.scroll(body);
    await new Promise((r) => setTimeout(r, 0));
    const mid = [...container.querySelectorAll('[data-testid="frame-row"]')].map((e) => Number(e.getAttribute('data-frame-id')));
    expect(Math.min(...mid)).toBeGreaterThan(N * 0.45);
    expect(Math.max(...mid)).toBeLessThan(N * 0.55);
  });
});

describe('handshake headers copy', () => {
  it('copies the raw headers when there are some, else one line per header', async () => {
    const { headersText } = await import('../../../src/panel/Handshake');
    expect(headersText([{ name: 'A', value: '1' }], 'GET / HTTP/1.1\r\nA: 1\r\n\r\n')).toBe('GET / HTTP/1.1\r\nA: 1\r\n\r\n');
    expect(headersText([{ name: 'A', value: '1' }, { name: 'B', value: 'x y' }])).toBe('A: 1\r\nB: x y');
  });
});
