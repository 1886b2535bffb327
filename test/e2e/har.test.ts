// HAR export and import through the real Frameline panel in real DevTools.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ElementHandle, Frame, Page } from 'puppeteer';
import { harValidator } from '../support/har-schema';
import { startServer } from '../support/server.mjs';
import { waitForHar } from './until';
import { inspect, launchChromium, waitInFrame, type Chrome } from './browser';
import { composerAction, counts, openComposer, press, text, waitForRow, waitForTotal } from './panel';

type Server = Awaited<ReturnType<typeof startServer>>;
let chrome: Chrome;
let srv: Server;
let page: Page;
let panel: Frame;
let downloads: string;

async function upload(file: string) {
  const input = (await panel.$('[data-testid="import-har"]')) as ElementHandle<HTMLInputElement>;
  await input.uploadFile(file);
}

const waitForDownload = (prefix: string) => waitForHar(downloads, prefix);

beforeAll(async () => {
  srv = await startServer();
  srv.page('/blank.html', '<!doctype html><title>har</title><body>har</body>');
  downloads = mkdtempSync(join(tmpdir(), 'frameline-downloads-'));
  chrome = await launchChromium();
  const cdp = await chrome.browser.target().createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
  ({ page, panel } = await inspect(chrome, srv.origin + '/blank.html'));
});

afterAll(async () => {
  await chrome?.close();
  await srv?.close();
  if (downloads) rmSync(downloads, { recursive: true, force: true });
});

describe('HAR', () => {
  it('exports the session through the download flow as valid HAR 1.2 in Chrome\'s shape, sanitized', async () => {
    await page.evaluate(`new Promise((done) => {
      document.cookie = 'sid=secret-cookie';
      const s = window.hs = new WebSocket(${JSON.stringify(srv.wsUrl('/hdr?t=export'))});
      s.binaryType = 'arraybuffer';
      let n = 0;
      s.onopen = () => { s.send('export me'); s.send(new Uint8Array([7, 8, 9])); };
      s.onmessage = () => { if (++n === 2) done(); };
    })`);
    await waitForTotal(panel, 4);
    await press(panel, '[data-testid="export-har"]');
    const file = await waitForDownload(`frameline-127.0.0.1-${srv.port}-`);
    expect(file).toMatch(/frameline-127\.0\.0\.1-\d+-\d{4}-\d\d-\d\d-\d{6}\.har$/);
    const har = JSON.parse(readFileSync(file, 'utf8'));
    const validate = harValidator();
    expect(validate(har), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const entry = har.log.entries.find((e: any) => e.request.url.endsWith('t=export'));
    expect(entry._resourceType).toBe('websocket');
    expect(entry._webSocketMessages.map((m: any) => [m.type, m.opcode, m.data])).toEqual([
      ['send', 1, 'export me'],
      ['send', 2, 'BwgJ'],
      ['receive', 1, 'export me'],
      ['receive', 2, 'BwgJ'],
    ]);
    expect(Math.abs(entry._webSocketMessages[0].time * 1000 - Date.now())).toBeLessThan(60_000);
    // Sanitized by default: the page's cookie is not in the file.
    expect(readFileSync(file, 'utf8')).not.toContain('secret-cookie');
    expect(await text(panel, 'notice')).toContain('Saved frameline-');
    rmSync(file);
  });

  it('imports a Playwright HAR read-only beside the live session, and switches back', async () => {
    const live = await counts(panel);
    await upload(resolve(import.meta.dirname, '../fixtures/playwright.har'));
    await waitInFrame(panel, `!!document.querySelector('[data-testid="read-only"]')`, { what: 'the imported session' });
    expect(await text(panel, 'notice')).toMatch(/playwright\.har.*1 connections, 4 frames; 1 entries that are not WebSockets skipped/);
    await waitForRow(panel, `r.text === 'hello from playwright' && r.direction === 'sent'`, 'an imported frame');
    expect(await counts(panel)).toEqual({ total: 4, visible: 4 });
    await panel.select('[data-testid="session-select"]', '0');
    await waitInFrame(panel, `!document.querySelector('[data-testid="read-only"]')`, { what: 'back to live' });
    expect((await counts(panel)).total).toBeGreaterThanOrEqual(live.total);
  });

  it('refuses a bad file with a clear message and leaves the live session untouched', async () => {
    const before = await counts(panel);
    const bad = join(downloads, 'broken.har');
    writeFileSync(bad, JSON.stringify({ log: { entries: [{ _resourceType: 'websocket', startedDateTime: '2026-01-01T00:00:00Z', request: { url: 'ws://x/' }, _webSocketMessages: [{ type: 'send', time: 'soon', data: 'x' }] }] } }));
    await upload(bad);
    await waitInFrame(panel, `!!document.querySelector('[data-testid="import-error"]')`, { what: 'the import error' });
    expect(await text(panel, 'import-error')).toMatch(/broken\.har: Entry 0, message 0: time is not a number\. Nothing was imported\./);
    expect(await counts(panel)).toEqual(before);
    expect(await panel.$('[data-testid="read-only"]')).toBeNull();

    // A 500 MB file (sparse on disk) is refused before it is read.
    const huge = join(downloads, 'huge.har');
    const fd = openSync(huge, 'w');
    ftruncateSync(fd, 500 * 1024 * 1024);
    closeSync(fd);
    await upload(huge);
    await waitInFrame(panel, `document.querySelector('[data-testid="import-error"]')?.textContent.includes('huge.har')`, {
      what: 'the size error',
    });
    expect(await text(panel, 'import-error')).toMatch(/huge\.har is 500\.0 MB: Frameline opens HAR files up to 400\.0 MB\. Nothing was imported\./);
    expect(await counts(panel)).toEqual(before);
    rmSync(huge);
  });

  it('replays a frame of an imported session on a fresh connection from the inspected page', async () => {
    // Export this session, import it back, and send one of its frames again.
    await press(panel, '[data-testid="export-har"]');
    const file = await waitForDownload(`frameline-127.0.0.1-${srv.port}-`);
    await upload(file);
    await waitInFrame(panel, `!!document.querySelector('[data-testid="read-only"]')`, { what: 'the re-imported session' });
    const row = await waitForRow(panel, `r.text === 'export me' && r.direction === 'sent'`, 'the imported frame');
    await openComposer(panel, row.id);
    expect(await panel.$eval('[data-testid="replay-send"]', (b) => (b as HTMLButtonElement).disabled)).toBe(true);
    const before = srv.connections.filter((c) => c.query.t === 'export').length;
    expect(await composerAction(panel, 'replay-fresh')).toMatchObject({ kind: 'ok' });
    const end = Date.now() + 10_000;
    while (srv.connections.filter((c) => c.query.t === 'export').length === before && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    const fresh = srv.connections.filter((c) => c.query.t === 'export').at(-1)!;
    expect(srv.connections.filter((c) => c.query.t === 'export')).toHaveLength(before + 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(fresh.received.map((m) => m.text)).toEqual(['export me']);
  });

  it('refuses to export with a redaction regex that is too slow on a long stored payload, and says why', async () => {
    await panel.select('[data-testid="session-select"]', '0'); // the live session (an imported one may be shown)
    await page.evaluate(`new Promise((done) => {
      const s = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t=long'))});
      s.onopen = () => s.send('a'.repeat(200000));
      s.onmessage = () => done();
    })`);
    await waitForRow(panel, `r.text.startsWith('aaaa') && r.direction === 'received'`, 'the long echo');
    await press(panel, '[data-testid="export-options"]');
    const setRedact = (v: string) =>
      panel.$eval('[data-testid="export-redact"]', (el, value) => {
        (el as HTMLInputElement).value = value;
        el.dispatchEvent(new Event('input', { bubbles: true }));
      }, v);
    await setRedact('/a.*b/');
    await press(panel, '[data-testid="export-har"]');
    const error = await waitInFrame<string>(panel, `document.querySelector('[data-testid="import-error"]')?.textContent ?? null`, {
      what: 'the export refused',
    });
    expect(error).toMatch(/redaction regex is too slow.*ran for over 0\.5 s on one stored payload/);
    await setRedact('');
  });
});
