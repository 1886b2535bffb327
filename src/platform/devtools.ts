// What the panel needs to know of the DevTools window it is in (nothing when it runs as a normal tab).
import { browser } from './browser';
import { FIREFOX_BUILD } from './build';

/** The tab DevTools inspects, or undefined outside DevTools (the panel opened as a tab). */
export function inspectedTabId(): number | undefined {
  return browser.devtools?.inspectedWindow ? browser.devtools.inspectedWindow.tabId : undefined;
}

/** Follow DevTools' theme and its changes (Chrome tells changes through its own handler; Firefox through an event). */
export function followDevToolsTheme(apply: (dark: boolean) => void): void {
  const panels = browser.devtools.panels;
  apply(panels.themeName === 'dark');
  if (typeof chrome !== 'undefined' && chrome.devtools?.panels?.setThemeChangeHandler) {
    chrome.devtools.panels.setThemeChangeHandler((theme) => apply(theme === 'dark'));
  } else panels.onThemeChanged?.addListener((theme) => apply(theme === 'dark'));
}

/** How long the inspected page may take to tell its origin (a page busy in a long task answers late, or never). */
const ORIGIN_TIMEOUT_MS = 2000;
/** How long an eval that failed is tried again. */
const ORIGIN_RETRY_MS = 5000;

/** The origin of a URL, or null for one without (about:blank, data:, file: in Chrome…). */
function originOfUrl(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const o = new URL(url).origin;
    return o && o !== 'null' ? o : null;
  } catch {
    return null;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | null> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(null), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      () => (clearTimeout(t), resolve(null)),
    );
  });
}

/**
 * The origin of the page in tab `tabId` (null when it has none or cannot be told): asked of the page in DevTools; as
 * a tab, the tab's URL, which Chrome shows a page without the tabs permission only through the debugger's targets.
 */
export async function inspectedOrigin(tabId: number): Promise<string | null> {
  if (browser.devtools?.inspectedWindow) {
    // Just after DevTools opens, eval can fail (no answer, or an exception) although the page has an origin: asked
    // again for a while, so rules made then are kept for the page's origin, not for none.
    const until = Date.now() + ORIGIN_RETRY_MS;
    for (;;) {
      const got = await withTimeout(browser.devtools.inspectedWindow.eval('location.origin'), ORIGIN_TIMEOUT_MS);
      // Firefox answers [result, exceptionInfo]; Chrome (through the polyfill) the result alone when there is no error.
      const origin: unknown = Array.isArray(got) ? got[0] : got;
      if (typeof origin === 'string') return origin !== 'null' ? origin : null;
      if (Date.now() >= until) return null;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const tab = await withTimeout(browser.tabs.get(tabId), ORIGIN_TIMEOUT_MS);
  if (tab?.url) return originOfUrl(tab.url);
  // Chrome only: Firefox has no debugger API (and its add-on linter flags the name).
  if (!FIREFOX_BUILD && typeof chrome !== 'undefined' && chrome.debugger?.getTargets) {
    const targets = await withTimeout(chrome.debugger.getTargets(), ORIGIN_TIMEOUT_MS);
    return originOfUrl(targets?.find((t) => t.tabId === tabId && t.type === 'page')?.url);
  }
  return null;
}

/**
 * Call `fn` with the inspected page's origin now and whenever a navigation may have changed it (DevTools tells of
 * navigations; a tab tells of its loads). Returns a function that stops it.
 */
export function followInspectedOrigin(tabId: number, fn: (origin: string | null) => void): () => void {
  let stopped = false;
  let asked = 0;
  const ask = () => {
    const n = ++asked;
    void inspectedOrigin(tabId).then((o) => {
      if (!stopped && n === asked) fn(o);
    });
  };
  ask();
  const network = browser.devtools?.network;
  if (network?.onNavigated) {
    const onNavigated = (url: string) => {
      asked++; // an answer still on its way is older than this
      fn(originOfUrl(url));
    };
    network.onNavigated.addListener(onNavigated);
    return () => {
      stopped = true;
      network.onNavigated.removeListener(onNavigated);
    };
  }
  const onUpdated = (id: number, change: { status?: string; url?: string }) => {
    if (id === tabId && (change.url || change.status === 'complete')) ask();
  };
  browser.tabs.onUpdated.addListener(onUpdated);
  return () => {
    stopped = true;
    browser.tabs.onUpdated.removeListener(onUpdated);
  };
}

/**
 * Calls `fn` once this page's extension context is gone: Frameline was reloaded or updated while DevTools stayed open.
 * Some browsers then remove its pages from DevTools; others leave the panel shown with no extension API behind it.
 */
export function whenExtensionGone(fn: () => void, everyMs = 1000): () => void {
  const timer = setInterval(() => {
    if (extensionAlive()) return;
    clearInterval(timer);
    fn();
  }, everyMs);
  return () => clearInterval(timer);
}

function extensionAlive(): boolean {
  try {
    return typeof browser.runtime?.id === 'string';
  } catch {
    return false; // an invalidated context may throw rather than answer
  }
}
