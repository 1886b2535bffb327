// Sends `total` frame records of 200 B text in batches of `batch` over a runtime Port, in Frameline's message shape
// ('columnar': Frameline's own, src/model/wire.ts; 'records': an object per frame, as protocol v1 had), and times
// until the receiver has them all.
const pad = 'x'.repeat(200 - 24);
window.relay = (batch, total, shape = 'records') =>
  new Promise((resolve) => {
    const port = chrome.runtime.connect({ name: 'relay' });
    const t0 = performance.timeOrigin + performance.now();
    port.onMessage.addListener((m) => {
      if (m.type !== 'done') return;
      port.disconnect();
      resolve({ records: m.records, messages: m.messages, ms: m.at - t0 });
    });
    let id = 0;
    while (id < total) {
      if (shape === 'columnar') {
        // Frameline's message (src/protocol.ts batchMessage, src/model/wire.ts): frames as columns.
        const f = { id: [], conn: [], op: [], ts: [], size: [], k: [], p: [] };
        for (let k = 0; k < batch && id < total; k++, id++) {
          f.id.push(id); f.conn.push(1); f.op.push(1); f.ts.push(1000 + id / 1e4); f.size.push(200); f.k.push(1);
          f.p.push(`{"seq":${id},"p":"${pad}"}`.slice(0, 200));
        }
        port.postMessage({ v: 2, type: 'batch', batch: { frames: f, others: [], at: [] } });
        continue;
      }
      const records = [];
      for (let k = 0; k < batch && id < total; k++, id++) {
        records.push({ t: 'frame', frame: { id, conn: 1, dir: 'received', opcode: 1, ts: 1000 + id / 1e4, size: 200, text: `{"seq":${id},"p":"${pad}"}`.slice(0, 200) } });
      }
      port.postMessage({ v: 1, type: 'batch', records });
    }
    port.postMessage({ type: 'end' });
  });
document.documentElement.dataset.ready = 'true';
