import type { BrowserNotFoundError, FoundChromium, FoundFirefox, LookupOptions } from './find-browsers.mjs';
export function checkBrowsers(opts?: LookupOptions): {
  found: { chromium?: FoundChromium; firefox?: FoundFirefox };
  missing: BrowserNotFoundError[];
};
export function missingBrowsers(opts?: LookupOptions): BrowserNotFoundError[];
