// npm start (after npm run build): starts the demo app on 127.0.0.1 and opens Chromium with Frameline loaded and
// DevTools on the Frameline panel for the demo page. Without a display it says so, keeps the demo running, and
// prints how to load the unpacked build into your own browser.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startDemo } from '../demo/server.mjs';
import { chromiumArgs, extensionIdOf, showFramelinePanel } from './devtools.mjs';

const root = resolve(import.meta.dirname, '..');
const chromeDist = join(root, 'dist/chrome');
const firefoxDist = join(root, 'dist/firefox');
const demo = await startDemo();
console.log(`\nFrameline demo app (chat, fast ticker, binary): ${demo.url}`);

const howTo = `
Load Frameline into your own browser:
  Chrome/Chromium: open chrome://extensions, turn on "Developer mode", click "Load unpacked" and pick
                   ${chromeDist}
  Firefox:         open about:debugging#/runtime/this-firefox, "Load Temporary Add-on…", pick
                   ${join(firefoxDist, 'manifest.json')}
Then open ${demo.url}, open DevTools (F12) and choose the "Frameline" panel.
The demo keeps running until you press Ctrl+C.`;

const headless = process.argv.includes('--no-browser') || (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY);
const chromium = process.env.PUPPETEER_EXECUTABLE_PATH || '/usr/bin/chromium';

if (!existsSync(join(chromeDist, 'manifest.json'))) {
  console.error(`No build at ${chromeDist}: run "npm run build" (npm start does it for you).`);
} else if (headless) {
  console.log(
    process.argv.includes('--no-browser')
      ? '\n--no-browser: not opening a browser.'
      : '\nNo display here (DISPLAY/WAYLAND_DISPLAY unset): not opening a browser window.',
  );
  console.log(howTo);
} else if (!existsSync(chromium)) {
  console.log(`\nChromium not found at ${chromium} (install: sudo apt-get install -y chromium).`);
  console.log(howTo);
} else {
  const { default: puppeteer } = await import('puppeteer');
  const profile = mkdtempSync(join(tmpdir(), 'frameline-start-'));
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: false,
    enableExtensions: true,
    defaultViewport: null,
    userDataDir: profile,
    args: chromiumArgs(chromeDist),
  });
  const cleanup = () => rmSync(profile, { recursive: true, force: true });
  browser.on('disconnected', async () => {
    cleanup();
    await demo.close();
    process.exit(0);
  });
  try {
    const id = await extensionIdOf(browser);
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
    console.log('\nChromium is open on the demo page with DevTools on the Frameline panel.');
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
