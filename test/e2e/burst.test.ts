// A 20,000-frame burst: every frame reaches the panel's count, the timeline stays virtualized, filter counts exact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../support/server.mjs';
import { inspect, launchChromium, waitInFrame, type Chrome } from './browser';
import { clear, counts, setFilter, waitForTotal } from './panel';

type Server = Awaited<ReturnType<typeof startServer>>;
let chrome: Chrome;
let srv: Server;

beforeAll(async () => {
  srv = await startServer();
  srv.page('/blank.html', '<!doctype html><title>burst</title><body>burst</body>');
  chrome = await launchChromium();
});

afterAll(async () => {
  await chrome?.close();
  await srv?.close();
});

describe('burst', () => {
  it('counts all 20,000 frames of a burst, keeps the DOM small, and filters exactly', async () => {
    const N = 20_000;
    const { page, dt, panel } = await inspect(chrome, srv.origin + '/blank.html');

    const t0 = Date.now();
    const pageMs = await page.evaluate(`new Promise((done) => {
      const s = new WebSocket(${JSON.stringify(srv.wsUrl(`/burst?n=${N}&size=200`))});
      let n = 0, start = 0;
      s.onopen = () => { start = performance.now(); s.send('go'); };
      s.onmessage = () => { if (++n === ${N}) done(performance.now() - start); };
    })`);
    await waitForTotal(panel, N + 1, 120_000);
    const panelMs = Date.now() - t0;
    expect(await counts(panel)).toEqual({ total: N + 1, visible: N + 1 });
     
    console.log(`burst of ${N}: page received all in ${Math.round(pageMs as number)} ms; panel counted all ${panelMs} ms after the start`);

    // Virtualized: a few dozen rows in the DOM, not twenty thousand; the newest row is shown (stuck to the bottom).
    const domRows = await panel.$$eval('[data-testid="frame-row"]', (els) => els.length);
    expect(domRows).toBeLessThan(100);
    await waitInFrame(panel, `[...document.querySelectorAll('[data-testid="frame-row"]')].some((r) => r.textContent.includes('"seq":${N - 1}'))`, {
      what: 'the last frame in view',
    });

    // The query language over 20k frames: a JSON term, a field term, an invalid query (the last valid one stays).
    await setFilter(panel, '$.seq >= 19990');
    await waitInFrame(panel, `document.querySelector('[data-testid="frame-count"]').dataset.visible === '10'`, {
      what: 'the JSON term to match 10 frames',
    });
    await setFilter(panel, 'dir:sent');
    await waitInFrame(panel, `document.querySelector('[data-testid="frame-count"]').dataset.visible === '1'`, {
      what: 'dir:sent to match the one sent frame',
    });
    await setFilter(panel, 'dir:sent OR /"seq":1999\\b/');
    await waitInFrame(panel, `document.querySelector('[data-testid="frame-count"]').dataset.visible === '2'`, {
      what: 'OR with a regex',
    });
    await setFilter(panel, '$.seq >= ');
    await waitInFrame(panel, `document.querySelector('[data-testid="filter-error"]')?.textContent.includes('value is missing')`, {
      what: 'the error under the box',
    });
    expect((await counts(panel)).visible).toBe(2); // the last valid filter stays applied
    await setFilter(panel, '');
    await clear(panel);
    expect(await counts(panel)).toEqual({ total: 0, visible: 0 });
    await dt.close();
    await page.close();
  });

  it('stays within a small memory budget: the oldest frames are dropped and counted, none silently', async () => {
    const N = 20_000;
    const { page, dt, panel } = await inspect(chrome, srv.origin + '/blank.html');
    await panel.$eval('[data-testid="memory-budget"]', (el) => {
      (el as HTMLInputElement).value = '16';
      el.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await page.evaluate(`new Promise((done) => {
      const s = new WebSocket(${JSON.stringify(srv.wsUrl(`/burst?n=${N}&size=1000`))});
      let n = 0;
      s.onopen = () => s.send('go');
      s.onmessage = () => { if (++n === ${N}) done(); };
    })`);
    const got = await waitInFrame<{ total: number; evicted: number }>(
      panel,
      `(() => { const total = Number(document.querySelector('[data-testid="frame-count"]').dataset.total);
        const evicted = Number(document.querySelector('[data-testid="evicted"]')?.dataset.count ?? 0);
        return total + evicted === ${N + 1} ? { total, evicted } : null; })()`,
      { what: 'every frame stored or counted as dropped', timeout: 60_000 },
    );
    expect(got.evicted).toBeGreaterThan(0);
    expect(got.total).toBeLessThan(16 * 1024 * 1024 / 1000);
    await waitInFrame(panel, `[...document.querySelectorAll('[data-testid="frame-row"]')].some((r) => r.textContent.includes('"seq":${N - 1}'))`, {
      what: 'the newest frame kept',
    });
    await panel.$eval('[data-testid="memory-budget"]', (el) => {
      (el as HTMLInputElement).value = '500';
      el.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await dt.close();
    await page.close();
  });

  it('refuses a regex that is too slow on a long stored payload (the panel stays responsive) and applies a fast one', async () => {
    const { page, dt, panel } = await inspect(chrome, srv.origin + '/blank.html');
    // 200 KB of "a": /a.*b/ backtracks over it for many seconds (quadratic); /^a+$/ reads it once.
    await page.evaluate(`new Promise((done) => {
      const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo-long'))});
      s.onopen = () => { s.send('a'.repeat(200000)); s.send('short one'); };
      let n = 0;
      s.onmessage = () => ++n === 2 && done();
    })`);
    await waitForTotal(panel, 4);
    await setFilter(panel, 'short');
    await waitInFrame(panel, `document.querySelector('[data-testid="frame-count"]').dataset.visible === '2'`, { what: 'a plain filter' });
    const t0 = Date.now();
    await setFilter(panel, '/a.*b/');
    // While the regex is tried (in a worker), the panel's own thread is free.
    await waitInFrame(panel, `!!document.querySelector('[data-testid="filter-checking"]')`, { what: 'the check under way' });
    const ping = Date.now();
    await panel.evaluate('1');
    expect(Date.now() - ping).toBeLessThan(250);
    const error = await waitInFrame<string>(panel, `document.querySelector('[data-testid="filter-error"]')?.textContent ?? null`, {
      what: 'the slow regex refused',
    });
    expect(error).toMatch(/ran for over 0\.5 s on one stored payload/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    // Refused like an invalid query: the last valid filter stays applied, and the panel answers at once.
    expect((await counts(panel)).visible).toBe(2);
    expect(await panel.evaluate(`document.querySelector('[data-testid="filter-error"]').dataset.position`)).toBe('0');
    await setFilter(panel, '/^a+$/');
    await waitInFrame(panel, `document.querySelector('[data-testid="frame-count"]').dataset.visible === '2' && !document.querySelector('[data-testid="filter-error"]')`, {
      what: 'the fast regex applied (the long frame sent and echoed)',
    });
    await setFilter(panel, '');
    await dt.close();
    await page.close();
  });
});
