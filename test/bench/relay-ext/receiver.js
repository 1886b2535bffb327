// Counts the frame records of Frameline-shaped batch messages arriving over a runtime Port; reports when told.
chrome.runtime.onConnect.addListener((port) => {
  if (port.name !== 'relay') return;
  let records = 0;
  let messages = 0;
  port.onMessage.addListener((m) => {
    if (m.type === 'batch') {
      records += m.batch ? m.batch.frames.id.length : m.records.length;
      messages++;
    } else if (m.type === 'end') port.postMessage({ type: 'done', records, messages, at: performance.timeOrigin + performance.now() });
  });
});
document.documentElement.dataset.ready = 'true';
