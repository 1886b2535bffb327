// @vitest-environment happy-dom
// The whole panel as a plain page: the filter, the selection and the connection list working together on one store.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, waitFor } from '@testing-library/preact';
import { App } from '../../../src/panel/App';
import { SessionStore } from '../../../src/model/store';
import type { CaptureRecord, Connection } from '../../../src/model/types';
import type { PanelHost } from '../../../src/panel/host';
import { timelineHeight } from '../support/layout';
import { fakeHost } from './fake-host';

const host: PanelHost = fakeHost();
timelineHeight();
afterEach(() => cleanup());

const conn = (id: number, url: string): Connection => ({
  id,
  url,
  state: 'open',
  openedBeforeCapture: false,
  target: { type: 'page' },
  response: { status: 101, statusText: 'Switching Protocols', headers: [] },
});

function liveStore() {
  const s = new SessionStore();
  const texts = ['hello a', 'trade b', 'hello c', 'trade d'];
  s.apply([
    { t: 'anchor', anchor: 1_700_000_000 },
    { t: 'conn', conn: conn(1, 'ws://h/one') },
    { t: 'conn', conn: conn(2, 'ws://h/two') },
    ...texts.map((text, i): CaptureRecord => ({ t: 'frame', frame: { id: i + 1, conn: (i % 2) + 1, dir: 'received', opcode: 1, ts: i, size: text.length, text } })),
  ]);
  return s;
}

const counts = (el: HTMLElement) => [Number(el.getAttribute('data-visible')), Number(el.getAttribute('data-total'))];

describe('panel', () => {
  it('filters by the query typed and by the connection picked, and explains an invalid query', async () => {
    const ui = render(<App store={liveStore()} getStatus={() => null} onStatus={() => () => {}} host={host} inDevTools={false} />);
    fireEvent.input(ui.getByTestId('filter-input'), { target: { value: 'hello' } });
    await waitFor(() => expect(counts(ui.getByTestId('frame-count'))).toEqual([2, 4]));
    fireEvent.input(ui.getByTestId('filter-input'), { target: { value: 'size>' } });
    await waitFor(() => expect(ui.getByTestId('filter-error')).toBeTruthy());
    expect(counts(ui.getByTestId('frame-count'))).toEqual([2, 4]); // the last valid filter stays
    fireEvent.input(ui.getByTestId('filter-input'), { target: { value: '' } });
    fireEvent.click(ui.getAllByTestId('connection-row')[1]);
    await waitFor(() => expect(counts(ui.getByTestId('frame-count'))).toEqual([2, 4]));
    await waitFor(() => expect(ui.getByTestId('handshake').getAttribute('data-conn-id')).toBe('2'));
  });

  it('shows the frame clicked, and selects a range with shift-click for a sequence', async () => {
    const ui = render(<App store={liveStore()} getStatus={() => null} onStatus={() => () => {}} host={host} inDevTools={false} />);
    await waitFor(() => expect(ui.getAllByTestId('frame-row')).toHaveLength(4));
    const row = (id: number) => ui.getAllByTestId('frame-row').find((r) => r.getAttribute('data-frame-id') === String(id))!;
    fireEvent.click(row(2));
    await waitFor(() => expect(ui.getByTestId('frame-detail').getAttribute('data-frame-id')).toBe('2'));
    fireEvent.click(row(4), { shiftKey: true });
    await waitFor(() => expect(ui.getByTestId('replay-selection').textContent).toContain('Replay 3 selected'));
  });
});

describe('a short panel', () => {
  it('leaves the height to the timeline until something is selected; names connections by what differs', async () => {
    const ui = render(<App store={liveStore()} getStatus={() => null} onStatus={() => () => {}} host={host} inDevTools={false} />);
    const pane = ui.getByTestId('detail-pane');
    expect(pane.dataset.empty).toBe('true');
    expect(ui.queryByTestId('split-detail')).toBeNull();
    // Both connections are to ws://h: the host is said once, the rows lead with their paths.
    expect(ui.getByTestId('connections-host').textContent).toContain('h');
    expect(ui.getAllByTestId('connection-row').map((r) => r.querySelector('.conn-url')!.textContent)).toEqual(['/one', '/two']);
    expect(ui.getAllByTestId('connection-row')[0].getAttribute('title')).toBe('ws://h/one');
    await waitFor(() => expect(ui.getAllByTestId('frame-row')).toHaveLength(4));
    fireEvent.click(ui.getAllByTestId('frame-row')[0]);
    await waitFor(() => expect(ui.getByTestId('detail-pane').dataset.empty).toBe('false'));
    expect(ui.getByTestId('split-detail')).toBeTruthy();
  });
});
