/** What the lookup reads; every field defaults to the real process and disk. */
export interface LookupOptions {
  env?: Record<string, string | undefined>;
  /** A Node platform: 'linux' | 'darwin' | 'win32' (others: env and puppeteer's cache only). */
  platform?: NodeJS.Platform;
  homedir?: string;
  exists?: (path: string) => boolean;
  /** Entries of a directory; a missing one may throw or return []. */
  listDir?: (path: string) => string[];
}

/** 'chrome' is branded Google Chrome: it ignores --load-extension (137+), so the extension goes in over CDP. */
export type ChromiumKind = 'chromium' | 'chrome-for-testing' | 'chrome';
export type BrowserSource = 'env' | 'system' | 'puppeteer-cache';

export interface FoundChromium {
  path: string;
  kind: ChromiumKind;
  source: BrowserSource;
}
export interface FoundFirefox {
  path: string;
  source: BrowserSource;
}

export interface MissingBrowser {
  browser: 'chromium' | 'firefox';
  /** Every place looked at, in order (the env variable first). */
  looked: string[];
  /** Set when this env variable named a file that does not exist (no fallback then). */
  envVar?: string;
  envValue?: string;
}

export class BrowserNotFoundError extends Error implements MissingBrowser {
  constructor(browser: 'chromium' | 'firefox', info: Omit<MissingBrowser, 'browser'>);
  browser: 'chromium' | 'firefox';
  looked: string[];
  envVar?: string;
  envValue?: string;
}

export const INSTALL_HINTS: { debian: string; anywhere: string };

/** PUPPETEER_EXECUTABLE_PATH, then the system's places for this platform, then puppeteer's cache (newest first). */
export function findChromium(opts?: LookupOptions): FoundChromium;
/** FIREFOX_EXECUTABLE_PATH, then the system's places for this platform, then puppeteer's cache (newest first). */
export function findFirefox(opts?: LookupOptions): FoundFirefox;
/** PUPPETEER_CACHE_DIR, else ~/.cache/puppeteer (puppeteer's own default). */
export function puppeteerCacheDir(opts?: LookupOptions): string;
/** The executable inside one install in puppeteer's cache, as path segments (mirrors @puppeteer/browsers). */
export function cacheRelativePath(browser: 'chrome' | 'firefox', cachePlatform: string, buildId: string): string[];
/** The kind of a Chromium-family binary guessed from its path (unknown: 'chromium'). */
export function kindOfPath(path: string): ChromiumKind;
/** One message for missing browsers: where each was looked for, then how to install them. */
export function describeMissing(missing: MissingBrowser[]): string;
