// Real Firefox (ESR on Debian; WebDriver BiDi) with the unpacked Frameline build for Firefox. Firefox does not let
// BiDi reach an extension panel inside its DevTools, so the panel is tested as an extension page in a tab inspecting
// the page (`…/src/panel/index.html?tabId=N`, the same page DevTools shows); one smoke test opens the real DevTools panel.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import puppeteer, { type Browser, type Frame, type Page } from 'puppeteer';
import { findFirefox } from '../../scripts/find-browsers.mjs';
import { waitInFrame } from './browser';

export const FIREFOX_EXT_DIR = resolve(import.meta.dirname, '../../dist/firefox');
export const GECKO_ID = 'frameline@frameline.dev';
/** Pinned, so the tests know the extension's moz-extension:// origin. */
export const FIXED_UUID = '6f1b1f0e-1111-4c2a-9a11-0123456789ab';
export const EXT_ORIGIN = `moz-extension://${FIXED_UUID}`;

/** The Firefox to drive (scripts/find-browsers.mjs); throws with every place looked at when there is none. */
export function firefoxPath(): string {
  return findFirefox().path;
}

export interface Firefox {
  browser: Browser;
  downloads: string;
  close(): Promise<void>;
}

export async function launchFirefox(): Promise<Firefox> {
  if (!existsSync(join(FIREFOX_EXT_DIR, 'manifest.json'))) throw new Error(`No extension at ${FIREFOX_EXT_DIR}: run npm run build first.`);
  const downloads = mkdtempSync(join(tmpdir(), 'frameline-ff-downloads-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: firefoxPath(),
    headless: true,
    // Lets page.goto reach moz-extension:// pages (and the browser's chrome context, for the DevTools smoke test).
    args: ['-remote-allow-system-access'],
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIXED_UUID }),
      'browser.download.dir': downloads,
      'browser.download.folderList': 2,
      'browser.download.useDownloadDir': true,
      'browser.download.always_ask_before_handling_new_types': false,
      'browser.download.start_downloads_in_tmp_dir': false,
      'browser.download.alwaysOpenPanel': false,
      // Tests read the clipboard back from a page (navigator.clipboard.readText) without the paste prompt.
      'dom.events.testing.asyncClipboard': true,
    },
  });
  await browser.installExtension(FIREFOX_EXT_DIR);
  return {
    browser,
    downloads,
    async close() {
      await browser.close().catch(() => {});
      rmSync(downloads, { recursive: true, force: true });
    },
  };
}

/** Load an extension page in a tab. Firefox's goto of a moz-extension:// URL never reports completion: poll. */
export async function openExtensionPage(browser: Browser, path: string): Promise<Page> {
  const page = await browser.newPage({ type: 'window' });
  page.goto(`${EXT_ORIGIN}/${path}`, { timeout: 5000 }).catch(() => {});
  await waitInFrame(page.mainFrame(), `location.href.startsWith(${JSON.stringify(EXT_ORIGIN)}) && document.readyState === 'complete'`, {
    what: `extension page ${path}`,
  });
  return page;
}

/** Open `url` in a tab, then the Frameline panel as a tab inspecting it; returns both with capture running. */
export async function inspectInFirefox(ff: Firefox, url: string): Promise<{ page: Page; panelPage: Page; panel: Frame; tabId: number }> {
  // Each in a window of its own: both stay foreground, so neither has its timers throttled.
  const page = await ff.browser.newPage({ type: 'window' });
  await page.goto(url);
  const probe = await openExtensionPage(ff.browser, 'src/panel/index.html');
  const tabId = (await probe.evaluate(
    `browser.tabs.query({}).then((tabs) => tabs.find((t) => t.url === ${JSON.stringify(page.url())})?.id ?? -1)`,
  )) as number;
  if (tabId < 0) throw new Error(`No tab found for ${page.url()}`);
  probe.goto(`${EXT_ORIGIN}/src/panel/index.html?tabId=${tabId}`, { timeout: 5000 }).catch(() => {});
  const panel = probe.mainFrame();
  await waitInFrame(panel, `location.search === '?tabId=${tabId}' && document.querySelector('[data-testid="capture-state"]')?.dataset.phase === 'capturing'`, {
    what: 'capture to start in the Firefox panel tab', timeout: 8000,
  }).catch(async (e) => {
    throw new Error(e.message + ' ' + JSON.stringify(await panel.evaluate(`[location.href, document.readyState, document.querySelector('[data-testid="capture-state"]')?.outerHTML, document.visibilityState]`)));
  });
  return { page, panelPage: probe, panel, tabId };
}

/**
 * Run `expression` in the browser's chrome (privileged) context — Firefox internals, kept in this one helper: the
 * launch flag -remote-allow-system-access lets BiDi reach it. Firefox 153 lists the chrome windows themselves
 * (`moz:scope: 'chrome'`); Firefox ESR 140 ignores that scope and lists only content tabs, but lets BiDi script a
 * parent-process page (about:preferences, opened in a window of its own), which has the same privileges.
 */
export async function inChrome<T>(browser: Browser, expression: string): Promise<T> {
  const conn = (browser as unknown as { connection: { send(method: string, params: object): Promise<{ result: any }> } }).connection;
  const tree = await conn.send('browsingContext.getTree', { 'moz:scope': 'chrome' });
  const context = tree.result.contexts[0].context;
  const privileged = await conn.send('script.evaluate', { expression: `typeof ChromeUtils === 'object'`, target: { context }, awaitPromise: true });
  if (privileged.result.result?.value !== true) {
    const page = await browser.newPage({ type: 'window' });
    try {
      // The navigation of a parent-process page never reports its load over BiDi: the page is there all the same.
      await page.goto('about:preferences', { timeout: 3000 }).catch(() => {});
      const ready = () => page.evaluate(`typeof ChromeUtils === 'object' && document.readyState === 'complete'`).catch(() => false);
      for (const deadline = Date.now() + 10_000; !(await ready()); await new Promise((r) => setTimeout(r, 100))) {
        if (Date.now() > deadline) throw new Error('about:preferences never became scriptable with chrome privileges');
      }
      return (await page.evaluate(expression)) as T;
    } finally {
      await page.close().catch(() => {});
    }
  }
  const r = await conn.send('script.evaluate', { expression, target: { context }, awaitPromise: true });
  if (r.result.type === 'exception') throw new Error(`chrome context: ${r.result.exceptionDetails?.text}`);
  return r.result.result?.value as T;
}

/** Open Firefox's real DevTools on the tab showing `url` and show the Frameline panel; returns the toolbox's tab labels. */
export function showFramelineInDevTools(browser: Browser, url: string): Promise<string[]> {
  return inChrome<string>(
    browser,
    `(async () => {
      const { require } = ChromeUtils.importESModule('resource://devtools/shared/loader/Loader.sys.mjs');
      const { gDevTools } = require('devtools/client/framework/devtools');
      let tab;
      for (const win of Services.wm.getEnumerator('navigator:browser')) {
        tab ??= win.gBrowser.tabs.find((t) => t.linkedBrowser.currentURI.spec === ${JSON.stringify(url)});
      }
      if (!tab) throw new Error('no tab shows ${url}');
      const toolbox = await gDevTools.showToolboxForTab(tab, { toolId: 'webconsole' });
      let def;
      for (let i = 0; i < 100 && !def; i++) {
        def = [...toolbox.additionalToolDefinitions.values()].find((d) => d.label === 'Frameline');
        if (!def) await new Promise((r) => setTimeout(r, 100));
      }
      if (!def) throw new Error('no Frameline panel in the toolbox');
      await toolbox.selectTool(def.id);
      return JSON.stringify([...toolbox.doc.querySelectorAll('.devtools-tab')].map((e) => e.textContent));
    })()`,
  ).then((s) => JSON.parse(s));
}
