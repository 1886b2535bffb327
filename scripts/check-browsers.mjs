// Fails with a clear message when a browser the e2e tests need is missing. Never a silent skip.
import { existsSync } from 'node:fs';

export function missingBrowsers() {
  const chromium = process.env.PUPPETEER_EXECUTABLE_PATH || '/usr/bin/chromium';
  const missing = [];
  const firefox = process.env.FIREFOX_EXECUTABLE_PATH || '/usr/bin/firefox-esr';
  if (!existsSync(chromium)) missing.push({ name: 'Chromium', path: chromium, pkg: 'chromium' });
  if (!existsSync(firefox)) missing.push({ name: 'Firefox ESR', path: firefox, pkg: 'firefox-esr' });
  return missing;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const missing = missingBrowsers();
  if (missing.length) {
    for (const m of missing) console.error(`✖ ${m.name} not found at ${m.path}.`);
    console.error(
      `The end-to-end tests drive real browsers. Install them with:\n  sudo apt-get install -y ${missing.map((m) => m.pkg).join(' ')}\n` +
        'or point PUPPETEER_EXECUTABLE_PATH at a Chromium/Chrome binary and FIREFOX_EXECUTABLE_PATH at a Firefox binary.',
    );
    process.exit(1);
  }
}
