// npm run browsers: fetches Chrome for Testing (stable) and Firefox (stable) into puppeteer's cache, for machines
// without the system browsers (macOS, Windows, other Linux). It needs the internet, so it is never part of
// `npm install`; scripts/find-browsers.mjs then finds them there (after any system browser).
import { Browser, detectBrowserPlatform, install, resolveBuildId } from '@puppeteer/browsers';
import { BrowserNotFoundError, INSTALL_HINTS, findChromium, findFirefox, puppeteerCacheDir } from './find-browsers.mjs';

// A guard, not a feature: wired into an install hook by mistake, this would make `npm install` need the internet.
if (['preinstall', 'install', 'postinstall', 'prepare'].includes(process.env.npm_lifecycle_event ?? '')) {
  console.error('npm run browsers downloads browsers: run it yourself, not from an npm install hook.');
  process.exit(1);
}

const cacheDir = puppeteerCacheDir();
const platform = detectBrowserPlatform();
if (!platform) {
  console.error(`✖ Chrome for Testing and Firefox have no builds for ${process.platform} ${process.arch}.`);
  process.exit(1);
}

// Version lookups have no timeout of their own: a network that drops packets would hang here forever.
const RESOLVE_TIMEOUT_MS = 30_000;
function withTimeout(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`no answer in ${RESOLVE_TIMEOUT_MS / 1000} s while ${what}`), { code: 'ETIMEDOUT' })),
      RESOLVE_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const NETWORK_CODES = new Set([
  'ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED',
  'EPROTO', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SELF_SIGNED_CERT_IN_CHAIN',
]);
// Node reports a failed connection to several addresses as an AggregateError whose errors carry the codes.
const isNetworkError = (e) => NETWORK_CODES.has(e?.code) || (Array.isArray(e?.errors) && e.errors.some(isNetworkError));

function offline(e, what) {
  const code = e.code ?? e.errors?.find((x) => x.code)?.code ?? e.message;
  console.error(
    `✖ Could not ${what} (${code}): is this machine offline, or behind a proxy (HTTPS_PROXY is honoured)?\n` +
      'npm run browsers downloads from googlechromelabs.github.io, storage.googleapis.com, product-details.mozilla.org\n' +
      'and archive.mozilla.org. Without the internet, install the browsers another way:\n' +
      `  Debian/Ubuntu: ${INSTALL_HINTS.debian}\n` +
      '  or set PUPPETEER_EXECUTABLE_PATH to a Chromium/Chrome binary and FIREFOX_EXECUTABLE_PATH to a Firefox binary.',
  );
  process.exit(1);
}

const wanted = [
  { browser: Browser.CHROME, label: 'Chrome for Testing' },
  { browser: Browser.FIREFOX, label: 'Firefox' },
];
const fetched = {};
console.log(`Puppeteer's browser cache: ${cacheDir}${process.env.PUPPETEER_CACHE_DIR ? ' (PUPPETEER_CACHE_DIR)' : ''}`);
for (const { browser, label } of wanted) {
  let buildId;
  try {
    buildId = await withTimeout(resolveBuildId(browser, platform, 'stable'), `asking for ${label}'s stable version`);
  } catch (e) {
    if (isNetworkError(e)) offline(e, `find ${label}'s stable version`);
    throw e;
  }
  console.log(`\n${label} stable is ${buildId}: fetching it for ${platform}…`);
  let installed;
  try {
    // Already in the cache: returns at once. The alias lets puppeteer's own tools say `stable` too.
    installed = await install({ browser, buildId, buildIdAlias: 'stable', cacheDir, platform, downloadProgressCallback: 'default' });
  } catch (e) {
    if (isNetworkError(e)) offline(e, `download ${label} ${buildId}`);
    console.error(`✖ Could not install ${label} ${buildId}: ${e.message}`);
    process.exit(1);
  }
  console.log(`✔ ${label} ${buildId}: ${installed.executablePath}`);
  fetched[browser] = installed.executablePath;
}

// What the tests and npm start will now use: a system browser still comes first.
console.log('');
const uses = [
  ['Chromium-family', findChromium, 'PUPPETEER_EXECUTABLE_PATH', Browser.CHROME],
  ['Firefox', findFirefox, 'FIREFOX_EXECUTABLE_PATH', Browser.FIREFOX],
];
for (const [label, find, envVar, browser] of uses) {
  try {
    const found = find();
    console.log(`${label} for npm test / npm start: ${found.path} (from ${found.source})`);
    if (found.path !== fetched[browser]) console.log(`  to use the download instead: ${envVar}="${fetched[browser]}"`);
  } catch (e) {
    if (!(e instanceof BrowserNotFoundError)) throw e;
    console.error(e.message);
    process.exitCode = 1;
  }
}
