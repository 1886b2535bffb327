// Puppeteer's own browser download cannot work on this project's machines (no internet but the registries), and the
// tests drive the browser scripts/find-browsers.mjs finds. So the download is skipped: when a browser is found, and
// also when none is (else `npm install` itself would fail on the download, before `npm test` could say how to install
// the browsers; `npm run browsers` fetches them on purpose). PUPPETEER_SKIP_DOWNLOAD=false asks for it.
// One source of truth: the same lookup, require()d synchronously (require(esm), Node 20.19+). This file also runs on
// every `import 'puppeteer'`, so it never throws: an unset/missing browser, a PUPPETEER_EXECUTABLE_PATH naming a
// missing file, or an older Node without require(esm) leave puppeteer's defaults, and npm test reports the problem.
let found;
try {
  found = require('./scripts/find-browsers.mjs').findChromium();
} catch {
  // See above: reported by scripts/check-browsers.mjs, not here.
}

/** @type {import('puppeteer').Configuration} */
module.exports = {
  skipDownload: Boolean(found) || process.env.PUPPETEER_SKIP_DOWNLOAD !== 'false',
  ...(found ? { executablePath: found.path } : {}),
};
