// DevTools page: one per DevTools window. Creates the Frameline panel; in Chrome it also hosts capture for the
// inspected tab, started when the panel is first shown, or at once when the user chose "capture as soon as DevTools
// opens". In Firefox the panel page hosts capture itself (simpler: the page hook needs no debugger attachment to
// outlive the panel, and no port between panel and this page is needed).
import { createHost } from '../platform/capture-host';
import { FIREFOX_BUILD } from '../platform/build';
import { servePanelPorts } from '../platform/chrome/devtools-link';
import { loadSettings, onSettingsChanged } from '../platform/settings';
import { PANEL_PAGE, PANEL_TITLE } from '../panel/constants';
import { browser } from '../platform/browser';

if (FIREFOX_BUILD) {
  // Firefox resolves these paths against this page's folder, Chrome against the extension's root: make them absolute.
  void browser.devtools.panels.create(PANEL_TITLE, '/icons/icon-32.png', '/' + PANEL_PAGE);
} else {
  const host = createHost(browser.devtools.inspectedWindow.tabId);
  servePanelPorts(host);
  // Visible to automation (and handy when debugging the DevTools page itself).
  host.onStatus = (s) => (document.documentElement.dataset.capturePhase = s.phase);

  let shownOnce = false;
  void browser.devtools.panels.create(PANEL_TITLE, 'icons/icon-32.png', PANEL_PAGE).then((panel) => {
    panel.onShown.addListener(() => {
      if (shownOnce) return; // after a detach, re-attaching is the user's call (the panel offers it)
      shownOnce = true;
      void host.start();
    });
  });

  // What capture holds while the panel is not there to take it stays within the user's memory budget.
  const MB = 1024 * 1024;
  onSettingsChanged((s) => host.setBudget(s.memoryBudgetMB * MB));
  void loadSettings().then((s) => {
    host.setBudget(s.memoryBudgetMB * MB);
    if (s.captureStart === 'devtools-open') {
      shownOnce = true;
      void host.start();
    }
  });

  // pagehide, not unload: Chrome no longer fires unload everywhere, and a debugger attachment outlives its page.
  addEventListener('pagehide', () => host.dispose());
}
