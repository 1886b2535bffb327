// The baseline for Frameline's capture benchmarks: the least an extension must do to see a tab's WebSocket frames.
// It counts frames, and for frames carrying `"seq":N` (the bench server's streams) checks that none is missing or out
// of order, per socket. Used by the DevTools page (devtools.js) and by a page of its own in a tab (tab.html?tabId=N,
// as Frameline's panel page can capture a tab without DevTools).
function startNullListener(tabId) {
  let frames = 0;
  let gaps = 0;
  const lastSeq = new Map();
  chrome.debugger.onEvent.addListener((source, method, params) => {
    if (source.tabId !== tabId || (method !== 'Network.webSocketFrameReceived' && method !== 'Network.webSocketFrameSent')) return;
    frames++;
    const data = params.response.payloadData;
    if (data.charCodeAt(2) === 115 && data.startsWith('{"seq":')) {
      const seq = parseInt(data.slice(7), 10);
      const prev = lastSeq.get(params.requestId) ?? -1;
      if (seq !== prev + 1) gaps++;
      lastSeq.set(params.requestId, seq);
      if (window.__arrivals) window.__arrivals.push(performance.timeOrigin + performance.now(), seq); // latency bench
    }
    document.documentElement.dataset.frames = String(frames);
    document.documentElement.dataset.gaps = String(gaps);
  });
  chrome.debugger.attach({ tabId }, '1.3').then(() => chrome.debugger.sendCommand({ tabId }, 'Network.enable', {})).then(() => {
    document.documentElement.dataset.capturePhase = 'capturing';
  });
}
