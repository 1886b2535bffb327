// @vitest-environment happy-dom
// The whole panel as a plain page: HAR files opened read-only beside the live capture, switching between them,
// closing them, and the one memory budget they share with the live capture.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, waitFor } from '@testing-library/preact';
import { App } from '../../../src/panel/App';
import { SessionStore } from '../../../src/model/store';
import { buildHar } from '../../../src/model/har';
import type { CaptureRecord } from '../../../src/model/types';
import type { PanelHost } from '../../../src/panel/host';
import { browser } from '../../../src/platform/browser';
import { fakeHost } from './fake-host';

const host: PanelHost = fakeHost();

// Extension storage as the panel sees it: the unit tests' in-memory stand-in for the polyfill, emptied per test.
beforeEach(() => browser.storage.local.clear());
afterEach(() => cleanup());

/** A store with one connection and `texts` as its frames, one second apart. */
function sessionWith(url: string, texts: string[]): SessionStore {
  const s = new SessionStore();
  s.apply([
    { t: 'anchor', anchor: 1_700_000_000 },
    { t: 'conn', conn: { id: 1, url, state: 'open', openedBeforeCapture: false, target: { type: 'page' } } },
    ...texts.map((text, i): CaptureRecord => ({ t: 'frame', frame: { id: i + 1, conn: 1, dir: 'received', opcode: 1, ts: i, size: text.length, text } })),
  ]);
  return s;
}

const harFile = (name: string, s: SessionStore) => new File([buildHar(s)], name, { type: 'application/json' });

function pick(input: HTMLElement, file: File) {
  Object.defineProperty(input, 'files', { value: [file], configurable: true });
  fireEvent.change(input);
}

const total = (el: HTMLElement) => Number(el.getAttribute('data-total'));

describe('imported sessions', () => {
  it('opens a HAR read-only beside the live session, and switches back', async () => {
    const live = sessionWith('ws://live/x', ['live 1', 'live 2', 'live 3']);
    const ui = render(<App store={live} getStatus={() => null} onStatus={() => () => {}} host={host} inDevTools={false} />);
    expect(ui.queryByTestId('session-select')).toBeNull();
    pick(ui.getByTestId('import-har'), harFile('old.har', sessionWith('ws://old/y', ['old 1', 'old 2'])));
    await waitFor(() => expect(ui.getByTestId('read-only').textContent).toContain('old.har'));
    expect(ui.getByTestId('notice').textContent).toContain('Opened old.har (read-only): 1 connections, 2 frames');
    await waitFor(() => expect(total(ui.getByTestId('frame-count'))).toBe(2));
    fireEvent.change(ui.getByTestId('session-select'), { target: { value: '0' } });
    await waitFor(() => expect(ui.queryByTestId('read-only')).toBeNull());
    await waitFor(() => expect(total(ui.getByTestId('frame-count'))).toBe(3));
  });

  it('refuses a file that is not a HAR and leaves the live session as it was', async () => {
    const live = sessionWith('ws://live/x', ['live 1']);
    const ui = render(<App store={live} getStatus={() => null} onStatus={() => () => {}} host={host} inDevTools={false} />);
    pick(ui.getByTestId('import-har'), new File(['hello'], 'broken.har'));
    await waitFor(() => expect(ui.getByTestId('import-error').textContent).toMatch(/broken\.har: Not a HAR file.*Nothing was imported\./));
    expect(ui.queryByTestId('read-only')).toBeNull();
    expect(ui.queryByTestId('session-select')).toBeNull();
    expect(total(ui.getByTestId('frame-count'))).toBe(1);
  });

  it('refuses a HAR with a bad field, naming where, and keeps an earlier import and the live session as they were', async () => {
    const live = sessionWith('ws://live/x', ['live 1']);
    const ui = render(<App store={live} getStatus={() => null} onStatus={() => () => {}} host={host} inDevTools={false} />);
    pick(ui.getByTestId('import-har'), harFile('good.har', sessionWith('ws://good/1', ['g 1', 'g 2'])));
    await waitFor(() => expect(ui.getByTestId('read-only').textContent).toContain('good.har'));
    const bad = JSON.parse(buildHar(sessionWith('ws://bad/1', ['b 1', 'b 2'])));
    bad.log.entries[0]._webSocketMessages[1].time = 1e300;
    pick(ui.getByTestId('import-har'), new File([JSON.stringify(bad)], 'bad.har'));
    await waitFor(() => expect(ui.getByTestId('import-error').textContent).toMatch(/bad\.har: Entry 0, message 1: time 1e\+300 is out of range.*Nothing was imported\./));
    expect(ui.getByTestId('read-only').textContent).toContain('good.har');
    const options = [...ui.getByTestId('session-select').querySelectorAll('option')].map((o) => o.textContent);
    expect(options).toEqual(['Live capture', 'good.har (imported, read-only)']);
    expect(total(ui.getByTestId('frame-count'))).toBe(2);
    fireEvent.change(ui.getByTestId('session-select'), { target: { value: '0' } });
    await waitFor(() => expect(total(ui.getByTestId('frame-count'))).toBe(1));
  });

  it('opens a HAR with an extension field it cannot read, and says what was left out', async () => {
    const ui = render(<App store={sessionWith('ws://live/x', [])} getStatus={() => null} onStatus={() => () => {}} host={host} inDevTools={false} />);
    const doc = JSON.parse(buildHar(sessionWith('ws://odd/1', ['o 1'])));
    doc.log.entries[0]._frameline.initiator = { type: 'script', stack: 'at f (a.js:1:1)' };
    pick(ui.getByTestId('import-har'), new File([JSON.stringify(doc)], 'odd.har'));
    await waitFor(() => expect(ui.getByTestId('notice').textContent).toMatch(/Opened odd\.har.*1 fields Frameline could not read were left out \(Entry 0: _frameline\.initiator\.stack: /));
    fireEvent.click(ui.getAllByTestId('connection-row')[0]);
    await waitFor(() => expect(ui.getByTestId('handshake').textContent).toContain('Initiator (script)'));
  });

  it('closes the imported session shown: its frames are released and the live capture is shown again', async () => {
    const live = sessionWith('ws://live/x', ['live 1', 'live 2', 'live 3']);
    const clear = vi.spyOn(SessionStore.prototype, 'clear');
    const ui = render(<App store={live} getStatus={() => null} onStatus={() => () => {}} host={host} inDevTools={false} />);
    expect(ui.queryByTestId('session-close')).toBeNull(); // nothing to close in the live capture
    pick(ui.getByTestId('import-har'), harFile('a.har', sessionWith('ws://a/1', ['a 1'])));
    await waitFor(() => expect(ui.getByTestId('read-only').textContent).toContain('a.har'));
    pick(ui.getByTestId('import-har'), harFile('b.har', sessionWith('ws://b/1', ['b 1', 'b 2'])));
    await waitFor(() => expect(ui.getByTestId('read-only').textContent).toContain('b.har'));
    const options = () => [...ui.getByTestId('session-select').querySelectorAll('option')].map((o) => o.textContent);
    expect(options()).toEqual(['Live capture', 'a.har (imported, read-only)', 'b.har (imported, read-only)']);
    clear.mockClear();

    fireEvent.click(ui.getByTestId('session-close'));
    await waitFor(() => expect(ui.queryByTestId('read-only')).toBeNull());
    expect(clear).toHaveBeenCalledTimes(1);
    const closed = clear.mock.contexts[0] as SessionStore;
    expect(closed).not.toBe(live);
    expect(closed.frameCount).toBe(0);
    expect(options()).toEqual(['Live capture', 'a.har (imported, read-only)']);
    await waitFor(() => expect(total(ui.getByTestId('frame-count'))).toBe(3));
    expect(live.frameCount).toBe(3);

    // The last one closed: the session menu goes.
    fireEvent.change(ui.getByTestId('session-select'), { target: { value: ui.getByTestId('session-select').querySelectorAll('option')[1].value } });
    await waitFor(() => expect(ui.getByTestId('read-only').textContent).toContain('a.har'));
    fireEvent.click(ui.getByTestId('session-close'));
    await waitFor(() => expect(ui.queryByTestId('session-select')).toBeNull());
    expect(ui.queryByTestId('session-close')).toBeNull();
    clear.mockRestore();
  });
});

describe('one memory budget for all sessions', () => {
  const MB = 1024 * 1024;
  /** `n` frames of a quarter MB each (such a text costs a quarter MB and a few bytes): the budget here is 4 MB. */
  const quarters = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}${i}`.padEnd(MB / 4, '.'));

  /** The panel with this budget in the settings (stored directly: the toolbar asks for 16 MB or more; small is fast). */
  async function panelWithBudget(budgetMB: number, live: SessionStore) {
    await browser.storage.local.set({ 'frameline.settings': { memoryBudgetMB: budgetMB } });
    const ui = render(<App store={live} getStatus={() => null} onStatus={() => () => {}} host={host} inDevTools={false} />);
    await waitFor(() => expect((ui.getByTestId('memory-budget') as HTMLInputElement).value).toBe(String(budgetMB)));
    return ui;
  }

  it('gives the live capture what imported sessions leave of the budget, and all of it back when they close', async () => {
    const live = sessionWith('ws://live/x', ['live']);
    const ui = await panelWithBudget(4, live);
    await waitFor(() => expect(live.budgetBytes).toBe(4 * MB));
    pick(ui.getByTestId('import-har'), harFile('one.har', sessionWith('ws://one/1', quarters(4, 'f'))));
    await waitFor(() => expect(ui.getByTestId('read-only').textContent).toContain('one.har'));
    expect(ui.getByTestId('notice').textContent).toMatch(/It holds 1\.0 MB of the memory budget\./);
    await waitFor(() => expect(live.budgetBytes).toBeLessThan(3 * MB));
    expect(live.budgetBytes).toBeGreaterThan(2.99 * MB);
    fireEvent.change(ui.getByTestId('session-select'), { target: { value: '0' } });
    await waitFor(() => expect(ui.container.querySelector('.statusbar')!.textContent).toContain('/ 3.0 MB'));

    // A larger budget is shared the same way.
    fireEvent.change(ui.getByTestId('memory-budget'), { target: { value: '100' } });
    await waitFor(() => expect(live.budgetBytes).toBeGreaterThan(98.99 * MB));
    expect(live.budgetBytes).toBeLessThan(99 * MB);

    fireEvent.change(ui.getByTestId('session-select'), { target: { value: ui.getByTestId('session-select').querySelectorAll('option')[1].value } });
    await waitFor(() => expect(ui.getByTestId('session-close')).toBeTruthy());
    fireEvent.click(ui.getByTestId('session-close'));
    await waitFor(() => expect(live.budgetBytes).toBe(100 * MB));
  });

  it('refuses an import larger than the budget, naming the sizes, and imports nothing of it', async () => {
    const live = sessionWith('ws://live/x', ['live']);
    const ui = await panelWithBudget(4, live);
    pick(ui.getByTestId('import-har'), harFile('huge.har', sessionWith('ws://huge/1', quarters(20, 'h'))));
    await waitFor(() =>
      expect(ui.getByTestId('import-error').textContent).toMatch(
        /^huge\.har: Its 20 frames need 5\.0 MB of memory, more than the whole memory budget \(4\.0 MB\)\. Raise the budget in the toolbar\. Nothing was imported\./,
      ),
    );
    expect(ui.queryByTestId('session-select')).toBeNull();
    expect(ui.queryByTestId('read-only')).toBeNull();
    expect(live.budgetBytes).toBe(4 * MB);
    expect(total(ui.getByTestId('frame-count'))).toBe(1);
  });

  it('refuses an import that does not fit beside the imported sessions, and says closing one makes room', async () => {
    const live = sessionWith('ws://live/x', ['live']);
    const ui = await panelWithBudget(4, live);
    pick(ui.getByTestId('import-har'), harFile('six.har', sessionWith('ws://six/1', quarters(6, 's'))));
    await waitFor(() => expect(ui.getByTestId('read-only').textContent).toContain('six.har'));
    const eleven = harFile('eleven.har', sessionWith('ws://eleven/1', quarters(11, 't')));
    pick(ui.getByTestId('import-har'), eleven);
    await waitFor(() =>
      expect(ui.getByTestId('import-error').textContent).toMatch(
        /^eleven\.har: Its 11 frames need 2\.8 MB of memory, more than the 2\.5 MB the memory budget leaves for it \(the budget is 4\.0 MB; imported sessions hold 1\.5 MB\)\. Raise the budget in the toolbar or close an imported session\. Nothing was imported\./,
      ),
    );
    expect(ui.getByTestId('session-select').querySelectorAll('option')).toHaveLength(2);
    expect(ui.getByTestId('read-only').textContent).toContain('six.har'); // still shown

    fireEvent.click(ui.getByTestId('session-close'));
    pick(ui.getByTestId('import-har'), eleven);
    await waitFor(() => expect(ui.getByTestId('read-only').textContent).toContain('eleven.har'));
    await waitFor(() => expect(total(ui.getByTestId('frame-count'))).toBe(11)); // whole, nothing dropped
  });

  it('makes room for an import that fits the budget by dropping the live capture\'s oldest frames, and counts them', async () => {
    const live = sessionWith('ws://live/x', quarters(10, 'l'));
    const ui = await panelWithBudget(4, live);
    pick(ui.getByTestId('import-har'), harFile('eight.har', sessionWith('ws://eight/1', quarters(8, 'e'))));
    await waitFor(() => expect(ui.getByTestId('read-only').textContent).toContain('eight.har'));
    await waitFor(() => expect(live.stats.evicted).toBeGreaterThan(0));
    expect(live.usedBytes).toBeLessThanOrEqual(live.budgetBytes);
    expect(live.usedBytes + 2 * MB).toBeLessThan(4.01 * MB);
    fireEvent.change(ui.getByTestId('session-select'), { target: { value: '0' } });
    await waitFor(() => expect(Number(ui.getByTestId('evicted').getAttribute('data-count'))).toBe(live.stats.evicted));
  });
});
