// Frameline's demo app: one page with WebSockets on 127.0.0.1 —
//   /chat    a chat room (JSON messages; a bot talks every few seconds),
//   /ticker  a fast ticker of JSON trades (20/s; "burst N" sends N at once),
//   /binary  binary frames (a position update every second; echoes what it gets),
// and real protocol servers (demo/protocols.mjs) so decoders show at once: a Socket.IO chat, an MQTT price feed
// (MQTT.js in the page), a GraphQL subscription (graphql-ws in the page) and a JSON-RPC client whose requests are
// answered at once, late or never (pairs and latency).
// Run: node demo/server.mjs [--port N]   (default 5170, or a free port if that is taken)
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { WebSocketServer } from 'ws';
import { startGraphql, startJsonRpc, startMqtt, startSocketIo } from './protocols.mjs';

const PAGE = readFileSync(new URL('./index.html', import.meta.url), 'utf8');
// The browser builds of the clients the page uses, from the packages npm installed.
const VENDOR = {
  '/vendor/mqtt.min.js': new URL('../node_modules/mqtt/dist/mqtt.min.js', import.meta.url),
  '/vendor/graphql-ws.min.js': new URL('../node_modules/graphql-ws/umd/graphql-ws.min.js', import.meta.url),
};

export async function startDemo({ port = 5170, host = '127.0.0.1' } = {}) {
  const [sio, mqtt, graphql, rpc] = await Promise.all([
    startSocketIo({ host }),
    startMqtt({ host, feedMs: 1000 }),
    startGraphql({ host }),
    startJsonRpc({ host, slowMs: 700, tickMs: 2000 }),
  ]);
  const page = PAGE.replace('__PROTOCOLS__', JSON.stringify({ socketIo: sio.url, mqtt: mqtt.wsUrl, graphql: graphql.wsUrl, rpc: rpc.wsUrl }));
  const server = http.createServer((req, res) => {
    const vendor = VENDOR[req.url ?? ''];
    if (vendor) {
      res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
      res.end(readFileSync(vendor));
    } else if (req.url === '/' || req.url?.startsWith('/?') || req.url === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(page);
    } else if (req.url === '/favicon.ico') {
      res.writeHead(204);
      res.end();
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  const wss = new WebSocketServer({ noServer: true });
  const timers = new Set();
  const every = (ms, fn) => {
    const t = setInterval(fn, ms);
    timers.add(t);
    return () => {
      clearInterval(t);
      timers.delete(t);
    };
  };
  const chatters = new Set();
  wss.on('headers', (headers) => headers.push('X-Demo-Server: frameline-demo'));

  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '/').split('?')[0];
    if (!['/chat', '/ticker', '/binary'].includes(path)) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (path === '/chat') chat(ws);
      else if (path === '/ticker') ticker(ws);
      else binary(ws);
    });
  });

  function chat(ws) {
    chatters.add(ws);
    const say = (msg) => {
      const data = JSON.stringify(msg);
      for (const c of chatters) if (c.readyState === 1) c.send(data);
    };
    ws.send(JSON.stringify({ type: 'welcome', room: 'lobby', users: chatters.size, at: Date.now() }));
    const lines = ['Anyone seen the build break?', 'Deploying in 5 minutes', '<b>not bold</b> <img src=x onerror=alert(1)>', '¿Qué tal? 日本語 😀'];
    let i = 0;
    const stop = every(3000, () => say({ type: 'message', user: { name: 'bot', id: 0 }, text: lines[i++ % lines.length], at: Date.now() }));
    ws.on('message', (data) => {
      let msg;
      try {
        msg = JSON.parse(String(data));
      } catch {
        msg = { text: String(data) };
      }
      say({ type: 'message', user: { name: msg.user ?? 'you', id: 1 }, text: String(msg.text ?? ''), at: Date.now() });
    });
    ws.on('close', () => {
      chatters.delete(ws);
      stop();
    });
  }

  function ticker(ws) {
    let seq = 0;
    let price = 100;
    const tick = () => {
      price = Math.max(1, price + (Math.random() - 0.5));
      return JSON.stringify({ type: 'trade', symbol: 'ACME', seq: seq++, price: Number(price.toFixed(2)), qty: 1 + Math.floor(Math.random() * 100), at: Date.now() });
    };
    const stop = every(50, () => ws.readyState === 1 && ws.send(tick()));
    ws.on('message', (data) => {
      const m = /^burst (\d+)$/.exec(String(data));
      if (m) {
        const n = Math.min(Number(m[1]), 1_000_000);
        for (let i = 0; i < n; i++) ws.send(tick());
        ws.send(JSON.stringify({ type: 'burst-done', n, lastSeq: seq - 1 }));
      }
    });
    ws.on('close', stop);
  }

  function binary(ws) {
    let n = 0;
    const stop = every(1000, () => {
      if (ws.readyState !== 1) return;
      const buf = Buffer.alloc(16);
      buf.writeUInt32BE(n++, 0);
      buf.writeFloatBE(Math.cos(n / 5) * 100, 4);
      buf.writeFloatBE(Math.sin(n / 5) * 100, 8);
      buf.writeUInt32BE(0xdeadbeef, 12);
      ws.send(buf);
    });
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on('close', stop);
  }

  const listen = (p) =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, host, () => {
        server.off('error', reject);
        resolve(server.address().port);
      });
    });
  let actual;
  try {
    actual = await listen(port);
  } catch (e) {
    if (e.code !== 'EADDRINUSE') throw e;
    actual = await listen(0);
  }
  return {
    url: `http://${host}:${actual}/`,
    async close() {
      for (const t of timers) clearInterval(t);
      for (const c of wss.clients) c.terminate();
      await Promise.all([new Promise((r) => server.close(r)), sio.close(), mqtt.close(), graphql.close(), rpc.close()]);
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--port');
  const demo = await startDemo({ port: i > 0 ? Number(process.argv[i + 1]) : 5170 });
  console.log(`Frameline demo app: ${demo.url}`);
}
