// The baseline for Frameline's capture benchmarks: the least an extension must do to see a tab's WebSocket frames.
const tabId = chrome.devtools.inspectedWindow.tabId;
let frames = 0;
chrome.debugger.onEvent.addListener((source, method) => {
  if (source.tabId === tabId && (method === 'Network.webSocketFrameReceived' || method === 'Network.webSocketFrameSent')) {
    frames++;
    document.documentElement.dataset.frames = String(frames);
  }
});
chrome.debugger.attach({ tabId }, '1.3').then(() => chrome.debugger.sendCommand({ tabId }, 'Network.enable', {})).then(() => {
  document.documentElement.dataset.capturePhase = 'capturing';
});
