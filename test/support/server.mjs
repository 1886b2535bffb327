// A real HTTP + WebSocket (`ws`) server on 127.0.0.1, port 0, for e2e tests and fixture recording.
// Pages are registered by path; WebSocket endpoints:
//   /echo            echoes every message back (text stays text, binary stays binary)
//   /hdr             like /echo, and the 101 response carries `X-Frameline-Test: custom-header`
//   /close?code=&reason=   closes with that code and reason after the first message it receives
//   /badframe        answers the first message with a frame of reserved opcode 3 (a protocol error)
//   /burst?n=&size=[&rpc=1]  on message "go", sends n text frames of about `size` bytes: {"seq":i,"pad":"…"}, or with
//                    rpc=1 JSON-RPC answers {"seq":i,"jsonrpc":"2.0","id":i,"result":"…"}
//   /stream?rate=&seconds=&size=  on message "go", sends `rate` text frames per second for `seconds`, paced every
//                    5 ms: {"seq":i,"pad":"…"} of `size` bytes, then {"done":n}
//   anything else    behaves like /echo
// Every connection records what it received (server.connections[i].received) so tests can check replays.
import http from 'node:http';
import { WebSocketServer } from 'ws';

/** @returns {Promise<{port:number, origin:string, altOrigin:string, wsUrl:(p:string)=>string,
 *   page:(path:string, html:string)=>string, connections:any[], close:()=>Promise<void>}>} */
export async function startServer() {
  /** @type {Map<string,string>} */
  const pages = new Map();
  /** @type {any[]} */
  const connections = [];
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const body = pages.get(path);
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    const type = path.endsWith('.js') ? 'text/javascript' : 'text/html; charset=utf-8';
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  wss.on('headers', (headers, req) => {
    if ((req.url ?? '').startsWith('/hdr')) headers.push('X-Frameline-Test: custom-header');
  });
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const record = { path: url.pathname, query: Object.fromEntries(url.searchParams), received: [], closed: null };
      connections.push(record);
      ws.on('message', (data, isBinary) => {
        const buf = Buffer.isBuffer(data) ? data : Buffer.concat(/** @type {Buffer[]} */ (data));
        const at = performance.now();
        record.received.push(isBinary ? { binary: true, hex: buf.toString('hex'), at } : { text: buf.toString('utf8'), at });
        if (url.pathname === '/badframe') {
          // A frame with reserved opcode 3: the browser fails the connection (CDP webSocketFrameError).
          /** @type {any} */ (ws)._socket.write(Buffer.from([0x83, 0x00]));
          return;
        }
        if (url.pathname === '/close') {
          ws.close(Number(url.searchParams.get('code') ?? 1000), url.searchParams.get('reason') ?? '');
          return;
        }
        if (url.pathname === '/stream' && !isBinary && buf.toString() === 'go') {
          const rate = Number(url.searchParams.get('rate') ?? 1000);
          const seconds = Number(url.searchParams.get('seconds') ?? 10);
          const size = Number(url.searchParams.get('size') ?? 200);
          const total = Math.round(rate * seconds);
          const t0 = performance.now();
          let seq = 0;
          const tick = () => {
            if (ws.readyState !== ws.OPEN) return;
            const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
            for (; seq < due; seq++) {
              const head = `{"seq":${seq},"pad":"`;
              ws.send(head + 'x'.repeat(Math.max(0, size - head.length - 2)) + '"}');
            }
            if (seq < total) setTimeout(tick, 5);
            else ws.send(JSON.stringify({ done: total }));
          };
          tick();
          return;
        }
        if (url.pathname === '/burst' && !isBinary && buf.toString() === 'go') {
          const n = Number(url.searchParams.get('n') ?? 1000);
          const size = Number(url.searchParams.get('size') ?? 200);
          const pad = 'x'.repeat(Math.max(0, size - 30));
          // rpc=1: JSON-RPC 2.0 answers (pairing reads each one), still starting with "seq".
          const rpc = url.searchParams.get('rpc') === '1';
          for (let i = 0; i < n; i++) ws.send(JSON.stringify(rpc ? { seq: i, jsonrpc: '2.0', id: i, result: pad.slice(28) } : { seq: i, pad }));
          return;
        }
        ws.send(buf, { binary: isBinary });
      });
      ws.on('close', (code, reason) => {
        record.closed = { code, reason: reason.toString() };
      });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    port,
    origin,
    // Another site (for out-of-process iframes): same server, host name `localhost`.
    altOrigin: `http://localhost:${port}`,
    wsUrl: (p) => `ws://127.0.0.1:${port}${p}`,
    page(path, html) {
      pages.set(path, html);
      return origin + path;
    },
    connections,
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise((resolve) => wss.close(() => resolve(undefined)));
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}
