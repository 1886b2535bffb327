// npm start (after npm run build): starts the demo app on 127.0.0.1 and opens Chromium (or Chrome: whichever
// scripts/find-browsers.mjs finds) with Frameline loaded and DevTools on the Frameline panel for the demo page. Without a
// display it says so, keeps the demo running, and prints how to load the unpacked build into your own browser.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startDemo } from '../demo/server.mjs';
import { chromiumArgs, extensionIdOf, showFramelinePanel } from './devtools.mjs';
import { BrowserNotFoundError, findChromium } from './find-browsers.mjs';

const root = resolve(import.meta.dirname, '..');
const chromeDist = join(root, 'dist/chrome');
const firefoxDist = join(root, 'dist/firefox');
const demo = await startDemo();
console.log(`\nFrameline demo app (chat, fast ticker, binary, Socket.IO chat, MQTT feed, GraphQL subscription, JSON-RPC): ${demo.url}`);

const howTo = `
Load Frameline into your own browser:
  Chrome/Chromium: open chrome://extensions, turn on "Developer mode", click "Load unpacked" and pick
                   ${chromeDist}
  Firefox:         open about:debugging#/runtime/this-firefox, "Load Temporary Add-on…", pick
                   ${join(firefoxDist, 'manifest.json')}
Then open ${demo.url}, open DevTools (F12) and choose the "Frameline" panel.
The demo keeps running until you press Ctrl+C.`;

const headless = process.argv.includes('--no-browser') || (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY);
let found;
let notFound;
try {
  found = findChromium();
} catch (e) {
  if (!(e instanceof BrowserNotFoundError)) throw e;
  notFound = e;
}

if (!existsSync(join(chromeDist, 'manifest.json'))) {
  console.error(`No build at ${chromeDist}: run "npm run build" (npm start does it for you).`);
} else if (headless) {
  console.log(
    process.argv.includes('--no-browser')
      ? '\n--no-browser: not opening a browser.'
      : '\nNo display here (DISPLAY/WAYLAND_DISPLAY unset): not opening a browser window.',
  );
  console.log(howTo);
} else if (notFound) {
  console.log(`\n${notFound.message}`);
  console.log(howTo);
} else {
  const { default: puppeteer } = await import('puppeteer');
  const profile = mkdtempSync(join(tmpdir(), 'frameline-start-'));
  // Branded Google Chrome ignores --load-extension (137+): it gets the build over CDP (Extensions.loadUnpacked)
  // below, which needs the pipe transport. Chromium and Chrome for Testing launch exactly as before.
  const branded = found.kind === 'chrome';
  const browser = await puppeteer.launch({
    executablePath: found.path,
    headless: false,
    enableExtensions: true,
    defaultViewport: null,
    userDataDir: profile,
    ...(branded ? { pipe: true } : {}),
    args: branded ? chromiumArgs() : chromiumArgs(chromeDist),
  });
  const cleanup = () => rmSync(profile, { recursive: true, force: true });
  browser.on('disconnected', async () => {
    cleanup();
    await demo.close();
    process.exit(0);
  });
  try {
    const id = branded ? await browser.installExtension(chromeDist) : await extensionIdOf(browser);
    // DevTools first, then the demo page: capture is running before its sockets open, so their handshakes show.
    const [page] = await browser.pages();
    const dt = await page.openDevTools();
    const panel = await showFramelinePanel(dt, id);
    for (let i = 0; i < 100; i++) {
      const phase = await panel.evaluate(`document.querySelector('[data-testid="capture-state"]')?.dataset.phase`).catch(() => '');
      if (phase === 'capturing') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await page.goto(demo.url);
    const name = { chromium: 'Chromium', 'chrome-for-testing': 'Chrome for Testing', chrome: 'Google Chrome' }[found.kind];
    console.log(`\n${name} is open on the demo page with DevTools on the Frameline panel (${found.path}).`);
    console.log('Close the browser or press Ctrl+C to stop.');
  } catch (e) {
    console.error('Could not open DevTools on the Frameline panel automatically:', e.message);
    console.log(howTo);
  }
}

process.on('SIGINT', async () => {
  await demo.close();
  process.exit(0);
});
