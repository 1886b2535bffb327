import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { Encoder, Decoder as SioParserDecoder, PacketType } from 'socket.io-parser';
import { encodePacket } from 'engine.io-parser';
import { ATTACHMENT_REACH, socketioDecoder as d } from '../../../../src/model/decode/socketio';
import { DECODE_LIMIT, type DecodeInput } from '../../../../src/model/decode/types';
import { forgetShapes } from '../../../../src/model/query/json-valid';
import { SessionStore } from '../../../../src/model/store';
import type { CaptureRecord } from '../../../../src/model/types';
import { decodingOf } from '../../../../src/model/decode/decoding';
import { queryContextOf } from '../../../../src/model/query-context';
import { learnJson, parseQuery, type QueryContext } from '../../../../src/model/query';
import { bin, ctxFor, decodeAll, inputOf, recordedConnection, summaries, text } from './sio-support';

const URL4 = 'ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket';
const URL3 = 'ws://127.0.0.1:3000/socket.io/?EIO=3&transport=websocket';

/** What engine.io-parser puts on the wire for one packet (supportsBinary: raw bytes for binary data). */
function eio(packet: { type: string; data?: unknown }, supportsBinary = true): DecodeInput {
  let out: unknown;
  encodePacket(packet as never, supportsBinary, (e: unknown) => (out = e));
  return typeof out === 'string'
    ? { opcode: 1, dir: 'sent', text: out }
    : { opcode: 2, dir: 'sent', bytes: new Uint8Array(out as ArrayBufferLike as ArrayBuffer) };
}

/** socket.io-parser's Encoder, each part wrapped in an Engine.IO message as socket.io does. */
function sio(packet: Record<string, unknown>): DecodeInput[] {
  return (new Encoder().encode(packet as never) as unknown[]).map((part) => {
    if (typeof part === 'string') return eio({ type: 'message', data: part });
    const b = part as Uint8Array;
    return eio({ type: 'message', data: new Uint8Array(b.buffer, b.byteOffset, b.byteLength) });
  });
}

describe('recorded: socket.io 4 server and socket.io-client over WebSocket', () => {
  const c = recordedConnection('socketio', 'websocket');
  const frames = c.frames.map(inputOf);
  const ds = decodeAll(d, frames, c.url, c.protocol);

  test('every frame, in order', () => {
    const got = summaries(ds).map((s, i) => `${frames[i].dir} ${s.replace(/sid=\S+/, 'sid=…')}`);
    expect(got).toEqual([
      'received open sid=…',
      'sent CONNECT /',
      'received CONNECT /',
      'received EVENT welcome',
      'sent EVENT chat ack 0',
      'received EVENT chat',
      'received ACK 0',
      'sent EVENT chat',
      'received EVENT chat',
      'sent EVENT upload ack 1 (2 attachments)',
      'sent attachment 1/2 of EVENT upload',
      'sent attachment 2/2 of EVENT upload',
      'received ACK 1',
      'received EVENT download (1 attachment)',
      'received attachment 1/1 of EVENT download',
      'sent EVENT ask-binary ack 2',
      'received ACK 2 (1 attachment)',
      'received attachment 1/1 of ACK 2',
      'sent EVENT ask-client',
      'received EVENT question ack 0',
      'sent ACK 0',
      'received EVENT answered',
      'sent CONNECT /admin',
      'received CONNECT /admin',
      'sent /admin EVENT stats ack 0',
      'received /admin ACK 0',
      'sent DISCONNECT /admin',
      'sent CONNECT /private',
      'received CONNECT_ERROR /private Not authorized',
      'received ping',
      'sent pong',
      'sent DISCONNECT /',
    ]);
    expect(ds.every((x) => x.proto === 'socketio' && x.error === undefined)).toBe(true);
  });

  test('the open handshake, events, names and ack ids', () => {
    const open = ds[0].messages[0];
    expect(open.kind).toBe('open');
    expect(open.value).toMatchObject({ type: 'open', data: { upgrades: [], pingInterval: 1000, pingTimeout: 2000 } });
    const chat = ds[4].messages[0];
    expect(chat).toMatchObject({ kind: 'EVENT', names: { event: 'chat' }, id: 0 });
    expect(chat.value).toEqual({ type: 'EVENT', nsp: '/', id: 0, event: 'chat', args: [{ text: 'hello' }] });
    expect(ds[6].messages[0]).toMatchObject({ kind: 'ACK', id: 0, value: { type: 'ACK', args: [{ ok: true }] } });
    expect(ds[22].messages[0].value).toEqual({ type: 'CONNECT', nsp: '/admin', data: { token: 'abc' } });
    expect(ds[28].messages[0].value).toEqual({ type: 'CONNECT_ERROR', nsp: '/private', data: { message: 'Not authorized' } });
  });

  test('a binary event joins its attachments into args; each attachment names its event', () => {
    const up = ds[9].messages[0];
    expect(up.kind).toBe('BINARY_EVENT');
    expect(up.value).toEqual({
      type: 'BINARY_EVENT',
      nsp: '/',
      id: 1,
      attachments: 2,
      event: 'upload',
      args: [{ name: 'a.bin' }, { head: new Uint8Array(Buffer.from('HEAD')), tail: new Uint8Array([0, 255, 7]) }],
    });
    expect(ds[11].messages[0]).toMatchObject({ kind: 'attachment', names: { event: 'upload' }, id: 1 });
    expect(ds[11].messages[0].value).toEqual({
      type: 'attachment',
      index: 2,
      of: 2,
      packet: { type: 'BINARY_EVENT', nsp: '/', event: 'upload', id: 1 },
      data: new Uint8Array([0, 255, 7]),
    });
    expect(ds[16].messages[0].value).toMatchObject({ type: 'BINARY_ACK', args: [new Uint8Array(Buffer.from('bin-ack')), 'text too'] });
  });

  test('sniff: the first frame says Socket.IO', () => {
    expect(d.sniff!(frames[0], c.url)).toBe(true);
  });
});

describe('recorded: polling upgraded to WebSocket', () => {
  const c = recordedConnection('socketio', 'upgrade');
  const frames = c.frames.map(inputOf);
  test('probe, upgrade, then Socket.IO', () => {
    expect(summaries(decodeAll(d, frames, c.url))).toEqual([
      'ping probe',
      'pong probe',
      'upgrade',
      'EVENT chat ack 0',
      'EVENT chat',
      'ACK 0',
      'DISCONNECT /',
    ]);
    expect(d.sniff!(frames[0], c.url)).toBe(true);
  });
});

describe('Engine.IO packets (engine.io-parser)', () => {
  test('each packet type', () => {
    const open = { sid: 'abc', upgrades: ['websocket'], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1e6 };
    const cases: [DecodeInput, string, string][] = [
      [eio({ type: 'open', data: JSON.stringify(open) }), 'open sid=abc', 'open'],
      [eio({ type: 'close' }), 'close', 'close'],
      [eio({ type: 'ping' }), 'ping', 'ping'],
      [eio({ type: 'pong' }), 'pong', 'pong'],
      [eio({ type: 'ping', data: 'probe' }), 'ping probe', 'ping'],
      [eio({ type: 'pong', data: 'probe' }), 'pong probe', 'pong'],
      [eio({ type: 'upgrade' }), 'upgrade', 'upgrade'],
      [eio({ type: 'noop' }), 'noop', 'noop'],
      [eio({ type: 'message', data: 'hello engine' }), 'message hello engine', 'message'],
    ];
    for (const [f, summary, kind] of cases) {
      const r = d.decode(f, ctxFor([f], 0, URL4));
      expect(r.messages).toHaveLength(1);
      expect(r.messages[0]).toMatchObject({ summary, kind });
      expect(r.error).toBeUndefined();
    }
    const r = d.decode(cases[0][0], ctxFor([cases[0][0]], 0, URL4));
    expect(r.messages[0].value).toEqual({ type: 'open', data: open });
  });

  test('a binary message that is no attachment says so (raw bytes, and base64 text without binary support)', () => {
    const raw = eio({ type: 'message', data: new Uint8Array([1, 2, 3]) });
    expect(raw.opcode).toBe(2);
    const r = d.decode(raw, ctxFor([raw], 0, URL4));
    expect(r.messages[0]).toMatchObject({ kind: 'message', summary: 'binary message (3 bytes)' });
    expect(r.messages[0].value).toEqual({ type: 'message', data: new Uint8Array([1, 2, 3]) });
    const b64 = eio({ type: 'message', data: new Uint8Array([1, 2, 3]) }, false);
    expect(b64.text).toBe('bAQID');
    expect(d.decode(b64, ctxFor([b64], 0, URL4)).messages[0]).toMatchObject({
      summary: 'binary message (3 bytes, base64)',
      value: { type: 'message', data: new Uint8Array([1, 2, 3]) },
    });
    // A binary frame after an event whose attachments are all there is a message of its own.
    const frames = [...sio({ type: PacketType.EVENT, nsp: '/', data: ['x', new Uint8Array([9])] }), bin('sent', [7, 7])];
    expect(summaries(decodeAll(d, frames, URL4))).toEqual(['EVENT x (1 attachment)', 'attachment 1/1 of EVENT x', 'binary message (2 bytes)']);
    // …and so is one after an unrelated text packet.
    const after = [text('sent', '42["plain"]'), bin('sent', [1])];
    expect(summaries(decodeAll(d, after, URL4))[1]).toBe('binary message (1 byte)');
  });

  test('Engine.IO v3 (EIO=3): probes, binary frames with their type byte, ERROR, base64 attachments', () => {
    const frames = [
      text('sent', '2probe'),
      text('sent', '5'),
      text('sent', '451-/up,7["file",{"_placeholder":true,"num":0}]'),
      bin('sent', [4, 0xca, 0xfe]),
      bin('sent', [4, 1]),
      text('sent', '40/admin?token=x,'),
      text('sent', '451-["b64",{"_placeholder":true,"num":0}]'),
      text('sent', 'b4AQI='),
    ];
    const ds = decodeAll(d, frames, URL3);
    expect(summaries(ds)).toEqual([
      'ping probe',
      'upgrade',
      '/up EVENT file ack 7 (1 attachment)',
      'attachment 1/1 of /up EVENT file',
      'binary message (1 byte)',
      'CONNECT /admin?token=x',
      'EVENT b64 (1 attachment)',
      'attachment 1/1 of EVENT b64',
    ]);
    expect(ds[2].messages[0].value).toMatchObject({ nsp: '/up', id: 7, args: [new Uint8Array([0xca, 0xfe])] });
    expect(ds[6].messages[0].value).toMatchObject({ args: [new Uint8Array([1, 2])] });
    const err = text('received', '44/admin,"Not authorized"');
    expect(d.decode(err, ctxFor([err], 0, URL3)).messages[0]).toMatchObject({
      kind: 'ERROR',
      summary: 'ERROR /admin Not authorized',
      value: { type: 'ERROR', nsp: '/admin', data: 'Not authorized' },
    });
    // v4 reads the same packet type as CONNECT_ERROR.
    expect(d.decode(err, ctxFor([err], 0, URL4)).messages[0].kind).toBe('CONNECT_ERROR');
  });

  test('not Engine.IO: an error, no message', () => {
    const f = text('received', 'hello');
    const r = d.decode(f, ctxFor([f], 0, URL4));
    expect(r.messages).toEqual([]);
    expect(r.error).toMatch(/not an Engine\.IO packet/);
  });
});

describe('Socket.IO packets (socket.io-parser Encoder)', () => {
  test('each packet type, with namespace and ack id', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ type: PacketType.CONNECT, nsp: '/' }, 'CONNECT /'],
      [{ type: PacketType.CONNECT, nsp: '/admin', data: { token: 't' } }, 'CONNECT /admin'],
      [{ type: PacketType.DISCONNECT, nsp: '/admin' }, 'DISCONNECT /admin'],
      [{ type: PacketType.EVENT, nsp: '/', data: ['chat', 'hi'] }, 'EVENT chat'],
      [{ type: PacketType.EVENT, nsp: '/', data: ['chat', 'hi'], id: 12 }, 'EVENT chat ack 12'],
      [{ type: PacketType.EVENT, nsp: '/admin', data: ['chat'], id: 3 }, '/admin EVENT chat ack 3'],
      [{ type: PacketType.EVENT, nsp: '/', data: [42, 'numeric name'] }, 'EVENT 42'],
      [{ type: PacketType.ACK, nsp: '/', data: [], id: 12 }, 'ACK 12'],
      [{ type: PacketType.CONNECT_ERROR, nsp: '/x', data: { message: 'nope', data: { code: 1 } } }, 'CONNECT_ERROR /x nope'],
    ];
    for (const [packet, summary] of cases) {
      const frames = sio(packet);
      const r = d.decode(frames[0], ctxFor(frames, 0, URL4));
      expect(r.error).toBeUndefined();
      expect(r.messages[0].summary).toBe(summary);
      expect(r.messages[0].id).toBe(packet.id);
    }
  });

  test('the attachments of `451-["upload",{"_placeholder":true,"num":0}]`', () => {
    const frames = sio({ type: PacketType.EVENT, nsp: '/', data: ['upload', new Uint8Array([1, 2]), { more: new Uint8Array([3]) }] });
    expect(frames[0].text).toBe('452-["upload",{"_placeholder":true,"num":0},{"more":{"_placeholder":true,"num":1}}]');
    const ds = decodeAll(d, frames, URL4);
    expect(summaries(ds)).toEqual(['EVENT upload (2 attachments)', 'attachment 1/2 of EVENT upload', 'attachment 2/2 of EVENT upload']);
    expect(ds[0].messages[0].value).toMatchObject({ args: [new Uint8Array([1, 2]), { more: new Uint8Array([3]) }] });
  });

  test('attachments not captured (yet): the placeholders stay, no error', () => {
    const frames = sio({ type: PacketType.EVENT, nsp: '/', data: ['upload', new Uint8Array([1])] });
    const r = d.decode(frames[0], ctxFor(frames.slice(0, 1), 0, URL4));
    expect(r.error).toBeUndefined();
    expect(r.messages[0].value).toMatchObject({ args: [{ _placeholder: true, num: 0 }] });
  });

  test('a text frame where an attachment should be is an error', () => {
    const frames = [text('sent', '451-["up",{"_placeholder":true,"num":0}]'), text('sent', '42["other"]')];
    const r = d.decode(frames[0], ctxFor(frames, 0, URL4));
    expect(r.error).toMatch(/attachment 1\/1 missing/);
    expect(r.messages[0].summary).toBe('EVENT up (1 attachment)');
  });

  test('an attachment looks back at most ATTACHMENT_REACH frames', () => {
    const frames = [text('sent', '42["x"]'), ...Array.from({ length: 200 }, () => bin('sent', [0]))];
    const ctx = ctxFor(frames, 200, URL4);
    expect(d.decode(frames[200], ctx).messages[0].summary).toBe('binary message (1 byte)');
    expect(ctx.calls.length).toBeLessThanOrEqual(ATTACHMENT_REACH);
    expect(Math.min(...ctx.calls)).toBeGreaterThanOrEqual(-ATTACHMENT_REACH);
  });

  test('round trip: whatever the Encoder makes decodes to what socket.io-parser decodes', () => {
    const json = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<unknown>;
    const arg = fc.oneof(json, fc.uint8Array({ maxLength: 8 }).map((b) => ({ blob: b })), fc.uint8Array({ maxLength: 8 }));
    const eventName = fc.string({ minLength: 1, maxLength: 12 }).filter(
      (s) => !['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener'].includes(s),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('/', '/admin', '/a/b'),
        fc.option(fc.nat(1e6), { nil: undefined }),
        fc.boolean(),
        eventName,
        fc.array(arg, { maxLength: 4 }),
        (nsp, id, isAck, name, args) => {
          const data = isAck ? args : [name, ...args];
          if (isAck && id === undefined) return;
          const packet = { type: isAck ? PacketType.ACK : PacketType.EVENT, nsp, id, data };
          const frames = sio(packet);
          const ds = decodeAll(d, frames, URL4);
          // socket.io-parser's own reading, from the same wire parts.
          let expected: { data: unknown[]; id?: number; nsp: string } | undefined;
          const dec = new SioParserDecoder();
          dec.on('decoded', (p: unknown) => (expected = p as typeof expected));
          for (const f of frames) dec.add(f.text !== undefined ? f.text.slice(1) : Buffer.from(f.bytes!));
          const m = ds[0].messages[0];
          const v = m.value as { args: unknown[]; nsp: string; event?: string };
          expect(ds.every((x) => x.error === undefined)).toBe(true);
          expect(v.nsp).toBe(expected!.nsp);
          expect(m.id).toBe(expected!.id);
          const norm = (x: unknown): unknown =>
            x instanceof Uint8Array
              ? { bytes: [...x] }
              : Array.isArray(x)
                ? x.map(norm)
                : x !== null && typeof x === 'object'
                  ? Object.fromEntries(Object.entries(x).map(([k, val]) => [k, norm(val)]))
                  : x;
          if (isAck) expect(norm(v.args)).toEqual(norm(expected!.data));
          else {
            expect(m.names?.event).toBe(name);
            expect(norm([v.event, ...v.args])).toEqual(norm(expected!.data));
          }
          for (let k = 1; k < frames.length; k++) expect(ds[k].messages[0].summary).toMatch(new RegExp(`^attachment ${k}/${frames.length - 1} of `));
        },
      ),
      { numRuns: 200 },
    );
  });

  test('a huge event is cut at DECODE_LIMIT and still names its event', () => {
    const f = text('sent', '421["big","' + 'x'.repeat(DECODE_LIMIT) + '"]');
    const r = d.decode(f, ctxFor([f], 0, URL4));
    expect(r.truncated).toMatch(/^first/);
    expect(r.messages[0]).toMatchObject({ summary: 'EVENT big ack 1', names: { event: 'big' }, id: 1 });
  });
});

describe('names the page chose, in a summary', () => {
  test('line breaks and control characters in a namespace, an event or a sid fold to one line; long ones are cut', () => {
    const cases: [string, string][] = [
      ['44/pri\nvate,{"message":"Not authorized"}', 'CONNECT_ERROR /pri vate Not authorized'],
      ['40/a\r\nb,', 'CONNECT /a b'],
      ['42["ch\\nat\\u001b",1]', 'EVENT ch at '],
      ['42/x\ty,["chat"]', '/x y EVENT chat'],
      ['0{"sid":"a\\rb"}', 'open sid=a b'],
      [`42["${'e'.repeat(200)}"]`, `EVENT ${'e'.repeat(60)}…`],
    ];
    for (const [t, summary] of cases) {
      const frames = [text('received', t)];
      expect(d.decode(frames[0], ctxFor(frames, 0, URL4)).messages[0].summary).toBe(summary);
    }
  });
});

describe('sniff', () => {
  test('conservative off Socket.IO URLs', () => {
    expect(d.sniff!(text('received', '0{"sid":"x","upgrades":[]}'), 'wss://example.test/live')).toBe(true);
    expect(d.sniff!(text('received', '42["chat","hi"]'), 'wss://example.test/live')).toBeUndefined();
    expect(d.sniff!(text('received', '{"type":"hello"}'), 'wss://example.test/live')).toBe(false);
    expect(d.sniff!(bin('received', [1, 2]), 'wss://example.test/live')).toBeUndefined();
  });
  test('on a Socket.IO / Engine.IO URL', () => {
    expect(d.sniff!(text('sent', '2probe'), URL4)).toBe(true);
    expect(d.sniff!(text('sent', '40'), 'wss://h/engine?EIO=4&transport=websocket')).toBe(true);
    expect(d.sniff!(text('received', '{"type":"hello"}'), URL4)).toBe(false);
  });
});

test('a placeholder under a "__proto__" key is filled as a plain key', () => {
  const frames = [text('sent', '451-["e",{"__proto__":{"_placeholder":true,"num":0}}]'), bin('sent', [5])];
  const v = d.decode(frames[0], ctxFor(frames, 0, URL4)).messages[0].value as { args: Record<string, unknown>[] };
  expect(Object.getPrototypeOf(v.args[0])).toBe(Object.prototype);
  expect(Object.getOwnPropertyDescriptor(v.args[0], '__proto__')?.value).toEqual(new Uint8Array([5]));
});

describe('quickName (a query reads event names without decoding)', () => {
  /** What decode says the frame's event name is: the name, or null when its messages have none. */
  const decoded = (f: DecodeInput) => d.decode(f, ctxFor([f], 0, URL4)).messages.find((m) => m.names?.event !== undefined)?.names?.event ?? null;
  const agrees = (f: DecodeInput) => {
    const q = d.quickName!(f, 'event');
    if (q !== undefined) expect(q).toBe(decoded(f));
  };

  test('reads the name of plain events, with namespace, ack id and attachments', () => {
    forgetShapes(true); // the JSON grammar from the first text, not after a few
    for (const t of ['42["chat",{"a":1}]', '42/admin,7["chat"]', '4212["chat",1]', '451-["chat",{"_placeholder":true,"num":0}]']) {
      expect(d.quickName!(text('sent', t), 'event')).toBe('chat');
    }
    expect(d.quickName!(text('sent', '42["chat",{"a":1}]'), 'event')).toBe('chat');
    expect(d.quickName!(text('sent', '3'), 'event')).toBeNull();
    expect(d.quickName!(text('sent', '43["x"]'), 'event')).toBeNull();
    expect(d.quickName!(text('sent', '42["chat",{"a":1}]'), 'method')).toBeNull();
  });

  test('what it cannot tell quickly is left to decode: broken JSON, escapes, numeric names, binary', () => {
    for (const t of ['42["chat",{"a":1}', '42["ch\\"at"]', '42[12,"x"]', '42 ["chat"]', 'b4AQI=']) {
      expect(d.quickName!(text('sent', t), 'event')).toBeUndefined();
    }
    expect(d.quickName!(bin('sent', [1, 2]), 'event')).toBeUndefined();
  });

  test('agrees with decode on whatever the Encoder makes, on random texts and on mutated events', () => {
    const json = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<unknown>;
    fc.assert(
      fc.property(fc.constantFrom('/', '/admin'), fc.option(fc.nat(1e6), { nil: undefined }), fc.string({ minLength: 1, maxLength: 8 }), fc.array(json, { maxLength: 3 }), (nsp, id, name, args) => {
        for (const f of sio({ type: PacketType.EVENT, nsp, id, data: [name, ...args] })) agrees(f);
      }),
      { numRuns: 300 },
    );
    const alphabet = fc.constantFrom(...'0123456789[]{}",/-\\ abc:'.split(''));
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 30 }), (s) => agrees(text('sent', '4' + s))),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.nat(40), fc.constantFrom(...'0[]{}",/-\\ x'.split('')), (at, c) => {
        const t = '452-/admin,12["up",{"_placeholder":true,"num":0},{"a":[1,2]}]';
        agrees(text('sent', t.slice(0, at) + c + t.slice(at + 1)));
        agrees(text('sent', t.slice(0, at)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('quickPath (a query reads $.args in the raw JSON without decoding)', () => {
  const QUERIES = [
    '$.args[0].a == 1',
    '$.args[0] == "x"',
    '$.args[0] != "x"',
    '$.args[1] > 0',
    'exists($.args[0].b)',
    '$.args[0].b[1] ~ /a/',
    '$.args[2] == null',
    // Event names read in place share what the frame learnt of its JSON with the path terms.
    'event:up',
    'event:up $.args[0].a == 1',
  ];

  /** Each query's matches over the texts: through the quick path (as the panel asks), and decoding every frame. */
  function both(texts: string[]) {
    const store = new SessionStore();
    store.apply([{ t: 'conn', conn: { id: 1, url: URL4, state: 'open', openedBeforeCapture: false, target: { type: 'page' } } }]);
    store.apply(texts.map((text, k): CaptureRecord => ({ t: 'frame', frame: { id: k + 1, conn: 1, dir: 'sent', opcode: 1, ts: k, size: text.length, text } })));
    const quick = queryContextOf(store);
    const decoding = decodingOf(store);
    const slow: QueryContext = { startTs: 0, decoding: true, protoOf: (c) => decoding.protoOf(c), decode: (f) => decoding.decode(f, false) };
    const run = (ctx: QueryContext) =>
      QUERIES.map((q) => {
        const p = parseQuery(q).predicate!;
        const out: number[] = [];
        for (let i = 0; i < store.frameCount; i++) if (p(store.rowAt(i)!, store.connections.get(1), ctx)) out.push(i);
        return `${q}: ${out.join(',')}`;
      });
    return { store, quick: () => run(quick), slow: () => run(slow) };
  }

  /** Quick and decoded answers agree: cold, once frames remember what the first pass learnt, and after idle learning. */
  const agree = (texts: string[]) => {
    const { store, quick, slow } = both(texts);
    const want = slow();
    expect(quick()).toEqual(want);
    expect(quick()).toEqual(want);
    store.learn(learnJson, Infinity);
    expect(quick()).toEqual(want);
  };

  test('reads events, acks, namespaces and ack ids as decode does; other packets have no args', () => {
    forgetShapes();
    const { quick } = both([
      '42["up",{"a":1,"b":[0,"ab"]},5]', '42/admin,7["up",{"a":2},-1,null]', '4312[{"a":1}]', '40', '2', '0{"sid":"x"}',
      '42["up",{"a":1}', '42["up",{"a":1,"a":2}]', '451-["up",{"a":1}]', '42 ["up",{"a":1}]', '42["up","x"]',
    ]);
    expect(quick()).toEqual([
      '$.args[0].a == 1: 0,2,8,9', // 8: a binary event whose attachment is not captured keeps its args
      '$.args[0] == "x": 10',
      '$.args[0] != "x": 0,1,2,3,4,5,6,7,8,9',
      '$.args[1] > 0: 0',
      'exists($.args[0].b): 0',
      '$.args[0].b[1] ~ /a/: 0',
      '$.args[2] == null: 1',
      'event:up: 0,1,7,8,9,10',
      'event:up $.args[0].a == 1: 0,8,9',
    ]);
  });

  test('agrees with decode on what the Encoder makes, on random texts and on mutated events', () => {
    forgetShapes();
    const json = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<unknown>;
    const arg = fc.oneof(json, fc.record({ a: fc.oneof(fc.integer(), fc.constant(1)), b: fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 }) }), fc.constant('x'));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(PacketType.EVENT, PacketType.ACK), fc.constantFrom('/', '/admin'), fc.option(fc.nat(1e6), { nil: undefined }), fc.array(arg, { maxLength: 3 })), { minLength: 1, maxLength: 6 }),
        (packets) => {
          const texts = packets.flatMap(([type, nsp, id, args]) => sio({ type, nsp, id: type === PacketType.ACK ? (id ?? 1) : id, data: type === PacketType.EVENT ? ['up', ...args] : args }).map((f) => f.text!));
          agree(texts);
        },
      ),
      { numRuns: 150 },
    );
    const alphabet = fc.constantFrom(...'0123456789[]{}",/-\\ abx:'.split(''));
    fc.assert(fc.property(fc.array(fc.string({ unit: alphabet, maxLength: 30 }), { minLength: 1, maxLength: 8 }), (ss) => agree(ss.map((s) => '4' + s))), { numRuns: 300 });
    const event = '42/admin,12["up",{"a":1,"b":[0,"ab"]},{"a":[1,2]},null]';
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(event.length), fc.constantFrom(...'0[]{}",/-\\ x'.split(''))), { minLength: 1, maxLength: 6 }), (cuts) =>
        agree(cuts.flatMap(([at, c]) => [event.slice(0, at) + c + event.slice(at + 1), event.slice(0, at)])),
      ),
      { numRuns: 300 },
    );
  });
});
