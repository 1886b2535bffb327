// What the panel needs to know of the DevTools window it is in (nothing when it runs as a normal tab).
import { browser } from './browser';

/** The tab DevTools inspects, or undefined outside DevTools (the panel opened as a tab). */
export function inspectedTabId(): number | undefined {
  return browser.devtools?.inspectedWindow ? browser.devtools.inspectedWindow.tabId : undefined;
}

/** Follow DevTools' theme and its changes (Chrome tells changes through its own handler; Firefox through an event). */
export function followDevToolsTheme(apply: (dark: boolean) => void): void {
  const panels = browser.devtools.panels;
  apply(panels.themeName === 'dark');
  if (typeof chrome !== 'undefined' && chrome.devtools?.panels?.setThemeChangeHandler) {
    chrome.devtools.panels.setThemeChangeHandler((theme) => apply(theme === 'dark'));
  } else panels.onThemeChanged?.addListener((theme) => apply(theme === 'dark'));
}
