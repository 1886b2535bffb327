// Where the browsers are: one lookup for `npm start`, `npm test` (check-browsers), the e2e helpers and .puppeteerrc.cjs.
// Order: the env variable (set but missing is an error, never a fallback), the system's usual install places for this
// platform, then puppeteer's own cache (`npm run browsers`), newest version first. Node built-ins only and no top-level
// await: .puppeteerrc.cjs require()s this file synchronously (require(esm), Node 20.19+).
import { existsSync, readdirSync } from 'node:fs';
import { homedir as osHomedir } from 'node:os';
import { posix, win32 } from 'node:path';

export const INSTALL_HINTS = {
  debian: 'sudo apt-get install -y chromium firefox-esr',
  anywhere: 'npm run browsers',
};

/** The file system and process facts the lookup reads, with real defaults (tests pass fakes). */
function withDefaults(o = {}) {
  const listDir = o.listDir ?? ((p) => readdirSync(p));
  return {
    env: o.env ?? process.env,
    platform: o.platform ?? process.platform,
    homedir: o.homedir ?? osHomedir(),
    exists: o.exists ?? existsSync,
    // A missing or unreadable directory lists as empty.
    listDir: (p) => {
      try {
        return listDir(p);
      } catch {
        return [];
      }
    },
  };
}

// Paths in the flavour of the platform looked at, so a Windows lookup tested on Linux still gives C:\… paths.
const pathOf = (platform) => (platform === 'win32' ? win32 : posix);

/** An env variable; Windows names are case-insensitive (ProgramFiles(x86) vs PROGRAMFILES(X86)). Empty counts as unset. */
function getEnv(o, name) {
  let value = o.env[name];
  if (value === undefined && o.platform === 'win32') {
    const key = Object.keys(o.env).find((k) => k.toUpperCase() === name.toUpperCase());
    value = key === undefined ? undefined : o.env[key];
  }
  return value || undefined;
}

/** The cache `npm run browsers` fills and puppeteer reads (same default as puppeteer's getConfiguration). */
export function puppeteerCacheDir(opts) {
  const o = withDefaults(opts);
  return getEnv(o, 'PUPPETEER_CACHE_DIR') || pathOf(o.platform).join(o.homedir, '.cache', 'puppeteer');
}

const LINUX_CHROMIUM = [
  ['/usr/bin/chromium', 'chromium'],
  ['/usr/bin/chromium-browser', 'chromium'],
  ['/snap/bin/chromium', 'chromium'],
  ['/usr/bin/google-chrome-stable', 'chrome'],
  ['/usr/bin/google-chrome', 'chrome'],
];
const MAC_CHROMIUM = [
  ['Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing', 'chrome-for-testing'],
  ['Chromium.app/Contents/MacOS/Chromium', 'chromium'],
  ['Google Chrome.app/Contents/MacOS/Google Chrome', 'chrome'],
];
const WIN_CHROMIUM = [
  ['Google\\Chrome for Testing\\Application\\chrome.exe', 'chrome-for-testing'],
  ['Chromium\\Application\\chrome.exe', 'chromium'],
  ['Google\\Chrome\\Application\\chrome.exe', 'chrome'],
];
const LINUX_FIREFOX = ['/usr/bin/firefox-esr', '/usr/bin/firefox', '/snap/bin/firefox'];
const MAC_FIREFOX = ['Firefox', 'Firefox ESR', 'Firefox Developer Edition', 'Firefox Nightly'].map(
  (app) => `${app}.app/Contents/MacOS/firefox`,
);
const WIN_FIREFOX = ['Mozilla Firefox\\firefox.exe', 'Firefox Developer Edition\\firefox.exe', 'Firefox Nightly\\firefox.exe'];

/** The system places for this platform, in order: [path, kind] (kind is undefined for Firefox). */
function systemPlaces(o, table) {
  if (o.platform === 'linux') return table.linux;
  if (o.platform === 'darwin') {
    const dirs = ['/Applications', posix.join(o.homedir, 'Applications')];
    return table.mac.flatMap(([rel, kind]) => dirs.map((d) => [posix.join(d, rel), kind]));
  }
  if (o.platform === 'win32') {
    const bases = [...new Set(['PROGRAMFILES', 'PROGRAMFILES(X86)', 'LOCALAPPDATA'].map((n) => getEnv(o, n)).filter(Boolean))];
    return table.win.flatMap(([rel, kind]) => bases.map((b) => [win32.join(b, rel), kind]));
  }
  return [];
}

// Puppeteer's cache: <cache>/<browser>/<platform>-<buildId>/<relative path>. The relative paths mirror
// @puppeteer/browsers' relativeExecutablePath (a unit test pins them to it); they are kept here because that package
// joins with the host's separators and reads the real disk, while this lookup runs on injected file systems.
const CACHE_PLATFORMS = { linux: ['linux', 'linux_arm'], darwin: ['mac_arm', 'mac'], win32: ['win64', 'win32'] };
const CFT_FOLDER = { linux: 'linux64', linux_arm: 'linux64', mac: 'mac-x64', mac_arm: 'mac-arm64', win32: 'win32', win64: 'win64' };

/** The executable inside one cache install, as path segments. */
export function cacheRelativePath(browser, cachePlatform, buildId) {
  const mac = cachePlatform.startsWith('mac');
  const win = cachePlatform.startsWith('win');
  if (browser === 'chrome') {
    const dir = `chrome-${CFT_FOLDER[cachePlatform]}`;
    if (mac) return [dir, 'Google Chrome for Testing.app', 'Contents', 'MacOS', 'Google Chrome for Testing'];
    return [dir, win ? 'chrome.exe' : 'chrome'];
  }
  // Firefox build ids carry their channel (`stable_139.0.4`); older ones without a prefix are nightlies.
  const nightly = !/^(stable|esr|beta|devedition)_/.test(buildId);
  if (mac) return [nightly ? 'Firefox Nightly.app' : 'Firefox.app', 'Contents', 'MacOS', 'firefox'];
  if (win) return nightly ? ['firefox', 'firefox.exe'] : ['core', 'firefox.exe'];
  return ['firefox', 'firefox'];
}

/** Newest first: compares the numbers in two build ids (`131.0.6778.85`, `stable_139.0.4`, `nightly_141.0a1`). */
function newerFirst(a, b) {
  const na = (a.match(/\d+/g) ?? []).map(Number);
  const nb = (b.match(/\d+/g) ?? []).map(Number);
  for (let i = 0; i < Math.max(na.length, nb.length); i++) {
    const d = (nb[i] ?? -1) - (na[i] ?? -1);
    if (d) return d;
  }
  return 0;
}

/** Installs of `browser` in puppeteer's cache for this platform, newest first, and the pattern looked at. */
function cachePlaces(o, browser) {
  const p = pathOf(o.platform);
  const root = p.join(puppeteerCacheDir(o), browser);
  const platforms = CACHE_PLATFORMS[o.platform] ?? [];
  const installs = o
    .listDir(root)
    .map((name) => name.split('-'))
    // The folder name is `<platform>-<buildId>`, as puppeteer's own Cache parses it.
    .filter((parts) => parts.length === 2 && platforms.includes(parts[0]))
    .sort(([pa, a], [pb, b]) => newerFirst(a, b) || platforms.indexOf(pa) - platforms.indexOf(pb));
  const pattern = p.join(root, '<platform>-<version>', ...cacheRelativePath(browser, platforms[0] ?? 'linux', 'stable_'));
  return {
    paths: installs.map(([platform, buildId]) => p.join(root, `${platform}-${buildId}`, ...cacheRelativePath(browser, platform, buildId))),
    pattern,
  };
}

/** What an env path is, from its name; unknown names count as Chromium (today's --load-extension behaviour). */
export function kindOfPath(path) {
  const s = path.toLowerCase();
  if (s.includes('chrome for testing') || /chrome-(linux64|mac-x64|mac-arm64|win32|win64)[\\/]/.test(s)) return 'chrome-for-testing';
  if (s.includes('chromium')) return 'chromium';
  if (s.includes('chrome')) return 'chrome';
  return 'chromium';
}

/** A browser the lookup did not find: `looked` lists every place, `envVar` is set when that variable named a missing file. */
export class BrowserNotFoundError extends Error {
  constructor(browser, { looked, envVar, envValue }) {
    super(describeMissing([{ browser, looked, envVar, envValue }]));
    this.name = 'BrowserNotFoundError';
    this.browser = browser;
    this.looked = looked;
    this.envVar = envVar;
    this.envValue = envValue;
  }
}

const NAMES = { chromium: 'Chromium / Chrome', firefox: 'Firefox' };
const ENV = { chromium: 'PUPPETEER_EXECUTABLE_PATH', firefox: 'FIREFOX_EXECUTABLE_PATH' };
const DEBIAN_PKG = { chromium: 'chromium', firefox: 'firefox-esr' };

/** One message for one or several missing browsers: where each was looked for, then how to install them. */
export function describeMissing(missing) {
  const lines = [];
  for (const m of missing) {
    if (m.envVar) {
      lines.push(`✖ ${m.envVar} is set to ${m.envValue}, which does not exist. Point it at a ${NAMES[m.browser]} binary, or unset it to look in the usual places.`);
    } else {
      lines.push(`✖ ${NAMES[m.browser]} not found. Looked at:`, ...m.looked.map((l) => `    ${l}`));
    }
  }
  const notFound = missing.filter((m) => !m.envVar);
  if (notFound.length) {
    lines.push(
      'Install them:',
      `  Debian/Ubuntu: sudo apt-get install -y ${notFound.map((m) => DEBIAN_PKG[m.browser]).join(' ')}`,
      `  anywhere:      ${INSTALL_HINTS.anywhere}   (Chrome for Testing and Firefox into puppeteer's cache)`,
      `or set ${notFound.map((m) => `${ENV[m.browser]} to a ${NAMES[m.browser]} binary`).join(' and ')}.`,
    );
  }
  return lines.join('\n');
}

function find(browser, opts, table) {
  const o = withDefaults(opts);
  const envVar = ENV[browser];
  const fromEnv = getEnv(o, envVar);
  if (fromEnv) {
    if (!o.exists(fromEnv)) throw new BrowserNotFoundError(browser, { looked: [fromEnv], envVar, envValue: fromEnv });
    return { path: fromEnv, kind: browser === 'chromium' ? kindOfPath(fromEnv) : undefined, source: 'env' };
  }
  const looked = [`${envVar} (not set)`];
  for (const [path, kind] of systemPlaces(o, table)) {
    looked.push(path);
    if (o.exists(path)) return { path, kind, source: 'system' };
  }
  const cache = cachePlaces(o, table.cache);
  for (const path of cache.paths) {
    looked.push(path);
    // The cache's Chrome is always Chrome for Testing (puppeteer's `chrome` download).
    if (o.exists(path)) return { path, kind: table.cache === 'chrome' ? 'chrome-for-testing' : undefined, source: 'puppeteer-cache' };
  }
  if (!cache.paths.length) looked.push(`${cache.pattern} (nothing installed there)`);
  throw new BrowserNotFoundError(browser, { looked });
}

/**
 * The Chromium-family browser to drive: `{ path, kind, source }`. `kind` 'chrome' (branded Google Chrome) ignores
 * --load-extension since version 137: load the extension over CDP instead. Throws BrowserNotFoundError.
 */
export function findChromium(opts) {
  return find('chromium', opts, {
    linux: LINUX_CHROMIUM,
    mac: MAC_CHROMIUM,
    win: WIN_CHROMIUM,
    cache: 'chrome',
  });
}

/** The Firefox to drive: `{ path, source }`. Throws BrowserNotFoundError. */
export function findFirefox(opts) {
  const { path, source } = find('firefox', opts, {
    linux: LINUX_FIREFOX.map((p) => [p]),
    mac: MAC_FIREFOX.map((p) => [p]),
    win: WIN_FIREFOX.map((p) => [p]),
    cache: 'firefox',
  });
  return { path, source };
}
