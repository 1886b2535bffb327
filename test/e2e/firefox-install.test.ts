// Firefox: a page whose socket was opened before Frameline was installed. Firefox injects the page hook into open
// tabs at install; the socket is adopted on its next send and marked as opened before capture.
import { afterAll, beforeAll, expect, it } from 'vitest';
import puppeteer, { type Browser } from 'puppeteer';
import { startServer } from '../support/server.mjs';
import { FIREFOX_EXT_DIR, FIXED_UUID, GECKO_ID, firefoxPath, openExtensionPage } from './firefox';
import { waitInFrame } from './browser';
import { waitForConnection, waitForRow } from './panel';

let browser: Browser;
let srv: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  srv = await startServer();
  srv.page('/old.html', `<!doctype html><script>window.old = new WebSocket(${JSON.stringify(srv.wsUrl('/echo?t=old'))});</script>`);
  browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: firefoxPath(),
    headless: true,
    args: ['-remote-allow-system-access'],
    extraPrefsFirefox: { 'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIXED_UUID }) },
  });
}, 60_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
  await srv?.close();
});

it('adopts a socket opened before the add-on was installed on its next send', async () => {
  const page = await browser.newPage({ type: 'window' });
  await page.goto(srv.origin + '/old.html');
  await page.evaluate(`new Promise((done) => {
    old.onmessage = () => done();
    if (old.readyState === 1) old.send('before install'); else old.onopen = () => old.send('before install');
  })`);
  await browser.installExtension(FIREFOX_EXT_DIR);
  const panelPage = await openExtensionPage(browser, 'src/panel/index.html');
  const tabId = (await panelPage.evaluate(
    `browser.tabs.query({}).then((tabs) => tabs.find((t) => t.url === ${JSON.stringify(page.url())})?.id ?? -1)`,
  )) as number;
  panelPage.goto(`moz-extension://${FIXED_UUID}/src/panel/index.html?tabId=${tabId}`, { timeout: 5000 }).catch(() => {});
  const panel = panelPage.mainFrame();
  await waitInFrame(panel, `document.querySelector('[data-testid="capture-state"]')?.dataset.phase === 'capturing'`, { what: 'capture' });
  // Firefox injects the hook into the open tab (WebSocket is then its Proxy, which prints as an anonymous native
  // function); the socket is unknown to it until the page uses it.
  await waitInFrame(page.mainFrame(), `!Function.prototype.toString.call(WebSocket).includes('WebSocket')`, { what: 'the hook in the open tab' })
    .catch(async (e) => {
      throw new Error(`${e.message}: ${await page.evaluate('Function.prototype.toString.call(WebSocket)')} ${JSON.stringify(await panel.evaluate(`browser.runtime.sendMessage({ type: 'frameline:router-status' })`))}`);
    });
  await page.evaluate(`new Promise((done) => { old.onmessage = () => done(); old.send('after install'); })`);
  const conn = await waitForConnection(panel, `c.url.endsWith('t=old')`, 'the adopted socket');
  expect(conn.beforeCapture).toBe(true);
  await waitForRow(panel, `r.text === 'after install' && r.direction === 'sent'`, 'its next sent frame');
  await waitForRow(panel, `r.text === 'after install' && r.direction === 'received'`, 'the echo, received after adoption');
});
