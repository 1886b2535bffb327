startNullListener(chrome.devtools.inspectedWindow.tabId);
// A panel that shows nothing that moves: shown (the benches' "null listener, panel shown"), it makes this extension's
// renderer a foreground process, as any extension's shown DevTools panel does (Chromium runs a renderer with no
// visible frame at a lower priority: nice 5 against 0 on Linux).
chrome.devtools.panels.create('Null listener', '', 'panel.html');
