// Puppeteer's own browser download cannot work on this project's machines (no internet but the registries), and the
// tests drive the system's browsers only (/usr/bin/chromium, or PUPPETEER_EXECUTABLE_PATH). So the download is
// skipped: when a system browser is found, and also when none is (else `npm install` itself would fail on the
// download, before `npm test` could say how to install the browsers). PUPPETEER_SKIP_DOWNLOAD=false asks for it.
const fs = require('node:fs');

const candidates = [process.env.PUPPETEER_EXECUTABLE_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']
  .filter(Boolean);
const systemBrowser = candidates.find((p) => fs.existsSync(p));

/** @type {import('puppeteer').Configuration} */
module.exports = {
  skipDownload: Boolean(systemBrowser) || process.env.PUPPETEER_SKIP_DOWNLOAD !== 'false',
  ...(systemBrowser ? { executablePath: systemBrowser } : {}),
};
