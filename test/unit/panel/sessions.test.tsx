// @vitest-environment happy-dom
// The whole panel as a plain page: HAR files opened read-only beside the live capture, switching between them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, waitFor } from '@testing-library/preact';
import { App } from '../../../src/panel/App';
import { SessionStore } from '../../../src/model/store';
import { buildHar } from '../../../src/model/har';
import type { CaptureRecord } from '../../../src/model/types';
import type { PanelHost } from '../../../src/panel/host';

const host: PanelHost = { attach() {}, reload() {}, replay: async () => ({ id: 0, ok: true }) };

/** Extension storage as the panel sees it, in memory. */
let storage: Record<string, unknown>;
beforeEach(() => {
  storage = {};
  (globalThis as { chrome?: unknown }).chrome = {
    storage: {
      local: {
        get: async (key: string) => (key in storage ? { [key]: storage[key] } : {}),
        set: async (items: Record<string, unknown>) => void Object.assign(storage, items),
      },
    },
    runtime: { getManifest: () => ({ version: 'test' }) },
  };
});
afterEach(() => {
  cleanup();
  delete (globalThis as { chrome?: unknown }).chrome;
});

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
});
