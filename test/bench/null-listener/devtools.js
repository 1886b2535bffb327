// The capture bench loads this extension beside Frameline and measures both in one browser: a page whose URL says
// nullListener=off is Frameline's turn, and this listener leaves it alone.
chrome.devtools.inspectedWindow.eval('location.search', (search) => {
  if (!String(search ?? '').includes('nullListener=off')) startNullListener(chrome.devtools.inspectedWindow.tabId);
});
// A panel that shows nothing that moves: shown (the benches' "null listener, panel shown"), it makes this extension's
// renderer a foreground process, as any extension's shown DevTools panel does (Chromium runs a renderer with no
// visible frame at a lower priority: nice 5 against 0 on Linux).
chrome.devtools.panels.create('Null listener', '', 'panel.html');
