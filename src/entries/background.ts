// Service worker: only a router for the toolbar button, which opens the Frameline panel as a normal tab
// inspecting the current tab (the panel then hosts capture itself). No domain logic lives here.
import { panelTabUrl } from '../panel/constants';

chrome.action?.onClicked.addListener((tab) => {
  if (tab.id === undefined || tab.id < 0) return;
  void chrome.tabs.create({ url: chrome.runtime.getURL(panelTabUrl(tab.id)), index: tab.index + 1 });
});
