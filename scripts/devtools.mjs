// Driving real DevTools with the Frameline panel, shared by `npm start` and the e2e tests.
// DevTools internals (ViewManager, InspectorView) are not a public API: they are used here and nowhere else.

export const PANEL_TITLE = 'Frameline';
export const PANEL_PATH = 'src/panel/index.html';
export const DEVTOOLS_PAGE_PATH = 'src/entries/devtools.html';

/** Chromium flags for this project's machines, loading the unpacked extension(s) at `extDir` (a dir, or a list of dirs; none without it). */
export function chromiumArgs(extDir) {
  // Several unpacked extensions: one comma-separated list for each flag.
  if (Array.isArray(extDir)) extDir = extDir.join(',');
  return [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    ...(extDir ? [`--load-extension=${extDir}`, `--disable-extensions-except=${extDir}`] : []),
  ];
}

/** The extension id, from its service worker target. */
export async function extensionIdOf(browser) {
  const sw = await browser.waitForTarget(
    (t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'),
    { timeout: 30_000 },
  );
  return new URL(sw.url()).host;
}

const viewId = (extensionId) => `chrome-extension://${extensionId}${PANEL_TITLE}`;

/**
 * Wait until DevTools (page `dt`) has a view `id` among its panel tabs (an extension's panel registers shortly after
 * its DevTools page loads). `what` names it in the error.
 */
export async function waitForView(dt, id, { timeout = 30_000, what = `The view ${id}` } = {}) {
  const deadline = Date.now() + timeout;
  let lastError;
  for (;;) {
    // Throws while DevTools is still starting up (its settings or views do not exist yet): retry.
    const has = await dt
      .evaluate(
        `(async () => { const UI = await import('./ui/legacy/legacy.js');
          return UI.InspectorView.InspectorView.instance().tabbedPane.tabIds().includes(${JSON.stringify(id)}); })()`,
      )
      .catch((e) => {
        lastError = e;
        return false;
      });
    if (has) return;
    if (Date.now() > deadline) {
      throw new Error(`${what} never appeared in DevTools${lastError ? ` (${lastError.message.split('\n')[0]})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Wait until DevTools (page `dt`) has registered the Frameline panel. */
export function waitForPanelTab(dt, extensionId, timeout = 30_000) {
  return waitForView(dt, viewId(extensionId), { timeout, what: 'The Frameline panel' });
}

/** Show a view of DevTools (page `dt`): a panel such as 'console', or an extension's panel by its view id. */
export async function showView(dt, id) {
  await dt.evaluate(
    `(async () => { const UI = await import('./ui/legacy/legacy.js');
      await UI.ViewManager.ViewManager.instance().showView(${JSON.stringify(id)}); })()`,
  );
}

/** Show the Frameline panel in DevTools (page `dt`) and return the panel's frame. */
export async function showFramelinePanel(dt, extensionId) {
  await waitForPanelTab(dt, extensionId);
  await showView(dt, viewId(extensionId));
  return dt.waitForFrame((f) => f.url().startsWith(`chrome-extension://${extensionId}/${PANEL_PATH}`), {
    timeout: 30_000,
  });
}
