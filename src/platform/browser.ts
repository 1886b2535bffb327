// The extension APIs both browsers share, as one promise API: webextension-polyfill's `browser` (Firefox's own
// object there, a promise wrapper of `chrome` in Chrome). What only Chrome has (debugger, system.cpu) stays on
// `chrome`, in src/platform/chrome/ and cpu-load.ts.
import browser from 'webextension-polyfill';

export { browser };
export type { Runtime } from 'webextension-polyfill';

/** Frameline's version, as its manifest says. */
export const extensionVersion = (): string => browser.runtime.getManifest().version;
