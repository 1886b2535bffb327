// Puppeteer's own browser download cannot work on this project's machines (no internet but the registries).
// When a system browser is present (or PUPPETEER_EXECUTABLE_PATH names one) skip the download and use it.
const fs = require('node:fs');

const candidates = [process.env.PUPPETEER_EXECUTABLE_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']
  .filter(Boolean);
const systemBrowser = candidates.find((p) => fs.existsSync(p));

/** @type {import('puppeteer').Configuration} */
module.exports = {
  skipDownload: Boolean(systemBrowser) || process.env.PUPPETEER_SKIP_DOWNLOAD === 'true',
  ...(systemBrowser ? { executablePath: systemBrowser } : {}),
};
