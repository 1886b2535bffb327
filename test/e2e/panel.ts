// Reading and driving the Frameline panel through its automation contract (data-testid attributes, see README).
import type { Frame } from 'puppeteer';
import { waitInFrame } from './browser';

export interface RowInfo {
  id: number;
  direction: string;
  opcode: number;
  text: string;
  replayed: boolean;
  /** The decoder reading the row's connection ('raw' when none) and its one-line summary ('' when none). */
  protocol: string;
  summary: string;
  /** An answer's request (frame id) and latency; a request's answered state ('true' | 'false'); null otherwise. */
  pair: number | null;
  latencyMs: number | null;
  answered: string | null;
  /** The intercept rule that acted on the frame and what it did (blocked, rewritten, …); null when none. */
  rule: string | null;
  action: string | null;
}
export interface ConnInfo {
  id: number;
  url: string;
  state: string;
  beforeCapture: boolean;
  /** Where the socket lives: page, iframe, worker, shared_worker, service_worker or other. */
  target: string;
  text: string;
}

/**
 * Click an element of the panel. A DOM click: puppeteer's mouse clicks miss elements in the lower part of an
 * extension panel inside DevTools (the DevTools page's emulated viewport and its window disagree).
 */
export async function press(panel: Frame, selector: string) {
  await panel.$eval(selector, (el) => {
    (el as HTMLElement).scrollIntoView({ block: 'nearest' });
    (el as HTMLElement).click();
  });
}

export const counts = (panel: Frame) =>
  panel.$eval('[data-testid="frame-count"]', (el) => ({
    total: Number(el.getAttribute('data-total')),
    visible: Number(el.getAttribute('data-visible')),
  }));

export async function waitForTotal(panel: Frame, n: number, timeout = 20_000) {
  await waitInFrame(
    panel,
    `Number(document.querySelector('[data-testid="frame-count"]')?.getAttribute('data-total')) >= ${n}`,
    { timeout, what: `at least ${n} frames in the panel` },
  );
}

// What the tests read of rows and connection rows: one expression each, used by the readers and the waiters.
const ROW_LIST = `[...document.querySelectorAll('[data-testid="frame-row"]')].map((el) => ({
  id: Number(el.getAttribute('data-frame-id')), direction: el.getAttribute('data-direction') ?? '',
  opcode: Number(el.getAttribute('data-opcode')), text: el.querySelector('.c-preview .pv')?.textContent ?? '',
  replayed: el.getAttribute('data-replayed') === 'true', protocol: el.getAttribute('data-protocol') ?? '',
  summary: el.getAttribute('data-summary') ?? '',
  pair: el.hasAttribute('data-pair') ? Number(el.getAttribute('data-pair')) : null,
  latencyMs: el.hasAttribute('data-latency-ms') ? Number(el.getAttribute('data-latency-ms')) : null,
  answered: el.getAttribute('data-answered'), rule: el.getAttribute('data-rule'), action: el.getAttribute('data-action') }))`;
const CONNECTION_LIST = `[...document.querySelectorAll('[data-testid="connection-row"]')].map((el) => ({
  id: Number(el.getAttribute('data-conn-id')), url: el.getAttribute('data-url') ?? '',
  state: el.getAttribute('data-state') ?? '', beforeCapture: el.getAttribute('data-before-capture') === 'true',
  target: el.getAttribute('data-target') ?? '', text: el.textContent ?? '' }))`;

export const rows = (panel: Frame): Promise<RowInfo[]> => panel.evaluate(`${ROW_LIST}.sort((a, b) => a.id - b.id)`) as Promise<RowInfo[]>;

export const connections = (panel: Frame): Promise<ConnInfo[]> => panel.evaluate(CONNECTION_LIST) as Promise<ConnInfo[]>;

/** waitInFrame for `expr`; a failure also says what the panel showed instead (`state`, under `label`). */
async function waitTelling<T>(panel: Frame, expr: string, what: string, timeout: number, label: string, state: string): Promise<T> {
  try {
    return await waitInFrame<T>(panel, expr, { timeout, what });
  } catch (e) {
    const shown = await panel.evaluate(state).catch((err: unknown) => `(unreadable: ${String(err)})`);
    throw new Error(`${(e as Error).message}; ${label}: ${String(shown)}`, { cause: e });
  }
}

/** Each connection as listed, and what the panel's store holds of it. */
const CONNECTIONS_STATE = `JSON.stringify({ listed: ${CONNECTION_LIST}.map((c) => ({ id: c.id, url: c.url, state: c.state, target: c.target })),
  stored: [...globalThis.__frameline.store.connections.values()].map((c) => ({ id: c.id, url: c.url, state: c.state, target: c.target && c.target.type })) })`;

/**
 * What the timeline looked like: a row missing from the DOM is most often out of view in the virtual timeline, and
 * this tells how many rows fitted and where it was scrolled.
 */
const TIMELINE_STATE = `(() => {
  const t = document.querySelector('[data-testid="timeline"]'); const c = document.querySelector('[data-testid="frame-count"]');
  const ids = [...document.querySelectorAll('[data-testid="frame-row"]')].map((el) => el.getAttribute('data-frame-id'));
  return JSON.stringify({ window: [innerWidth, innerHeight], visibility: document.visibilityState,
    timeline: t && { clientHeight: t.clientHeight, scrollTop: t.scrollTop, scrollHeight: t.scrollHeight },
    paneErrors: [...document.querySelectorAll('[data-testid="pane-error"]')].map((el) => el.textContent),
    notice: document.querySelector('[data-testid="notice"]')?.textContent ?? null,
    session: document.querySelector('.sessionbar')?.textContent ?? null, capture: document.querySelector('[data-testid="capture-state"]')?.textContent ?? null,
    rows: ids, total: c?.dataset.total, visible: c?.dataset.visible, query: c?.dataset.query,
    panes: [...document.body.querySelectorAll('#app > * > *, #app > *')].slice(0, 30).map((el) => (el.dataset.testid || el.className || el.tagName) + ':' + el.getBoundingClientRect().height) });
})()`;

/** Wait until a connection row satisfies `predicate` (a JS expression over `c` = ConnInfo). */
export const waitForConnection = (panel: Frame, predicate: string, what: string, timeout = 20_000): Promise<ConnInfo> =>
  waitTelling<ConnInfo>(panel, `${CONNECTION_LIST}.find((c) => (${predicate})) ?? null`, what, timeout, 'the connections', CONNECTIONS_STATE);

/** Wait until a frame row satisfies `predicate` (a JS expression over `r` = RowInfo). */
export const waitForRow = (panel: Frame, predicate: string, what: string, timeout = 20_000): Promise<RowInfo> =>
  waitTelling<RowInfo>(panel, `${ROW_LIST}.find((r) => (${predicate})) ?? null`, what, timeout, 'the timeline', TIMELINE_STATE);

export async function clickRow(panel: Frame, frameId: number) {
  // A filter just typed may not have drawn its rows yet: wait for the row rather than fail on a race.
  await waitForRow(panel, `r.id === ${frameId}`, `the row of frame ${frameId}`);
  await press(panel, `[data-testid="frame-row"][data-frame-id="${frameId}"]`);
  await waitInFrame(panel, `document.querySelector('[data-testid="frame-detail"]')?.getAttribute('data-frame-id') === '${frameId}'`, {
    what: `detail of frame ${frameId}`,
  });
}

export async function clickConnection(panel: Frame, connId: number) {
  await press(panel, `[data-testid="connection-row"][data-conn-id="${connId}"]`);
  await waitInFrame(panel, `document.querySelector('[data-testid="handshake"]')?.getAttribute('data-conn-id') === '${connId}'`, {
    what: `handshake of connection ${connId}`,
  });
}

/** Open a connection's handshake, wait for its close code there, and return the handshake's text. */
export async function closeShown(panel: Frame, connId: number, code: number): Promise<string> {
  await clickConnection(panel, connId);
  await waitInFrame(panel, `document.querySelector('[data-testid="handshake"] [data-field="close"]')?.textContent.includes('${code}')`, {
    what: `close code ${code}`,
  });
  return text(panel, 'handshake');
}

export const text = (panel: Frame, testid: string) =>
  panel.$eval(`[data-testid="${testid}"]`, (el) => (el as HTMLElement).innerText);

export async function clear(panel: Frame) {
  // A frame still in flight when Clear is pressed (the echo of a previous test's last send) is stored after it: then
  // Clear is pressed again, as a user would.
  for (let attempt = 0; ; attempt++) {
    await press(panel, '[data-testid="clear"]');
    try {
      await waitInFrame(panel, `document.querySelector('[data-testid="frame-count"]')?.getAttribute('data-total') === '0'`, {
        what: 'cleared panel',
        timeout: attempt < 3 ? 3000 : 20_000,
      });
      return;
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
}

export async function setFilter(panel: Frame, value: string) {
  await panel.$eval(
    '[data-testid="filter-input"]',
    (el, v) => {
      const input = el as HTMLInputElement;
      input.value = v;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    },
    value,
  );
}

/** Wait until the query in the filter box is the one applied and its scan is done (counts are then its own). */
export async function filterApplied(panel: Frame, what = 'the filter applied') {
  await waitInFrame(
    panel,
    `(() => { const c = document.querySelector('[data-testid="frame-count"]'); const q = document.querySelector('[data-testid="filter-input"]')?.value;
      return !!c && !c.dataset.filtering && q !== undefined && c.dataset.query === q; })()`,
    { what },
  );
}

/** Apply a query and wait until its scan is done; returns the rows it shows. */
export async function filtered(panel: Frame, q: string): Promise<number> {
  await setFilter(panel, q);
  await filterApplied(panel, `the filter ${q}`);
  return (await counts(panel)).visible;
}

/** Open the composer from a frame (its detail pane's "Edit & replay"). */
export async function openComposer(panel: Frame, frameId: number) {
  await clickRow(panel, frameId);
  await press(panel, '[data-testid="replay-open"]');
  await waitInFrame(panel, `!!document.querySelector('[data-testid="composer"][data-frame-id="${frameId}"] [data-testid="replay-editor"]')`, {
    what: `the composer with frame ${frameId}`,
  });
}

export async function setEditor(panel: Frame, value: string) {
  await panel.$eval(
    '[data-testid="replay-editor"]',
    (el, v) => {
      const t = el as HTMLTextAreaElement;
      t.value = v;
      t.dispatchEvent(new Event('input', { bubbles: true }));
    },
    value,
  );
}

/** Click a composer action and wait for its outcome; returns the status line. */
export async function composerAction(panel: Frame, testid: 'replay-send' | 'replay-inject' | 'replay-fresh') {
  const seq = await panel.evaluate(`Number(document.querySelector('[data-testid="replay-status"]')?.dataset.seq ?? 0)`);
  await press(panel, `[data-testid="${testid}"]`);
  return waitInFrame<{ kind: string; text: string }>(
    panel,
    `(() => { const s = document.querySelector('[data-testid="replay-status"]');
      return s && Number(s.dataset.seq) > ${seq} && s.dataset.kind !== 'busy' ? { kind: s.dataset.kind, text: s.textContent } : null; })()`,
    { what: `the outcome of ${testid}`, timeout: 30_000 },
  );
}

/** A burst's sequence numbers (`{"seq":i,…}` texts) as the panel's store holds them, in store order: how many, and how
 *  many out of place. */
export const sequenceInStore = (frame: Frame) =>
  frame.evaluate(`(() => {
    const s = globalThis.__frameline.store; let next = 0, bad = 0;
    for (let i = 0; i < s.frameCount; i++) {
      const t = s.frameAt(i).text;
      if (!t || !t.startsWith('{"seq":')) continue;
      if (parseInt(t.slice(7), 10) !== next++) bad++;
    }
    return { seen: next, bad };
  })()`) as Promise<{ seen: number; bad: number }>;
