// @vitest-environment happy-dom
// A page that opens thousands of sockets: the connection list keeps only the rows in view in the DOM and follows the
// scroll; a short list is not windowed.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render } from '@testing-library/preact';
import { CONN_ROW_PX, ConnectionList, WINDOW_FROM } from '../../../src/panel/ConnectionList';
import { SessionStore } from '../../../src/model/store';
import type { CaptureRecord } from '../../../src/model/types';

afterEach(cleanup);

function storeOf(n: number) {
  const s = new SessionStore();
  const recs: CaptureRecord[] = [];
  for (let i = 1; i <= n; i++) recs.push({ t: 'conn', conn: { id: i, url: `ws://h/s${i}`, state: 'open', openedBeforeCapture: false, target: { type: 'page' } } });
  s.apply(recs);
  return s;
}

describe('connection list', () => {
  it('windows 5,000 connections: a few dozen rows in the DOM, the right ones after a scroll', () => {
    const s = storeOf(5000);
    const ui = render(<ConnectionList store={s} revision={0} selected={null} onPick={() => {}} />);
    const list = ui.container.querySelector('.connections') as HTMLElement;
    expect(list.dataset.windowed).toBe('true');
    expect(ui.getAllByTestId('connection-row').length).toBeLessThan(100);
    Object.defineProperty(list, 'clientHeight', { value: 480, configurable: true });
    list.scrollTop = 2500 * CONN_ROW_PX;
    fireEvent.scroll(list);
    const ids = ui.getAllByTestId('connection-row').map((r) => Number(r.dataset.connId));
    expect(ids).toContain(2500);
    expect(ids).toContain(2510);
    expect(ids.length).toBeLessThan(100);
    // The spacers keep the whole list's height.
    const spacers = [...ui.container.querySelectorAll('.conn-spacer')].map((e) => parseFloat((e as HTMLElement).style.height));
    expect(spacers.reduce((a, b) => a + b, 0) + ids.length * CONN_ROW_PX).toBe(5000 * CONN_ROW_PX);
  });

  it('renders a short list whole', () => {
    const ui = render(<ConnectionList store={storeOf(WINDOW_FROM - 1)} revision={0} selected={null} onPick={() => {}} />);
    expect(ui.getAllByTestId('connection-row')).toHaveLength(WINDOW_FROM - 1);
  });
});
