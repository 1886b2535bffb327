// DevTools page: one per DevTools window. Creates the Frameline panel and hosts capture for the inspected tab.
// Capture starts when the panel is first shown, or at once when the user chose "capture as soon as DevTools opens".
import { createHost } from '../platform/host';
import { servePanelPorts } from '../platform/panel-link';
import { loadSettings } from '../platform/settings';
import { PANEL_PAGE, PANEL_TITLE } from '../panel/constants';

const host = createHost(chrome.devtools.inspectedWindow.tabId);
servePanelPorts(host);
// Visible to automation (and handy when debugging the DevTools page itself).
host.onStatus = (s) => (document.documentElement.dataset.capturePhase = s.phase);

let shownOnce = false;
chrome.devtools.panels.create(PANEL_TITLE, 'icons/icon-32.png', PANEL_PAGE, (panel) => {
  panel.onShown.addListener(() => {
    if (shownOnce) return; // after a detach, re-attaching is the user's call (the panel offers it)
    shownOnce = true;
    void host.start();
  });
});

void loadSettings().then((s) => {
  if (s.captureStart === 'devtools-open') {
    shownOnce = true;
    void host.start();
  }
});

addEventListener('unload', () => host.dispose());
