// Background: only routers. The toolbar button opens the Frameline panel as a normal tab inspecting the current tab
// (the panel then hosts capture itself); in Firefox, the router pipes page hooks to the capture host of their tab.
// No domain logic lives here.
import { panelTabUrl } from '../panel/constants';
import { startRouter } from '../platform/firefox/background-router';
import { FIREFOX_BUILD } from '../platform/build';
import { browser } from '../platform/browser';
import { watchAttachments } from '../platform/chrome/attach-watch';

browser.action?.onClicked.addListener((tab) => {
  if (tab.id === undefined || tab.id < 0) return;
  void browser.tabs.create({ url: browser.runtime.getURL(panelTabUrl(tab.id)), index: tab.index + 1 });
});

// Chrome captures through chrome.debugger in the DevTools page (the background detaches a tab whose page went without
// detaching); Firefox has no debugger API.
if (FIREFOX_BUILD) startRouter();
else watchAttachments();
