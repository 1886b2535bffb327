// Fails with a clear message when a browser the e2e tests need is missing: where it looked and how to install it.
// Never a silent skip. The lookup itself is scripts/find-browsers.mjs (shared with npm start and the e2e helpers).
import { pathToFileURL } from 'node:url';
import { BrowserNotFoundError, describeMissing, findChromium, findFirefox } from './find-browsers.mjs';

/** The browsers the e2e tests will drive (`found.chromium`, `found.firefox`) and the missing ones (BrowserNotFoundError each). */
export function checkBrowsers(opts) {
  const found = {};
  const missing = [];
  for (const [name, find] of [['chromium', findChromium], ['firefox', findFirefox]]) {
    try {
      found[name] = find(opts);
    } catch (e) {
      if (!(e instanceof BrowserNotFoundError)) throw e;
      missing.push(e);
    }
  }
  return { found, missing };
}

/** The missing browsers only (npm test's check); describeMissing(missing) says where it looked and how to install. */
export function missingBrowsers(opts) {
  return checkBrowsers(opts).missing;
}

// Run directly (npm run test:e2e). pathToFileURL: argv[1] is a C:\ path on Windows.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { found, missing } = checkBrowsers();
  if (missing.length) {
    console.error(describeMissing(missing));
    console.error('The end-to-end tests drive real browsers; they are not skipped.');
    process.exit(1);
  }
  console.log(`Chromium-family: ${found.chromium.path} (${found.chromium.kind}, from ${found.chromium.source})`);
  console.log(`Firefox:         ${found.firefox.path} (from ${found.firefox.source})`);
}
