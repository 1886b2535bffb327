// Real protocol servers on 127.0.0.1, for the demo (`npm start`) and the decoders' e2e tests:
//   Socket.IO   a chat: `chat` events broadcast to all, acked; `upload` binary events answered with their size;
//               the `/admin` namespace answers `stats`; serves its browser client at /socket.io/socket.io.js
//   MQTT        an aedes broker over WebSocket (subprotocol mqtt) for MQTT 3.1.1; aedes has no MQTT 5, so v5 clients
//               get a small broker here (mqtt-packet: connect, subscribe, QoS 0–2 publish, ping); a feed publishes
//               prices/BTC and prices/ETH to both
//   GraphQL     graphql-ws (subprotocol graphql-transport-ws) at /graphql: query `hello`, subscription
//               `prices(symbol)` sending a price every `tickMs`
//   JSON-RPC    2.0 over a plain socket at /rpc: `ping` answered at once, `slow` after `slowMs`, `never` never (a
//               request left unanswered), `fail` with an error, batches answered as batches; `subscribe` starts
//               `price` notifications every `tickMs`
import http from 'node:http';
import { Server as SocketIoServer } from 'socket.io';
import { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import mqttPacket from 'mqtt-packet';
import { createRequire } from 'node:module';

// graphql refuses a schema made by another copy of itself: the server and the schema load the same (CommonJS) copy,
// however this file is loaded (a test runner may bundle it and resolve `graphql` to its ES module build).
const require = createRequire(import.meta.url);
const { buildSchema } = require('graphql');
const { useServer } = require('graphql-ws/use/ws');

const listen = (server, port, host) =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server.address().port));
  });

export async function startSocketIo({ port = 0, host = '127.0.0.1' } = {}) {
  const server = http.createServer();
  const io = new SocketIoServer(server, { cors: { origin: '*' }, serveClient: true });
  io.on('connection', (socket) => {
    socket.emit('welcome', { room: 'lobby', users: io.engine.clientsCount });
    socket.on('chat', (msg, ack) => {
      io.emit('chat', { ...msg, at: Date.now() });
      if (typeof ack === 'function') ack({ ok: true, id: Math.floor(Math.random() * 1e6) });
    });
    socket.on('upload', (name, bytes, ack) => {
      if (typeof ack === 'function') ack({ name, size: bytes?.length ?? 0 });
    });
  });
  io.of('/admin').on('connection', (socket) => {
    socket.on('stats', (ack) => typeof ack === 'function' && ack({ clients: io.engine.clientsCount }));
  });
  const p = await listen(server, port, host);
  return {
    url: `http://${host}:${p}`,
    io,
    close: () => new Promise((resolve) => io.close(() => resolve())),
  };
}

export async function startMqtt({ port = 0, host = '127.0.0.1', feedMs = 0 } = {}) {
  const broker = await Aedes.createBroker();
  const server = http.createServer();
  const wss = new WebSocketServer({ server, handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false) });
  const v5 = new Set();
  wss.on('connection', (ws) => {
    // The protocol level is the byte after the protocol name in the first CONNECT (a one-byte remaining length);
    // MQTT.js may write a packet in several frames, so read until that byte is there.
    const head = [];
    const first = (data) => {
      head.push(data);
      const got = Buffer.concat(head);
      if (got.length < 9) return;
      ws.off('message', first);
      if (got[8] === 5) mqtt5(ws, got);
      else {
        const stream = createWebSocketStream(ws);
        stream.unshift(got);
        broker.handle(stream);
      }
    };
    ws.on('message', first);
  });
  const topicMatches = (filter, topic) => {
    const f = filter.split('/');
    const t = topic.split('/');
    for (let i = 0; i < f.length; i++) {
      if (f[i] === '#') return true;
      if (f[i] !== '+' && f[i] !== t[i]) return false;
    }
    return f.length === t.length;
  };
  const send5 = (ws, packet) => ws.readyState === 1 && ws.send(mqttPacket.generate(packet, { protocolVersion: 5 }));
  const deliver5 = (topic, payload, qos = 0) => {
    for (const c of v5) {
      const sub = [...c.subs].find(([f]) => topicMatches(f, topic));
      if (!sub) continue;
      const q = Math.min(qos, sub[1]);
      send5(c.ws, { cmd: 'publish', topic, payload, qos: q, messageId: q ? (c.nextId = (c.nextId % 65535) + 1) : undefined, properties: { contentType: 'application/json' } });
    }
  };
  function mqtt5(ws, first) {
    const client = { ws, subs: new Map(), nextId: 0 };
    v5.add(client);
    ws.on('close', () => v5.delete(client));
    const parser = mqttPacket.parser({ protocolVersion: 5 });
    parser.on('packet', (p) => {
      switch (p.cmd) {
        case 'connect':
          return send5(ws, { cmd: 'connack', sessionPresent: false, reasonCode: 0, properties: { topicAliasMaximum: 10 } });
        case 'subscribe':
          for (const s of p.subscriptions) client.subs.set(s.topic, s.qos);
          return send5(ws, { cmd: 'suback', messageId: p.messageId, granted: p.subscriptions.map((s) => s.qos) });
        case 'unsubscribe':
          for (const t of p.unsubscriptions) client.subs.delete(t);
          return send5(ws, { cmd: 'unsuback', messageId: p.messageId, granted: p.unsubscriptions.map(() => 0) });
        case 'publish':
          if (p.qos === 1) send5(ws, { cmd: 'puback', messageId: p.messageId, reasonCode: 0 });
          if (p.qos === 2) send5(ws, { cmd: 'pubrec', messageId: p.messageId, reasonCode: 0 });
          return deliver5(p.topic, p.payload, p.qos);
        case 'pubrel':
          return send5(ws, { cmd: 'pubcomp', messageId: p.messageId, reasonCode: 0 });
        case 'pingreq':
          return send5(ws, { cmd: 'pingresp' });
        case 'disconnect':
          return ws.close();
      }
    });
    parser.parse(first);
    ws.on('message', (data) => parser.parse(data));
  }
  const p = await listen(server, port, host);
  let timer;
  if (feedMs > 0) {
    let price = 64000;
    timer = setInterval(() => {
      price += Math.round((Math.random() - 0.5) * 200);
      const payload = JSON.stringify({ symbol: 'BTC', price, at: Date.now() });
      const eth = JSON.stringify({ symbol: 'ETH', price: price / 20 });
      broker.publish({ cmd: 'publish', topic: 'prices/BTC', payload: Buffer.from(payload), qos: 0, retain: false, dup: false }, () => {});
      broker.publish({ cmd: 'publish', topic: 'prices/ETH', payload: Buffer.from(eth), qos: 0, retain: false, dup: false }, () => {});
      deliver5('prices/BTC', Buffer.from(payload));
      deliver5('prices/ETH', Buffer.from(eth));
    }, feedMs);
  }
  return {
    wsUrl: `ws://${host}:${p}`,
    broker,
    close: async () => {
      clearInterval(timer);
      for (const c of wss.clients) c.terminate();
      await new Promise((resolve) => wss.close(() => resolve()));
      await new Promise((resolve) => server.close(() => resolve()));
      await new Promise((resolve) => broker.close(() => resolve()));
    },
  };
}

const GRAPHQL_SCHEMA = buildSchema(`
  type Query { hello(name: String): String }
  type Price { symbol: String!, price: Float!, seq: Int! }
  type Subscription { prices(symbol: String!, limit: Int): Price }
`);

export async function startGraphql({ port = 0, host = '127.0.0.1', tickMs = 1000 } = {}) {
  const server = http.createServer();
  const wss = new WebSocketServer({ server, path: '/graphql' });
  const roots = {
    query: { hello: ({ name }) => `Hello, ${name ?? 'world'}!` },
    subscription: {
      prices: async function* ({ symbol, limit }) {
        let price = symbol === 'BTC' ? 64000 : 3200;
        for (let seq = 0; limit === undefined || limit === null || seq < limit; seq++) {
          await new Promise((r) => setTimeout(r, tickMs));
          price += Math.round((Math.random() - 0.5) * 40);
          yield { prices: { symbol, price, seq } };
        }
      },
    },
  };
  const disposable = useServer({ schema: GRAPHQL_SCHEMA, roots }, wss);
  const p = await listen(server, port, host);
  return {
    wsUrl: `ws://${host}:${p}/graphql`,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await disposable.dispose();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export async function startJsonRpc({ port = 0, host = '127.0.0.1', slowMs = 400, tickMs = 0 } = {}) {
  const server = http.createServer();
  const wss = new WebSocketServer({ server, path: '/rpc' });
  const timers = new Set();
  const later = (ms, fn) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  wss.on('connection', (ws) => {
    const send = (msg) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(msg));
    // One request's answer: handed to `reply` when it is ready (never, for `never`).
    const answer = (req, reply) => {
      if (!req || req.jsonrpc !== '2.0' || typeof req.method !== 'string') return reply({ jsonrpc: '2.0', id: req?.id ?? null, error: { code: -32600, message: 'Invalid Request' } });
      if (req.id === undefined) return; // a notification
      switch (req.method) {
        case 'ping':
          return reply({ jsonrpc: '2.0', id: req.id, result: 'pong' });
        case 'slow':
          return later(slowMs, () => reply({ jsonrpc: '2.0', id: req.id, result: { waited: slowMs } }));
        case 'never':
          return;
        case 'fail':
          return reply({ jsonrpc: '2.0', id: req.id, error: { code: -32000, message: 'It failed, as asked' } });
        case 'subscribe': {
          reply({ jsonrpc: '2.0', id: req.id, result: { subscribed: req.params?.symbol ?? 'BTC' } });
          if (tickMs > 0) {
            let price = 64000;
            const t = setInterval(() => {
              if (ws.readyState !== ws.OPEN) return clearInterval(t);
              price += Math.round((Math.random() - 0.5) * 40);
              send({ jsonrpc: '2.0', method: 'price', params: { symbol: req.params?.symbol ?? 'BTC', price } });
            }, tickMs);
            timers.add(t);
          }
          return;
        }
        default:
          return reply({ jsonrpc: '2.0', id: req.id, error: { code: -32601, message: `Method not found: ${req.method}` } });
      }
    };
    ws.on('message', (data) => {
      let msg;
      try {
        msg = JSON.parse(String(data));
      } catch {
        return send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
      }
      if (!Array.isArray(msg)) return answer(msg, send);
      // A batch: answered in one message once every request in it that will be answered is.
      const out = [];
      let waiting = 0;
      for (const req of msg) {
        if (req?.id === undefined || req.method === 'never') continue;
        waiting++;
        answer(req, (r) => {
          out.push(r);
          if (--waiting === 0) send(out);
        });
      }
    });
  });
  const p = await listen(server, port, host);
  return {
    wsUrl: `ws://${host}:${p}/rpc`,
    close: async () => {
      for (const t of timers) clearTimeout(t), clearInterval(t);
      for (const c of wss.clients) c.terminate();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
