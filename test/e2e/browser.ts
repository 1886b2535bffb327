// Real Chromium with the unpacked Frameline build, real DevTools, the real Frameline panel.
// DevTools internals live in scripts/devtools.mjs (shared with `npm start`); which browser, in scripts/find-browsers.mjs.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import puppeteer, { type Browser, type Frame, type Page } from 'puppeteer';
import {
  DEVTOOLS_PAGE_PATH, chromiumArgs, extensionIdOf, showFramelinePanel, waitForPanelTab,
} from '../../scripts/devtools.mjs';
import { findChromium, type FoundChromium } from '../../scripts/find-browsers.mjs';

export const EXT_DIR = resolve(import.meta.dirname, '../../dist/chrome');

/** The Chromium-family browser to drive; throws with every place looked at when there is none. */
export function chromium(): FoundChromium {
  return findChromium();
}

export function chromiumPath(): string {
  return chromium().path;
}

export interface Chrome {
  browser: Browser;
  extensionId: string;
  close(): Promise<void>;
}

/** `alsoLoad`: more unpacked extensions loaded beside `extDir` (the benches' null listener beside Frameline). */
export async function launchChromium(extDir = EXT_DIR, { alsoLoad = [] }: { alsoLoad?: string[] } = {}): Promise<Chrome> {
  for (const dir of [extDir, ...alsoLoad]) {
    if (!existsSync(join(dir, 'manifest.json'))) throw new Error(`No extension at ${dir}: run npm run build first.`);
  }
  const found = chromium();
  const profile = mkdtempSync(join(tmpdir(), 'frameline-e2e-'));
  let browser: Browser;
  let extensionId = '';
  if (found.kind === 'chrome') {
    // Branded Google Chrome ignores --load-extension (137+): load the builds over CDP (Extensions.loadUnpacked),
    // which needs the pipe transport; enableExtensions adds --enable-unsafe-extension-debugging.
    browser = await puppeteer.launch({
      executablePath: found.path,
      headless: true,
      enableExtensions: true,
      pipe: true,
      userDataDir: profile,
      args: [...chromiumArgs(), '--site-per-process'],
    });
    const ids: string[] = [];
    for (const dir of [extDir, ...alsoLoad]) ids.push(await browser.installExtension(dir));
    if (extDir === EXT_DIR) extensionId = ids[0];
  } else {
    // Chromium and Chrome for Testing: the flags the e2e notes proved, unchanged.
    browser = await puppeteer.launch({
      executablePath: found.path,
      headless: true,
      enableExtensions: true,
      userDataDir: profile,
      args: [...chromiumArgs([extDir, ...alsoLoad]), '--site-per-process'],
    });
    extensionId = extDir === EXT_DIR ? await extensionIdOf(browser) : '';
  }
  return {
    browser,
    extensionId,
    async close() {
      await browser.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface DevTools {
  dt: Page;
  devtoolsFrame: Frame;
}

/** Open real DevTools for `page` (its DevTools page is loaded, the Frameline panel not yet shown). */
export async function openDevTools(page: Page, extensionId: string): Promise<DevTools> {
  const dt = await page.openDevTools();
  const devtoolsFrame = await dt.waitForFrame(
    (f) => f.url() === `chrome-extension://${extensionId}/${DEVTOOLS_PAGE_PATH}`,
    { timeout: 30_000 },
  );
  await waitForPanelTab(dt, extensionId);
  return { dt, devtoolsFrame };
}

/** Show the Frameline panel in DevTools and return its frame. */
export async function showPanel(dt: Page, extensionId: string): Promise<Frame> {
  const panel = await showFramelinePanel(dt, extensionId);
  await panel.waitForSelector('[data-testid="frame-count"]', { timeout: 30_000 });
  return panel;
}

/** Poll `fn` in `frame` until it returns a truthy value (extension frames repaint rarely: no rAF polling). */
export async function waitInFrame<T>(
  frame: Frame,
  fn: string,
  { timeout = 20_000, what = fn }: { timeout?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      last = await frame.evaluate(fn);
    } catch (e) {
      // A document being replaced (a reload) answers nothing: ask its successor.
      if (!/context was destroyed|navigat/i.test(String(e))) throw e;
      last = undefined;
    }
    if (last) return last as T;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what} (last value: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A new tab at `url`, with real DevTools open on the Frameline panel and capture running. */
export async function inspect(chrome: Chrome, url: string): Promise<{ page: Page; dt: Page; panel: Frame }> {
  const page = await chrome.browser.newPage();
  await page.goto(url);
  const { dt } = await openDevTools(page, chrome.extensionId);
  const panel = await showPanel(dt, chrome.extensionId);
  await waitInFrame(panel, `document.querySelector('[data-testid="capture-state"]')?.dataset.phase === 'capturing'`, {
    what: 'capture to start',
  });
  return { page, dt, panel };
}
