// Small protocol servers on 127.0.0.1 (OS-chosen ports), shared by the decoders' e2e tests and the fixture recorders
// (test/fixtures/decoders/record-*.mjs):
//   STOMP        a tiny broker (CONNECT / STOMP, SUBSCRIBE, UNSUBSCRIBE, SEND → MESSAGE, receipts, heart-beats, an
//                ERROR for /queue/forbidden), over SockJS (`sockjs`, prefix /stomp) and over plain `ws` at /ws
//                (subprotocols v12.stomp…), one HTTP server for both. A SEND that asks for a receipt from a subscriber
//                gets MESSAGE and RECEIPT in one WebSocket message.
//   SignalR      a hub (ASP.NET Core SignalR over WebSockets, no negotiation) speaking the JSON and the MessagePack hub
//                protocols, writing with the libraries' own encoders: SendMessage (broadcasts ReceiveMessage and
//                completes), Fail, Notify, streams Counter and Forever, uploads.
//   ActionCable  a cable at /cable that answers as Rails does: welcome, pings, confirm / reject_subscription (the
//                SecretChannel is rejected), broadcasts of each `message` command, disconnect on `leave`.
// `observe(wss)` is called before a server's own listeners, so a recorder sees every frame.
import http from 'node:http';
import sockjs from 'sockjs';
import { WebSocketServer } from 'ws';
import { JsonHubProtocol, MessageType } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { decode } from '@msgpack/msgpack';

const listen = (server, port, host) =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server.address().port));
  });

const closeHttp = (server) =>
  new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });

// ---- STOMP ----

/** Splits one message into frames (EOL-only parts are heart-beats). Headers stay raw (escaped) lines. */
function stompFrames(buf) {
  const out = [];
  let i = 0;
  while (i < buf.length) {
    while (i < buf.length && (buf[i] === 10 || buf[i] === 13)) i++;
    if (i >= buf.length) break;
    const headEnd = buf.indexOf('\n\n', i) >= 0 ? buf.indexOf('\n\n', i) : buf.length;
    const lines = buf.subarray(i, headEnd).toString('utf8').split('\n').map((l) => l.replace(/\r$/, ''));
    const command = lines.shift();
    const raw = lines.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]);
    const headers = Object.fromEntries([...raw].reverse());
    const bodyStart = headEnd + 2;
    let bodyEnd;
    if (headers['content-length'] !== undefined) bodyEnd = bodyStart + Number(headers['content-length']);
    else bodyEnd = buf.indexOf(0, bodyStart) < 0 ? buf.length : buf.indexOf(0, bodyStart);
    out.push({ command, headers, raw, body: buf.subarray(bodyStart, bodyEnd) });
    i = bodyEnd + 1;
  }
  return out;
}

function stompFrame(command, headers, body = Buffer.alloc(0)) {
  const head = [command, ...headers.map(([k, v]) => `${k}:${v}`)].join('\n');
  return Buffer.concat([Buffer.from(head + '\n\n'), Buffer.from(body), Buffer.from([0])]);
}

const isBinary = (b) => b.includes(0) || b.some((x) => x >= 0x80 && x < 0xa0);

function stompBroker() {
  const subs = new Set(); // { peer, id, dest }
  let messageSeq = 0;
  /** peer: { send(buf, binary), close(), binaryBodies? } */
  return function handle(peer, data) {
    for (const f of stompFrames(Buffer.from(data))) {
      const h = f.headers;
      const receipt = h.receipt !== undefined ? stompFrame('RECEIPT', [['receipt-id', h.receipt]]) : undefined;
      switch (f.command) {
        case 'CONNECT':
        case 'STOMP': {
          // Heart-beats every 200 ms, each way the client asks for.
          const [cx, cy] = (h['heart-beat'] ?? '0,0').split(',').map(Number);
          const beat = `${cy > 0 ? 200 : 0},${cx > 0 ? 200 : 0}`;
          peer.send(stompFrame('CONNECTED', [['version', '1.2'], ['heart-beat', beat], ['server', 'tiny-broker/1.0']]));
          if (cy > 0) peer.beat = setInterval(() => peer.send(Buffer.from('\n')), 200);
          break;
        }
        case 'SUBSCRIBE':
          subs.add({ peer, id: h.id, dest: h.destination });
          if (receipt) peer.send(receipt);
          break;
        case 'UNSUBSCRIBE':
          for (const s of subs) if (s.peer === peer && s.id === h.id) subs.delete(s);
          if (receipt) peer.send(receipt);
          break;
        case 'SEND': {
          if (h.destination === '/queue/forbidden') {
            // STOMP 1.2 escapes the colon in a header value.
            const err = [['message', 'forbidden\\c /queue/forbidden'], ['content-type', 'text/plain']];
            if (h.receipt !== undefined) err.push(['receipt-id', h.receipt]);
            peer.send(stompFrame('ERROR', err, Buffer.from('You may not send to /queue/forbidden')));
            setTimeout(() => peer.close(), 50);
            break;
          }
          // Other headers of the SEND travel on, still escaped as they came.
          const extra = f.raw.filter(([k]) => !['destination', 'receipt', 'content-length'].includes(k));
          for (const s of subs) {
            if (s.dest !== h.destination) continue;
            const msg = stompFrame(
              'MESSAGE',
              [['destination', s.dest], ['subscription', s.id], ['message-id', `m-${++messageSeq}`], ...extra,
                ['content-length', String(f.body.length)]],
              f.body,
            );
            if (s.peer === peer && receipt) {
              peer.send(Buffer.concat([msg, receipt]), peer.binaryBodies && isBinary(f.body)); // two frames, one message
              continue;
            }
            s.peer.send(msg, isBinary(f.body));
          }
          if (receipt && ![...subs].some((s) => s.peer === peer && s.dest === h.destination)) peer.send(receipt);
          break;
        }
        case 'DISCONNECT':
          if (receipt) peer.send(receipt);
          clearInterval(peer.beat);
          for (const s of subs) if (s.peer === peer) subs.delete(s);
          break;
      }
    }
  };
}

export async function startStomp({ port = 0, host = '127.0.0.1' } = {}) {
  const handle = stompBroker();
  const peers = new Set();
  const server = http.createServer();
  const wss = new WebSocketServer({
    server,
    path: '/ws',
    perMessageDeflate: false,
    handleProtocols: (protos) => ['v12.stomp', 'v11.stomp', 'v10.stomp'].find((p) => protos.has(p)) ?? false,
  });
  wss.on('connection', (ws) => {
    const peer = {
      binaryBodies: true,
      send: (buf, binary = false) => ws.send(binary ? buf : buf.toString('utf8'), { binary }),
      close: () => ws.close(),
    };
    peers.add(peer);
    ws.on('message', (data) => handle(peer, data));
    ws.on('close', () => (clearInterval(peer.beat), peers.delete(peer)));
  });
  // SockJS takes its prefix's requests and hands the others (/ws) on.
  const sj = sockjs.createServer({ prefix: '/stomp', log: () => {} });
  sj.on('connection', (conn) => {
    const peer = { send: (buf) => conn.write(buf.toString('utf8')), close: () => conn.close() };
    peers.add(peer);
    conn.on('data', (s) => handle(peer, Buffer.from(s, 'utf8')));
    conn.on('close', () => (clearInterval(peer.beat), peers.delete(peer)));
  });
  sj.installHandlers(server, { prefix: '/stomp' });
  const p = await listen(server, port, host);
  return {
    url: `http://${host}:${p}`,
    sockjsUrl: `http://${host}:${p}/stomp`,
    wsUrl: `ws://${host}:${p}/ws`,
    port: p,
    close: async () => {
      for (const peer of peers) clearInterval(peer.beat);
      for (const c of wss.clients) c.terminate();
      await closeHttp(server);
    },
  };
}

// ---- SignalR ----

/**
 * Reads the client's messages (the libraries' parsers read only what a client receives: no StreamInvocation, no
 * CancelInvocation).
 */
function parseHub(input) {
  if (typeof input === 'string') return input.split('\x1e').filter(Boolean).map((r) => JSON.parse(r));
  const out = [];
  for (let p = 0; p < input.length;) {
    let len = 0;
    let shift = 0;
    let b;
    do {
      b = input[p++];
      len |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    const a = decode(input.subarray(p, p + len));
    p += len;
    const [type, , invocationId, target, args, streamIds] = a;
    out.push({ type, invocationId: invocationId ?? undefined, target, arguments: args, streamIds });
  }
  return out;
}

export async function startSignalr({ port = 0, host = '127.0.0.1', observe } = {}) {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  observe?.(wss);
  wss.on('connection', (socket) => {
    let protocol;
    const streams = new Map();
    const out = (...messages) => {
      if (socket.readyState !== socket.OPEN) return;
      if (protocol.name === 'json') socket.send(messages.map((m) => protocol.writeMessage(m)).join(''));
      else socket.send(Buffer.concat(messages.map((m) => Buffer.from(protocol.writeMessage(m)))));
    };
    socket.on('message', (data, isBinaryFrame) => {
      if (!protocol) {
        const hs = JSON.parse(String(data).replace(/\x1e$/, ''));
        protocol = hs.protocol === 'json' ? new JsonHubProtocol() : new MessagePackHubProtocol();
        // The handshake answer goes in the connection's transfer format: binary for MessagePack.
        socket.send(protocol.name === 'json' ? '{}\x1e' : Buffer.from('{}\x1e'));
        out({ type: MessageType.Ping });
        return;
      }
      const input = isBinaryFrame ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : String(data);
      for (const m of parseHub(input)) {
        if (m.type === MessageType.Invocation) {
          if (m.target === 'SendMessage') {
            out(
              { type: MessageType.Invocation, target: 'ReceiveMessage', arguments: m.arguments },
              { type: MessageType.Completion, invocationId: m.invocationId, result: `sent: ${m.arguments[1]}` },
            );
          } else if (m.target === 'Fail') {
            out({ type: MessageType.Completion, invocationId: m.invocationId, error: 'An unexpected error occurred invoking \'Fail\' on the server.' });
          } else if (m.target === 'Notify') {
            out({ type: MessageType.Invocation, target: 'Notified', arguments: [{ who: m.arguments[0], at: 1700000000000 }] });
          }
        } else if (m.type === MessageType.StreamInvocation) {
          if (m.target === 'Counter') {
            for (let i = 0; i < m.arguments[0]; i++) out({ type: MessageType.StreamItem, invocationId: m.invocationId, item: i });
            out({ type: MessageType.Completion, invocationId: m.invocationId });
          } else {
            let i = 0;
            streams.set(m.invocationId, setInterval(() => out({ type: MessageType.StreamItem, invocationId: m.invocationId, item: { tick: i++ } }), 10));
          }
        } else if (m.type === MessageType.CancelInvocation) {
          clearInterval(streams.get(m.invocationId));
        }
      }
    });
    socket.on('close', () => {
      for (const t of streams.values()) clearInterval(t);
    });
  });
  const p = await listen(server, port, host);
  return {
    /** The hub's URL as @microsoft/signalr takes it (http: the client makes it ws:). */
    url: `http://${host}:${p}/chat`,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise((resolve) => wss.close(() => resolve()));
      await closeHttp(server);
    },
  };
}

// ---- ActionCable ----

export async function startActionCable({ port = 0, host = '127.0.0.1', pingMs = 3000, observe } = {}) {
  const server = http.createServer();
  const wss = new WebSocketServer({ server, path: '/cable' });
  observe?.(wss);
  wss.on('connection', (socket) => {
    socket.send(JSON.stringify({ type: 'welcome' }));
    let t = 1700000000;
    const pings = setInterval(() => socket.send(JSON.stringify({ type: 'ping', message: t++ })), pingMs);
    socket.on('close', () => clearInterval(pings));
    socket.on('message', (data) => {
      const cmd = JSON.parse(String(data));
      const { channel } = JSON.parse(cmd.identifier);
      if (cmd.command === 'subscribe') {
        const type = channel === 'SecretChannel' ? 'reject_subscription' : 'confirm_subscription';
        socket.send(JSON.stringify({ identifier: cmd.identifier, type }));
      } else if (cmd.command === 'message') {
        const body = JSON.parse(cmd.data);
        socket.send(JSON.stringify({ identifier: cmd.identifier, message: { user: 'ada', body: body.message, action: body.action } }));
        if (body.action === 'leave') {
          socket.send(JSON.stringify({ type: 'disconnect', reason: 'unauthorized', reconnect: false }));
        }
      }
    });
  });
  const p = await listen(server, port, host);
  return {
    wsUrl: `ws://${host}:${p}/cable`,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise((resolve) => wss.close(() => resolve()));
      await closeHttp(server);
    },
  };
}
