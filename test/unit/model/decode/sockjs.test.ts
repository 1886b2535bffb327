import { describe, expect, test } from 'vitest';
import { isSockJsUrl, sockjsDecoder as d } from '../../../../src/model/decode/sockjs';
import type { DecodeInput } from '../../../../src/model/decode/types';
import { bin, ctxFor, decodeAll, inputOf, recordedConnection, summaries, text } from './sio-support';

const URL = 'ws://127.0.0.1:3000/stomp/123/abcdefgh/websocket';
const one = (f: DecodeInput) => d.decode(f, ctxFor([f], 0, URL));

describe('recorded: @stomp/stompjs over sockjs-client against a sockjs server', () => {
  const c = recordedConnection('stomp', 'sockjs');
  const frames = c.frames.map(inputOf);
  const ds = decodeAll(d, frames, c.url, c.protocol);

  test('every frame, in order: SockJS framing, STOMP inside', () => {
    expect(summaries(ds).map((s, i) => `${frames[i].dir} ${s}`)).toEqual([
      'received open',
      'sent CONNECT 1.2,1.1,1.0',
      'received CONNECTED 1.2',
      'sent SUBSCRIBE /topic/prices id=sub-0 receipt=77',
      'received RECEIPT 77',
      'sent SEND /topic/prices receipt=r-send-1',
      'received MESSAGE /topic/prices | RECEIPT r-send-1',
      'sent SEND /topic/prices',
      'received MESSAGE /topic/prices',
      'received heart-beat',
      'sent heart-beat',
      'received heart-beat',
      'sent heart-beat',
      'sent UNSUBSCRIBE id=sub-0',
      'sent DISCONNECT receipt=close-1',
      'received RECEIPT close-1',
    ]);
    expect(ds.every((x) => x.proto === 'sockjs' && x.error === undefined)).toBe(true);
  });

  test('the STOMP decode: names.dest, receipt ids, JSON body, unescaped headers', () => {
    expect(ds[5].messages[0]).toMatchObject({
      kind: 'SEND',
      names: { dest: '/topic/prices' },
      id: 'r-send-1',
      value: { command: 'SEND', body: { sym: 'BTC', price: 64000.5 } },
    });
    expect(ds[6].messages[1]).toMatchObject({ kind: 'RECEIPT', id: 'r-send-1' });
    expect(ds[7].messages[0].value).toMatchObject({ headers: { note: 'a:b\nc\\d' }, body: 'plain text: ünïcode' });
  });

  test('sniff: the session URL, and the first frame `o`', () => {
    expect(isSockJsUrl(c.url)).toBe(true);
    expect(d.sniff!(frames[0], c.url)).toBe(true);
    expect(d.sniff!(frames[0], 'ws://h/elsewhere')).toBe(true);
  });
});

describe('framing', () => {
  test('o, h, c, m, a with JSON and text; client frames', () => {
    expect(one(text('received', 'h')).messages).toEqual([{ summary: 'heartbeat', kind: 'heartbeat', value: null }]);
    expect(one(text('received', 'c[3000,"Go away!"]')).messages).toEqual([
      { summary: 'close 3000 Go away!', kind: 'close', value: { code: 3000, reason: 'Go away!' } },
    ]);
    expect(one(text('received', 'm"hello"')).messages).toEqual([{ summary: 'hello', kind: 'message', value: 'hello' }]);
    const a = one(text('received', 'a["{\\"type\\":\\"tick\\",\\"n\\":1}","plain words","42",""]'));
    expect(a.error).toBeUndefined();
    expect(a.messages).toEqual([
      { summary: '{"type":"tick","n":1}', kind: 'message', value: { type: 'tick', n: 1 } },
      { summary: 'plain words', kind: 'message', value: 'plain words' },
      { summary: '42', kind: 'message', value: 42 },
      { summary: '(empty)', kind: 'message', value: '' },
    ]);
    expect(one(text('received', 'a[]')).messages).toEqual([{ summary: '(no messages)', kind: 'array', value: [] }]);
    expect(one(text('sent', '["hi","{\\"a\\":[1]}"]')).messages.map((m) => m.value)).toEqual(['hi', { a: [1] }]);
    expect(one(text('sent', '"lone string"')).messages.map((m) => m.value)).toEqual(['lone string']);
  });

  test('several STOMP frames in one carried string, and STOMP beside other strings', () => {
    const s = JSON.stringify(['MESSAGE\ndestination:/a\n\n1\0MESSAGE\ndestination:/b\n\n{"v":2}\0', 'not stomp']);
    const r = one(text('received', 'a' + s));
    expect(r.messages.map((m) => m.summary)).toEqual(['MESSAGE /a', 'MESSAGE /b', 'not stomp']);
    expect(r.messages[1]).toMatchObject({ names: { dest: '/b' }, value: { body: { v: 2 } } });
    // A body that does not look like JSON (and says no JSON content-type) stays text.
    expect(r.messages[0].value).toMatchObject({ body: '1' });
  });

  test('broken frames say why', () => {
    expect(one(text('received', 'a["unterminated')).error).toMatch(/a-frame is not JSON/);
    expect(one(text('received', 'a[1,2]')).error).toMatch(/not a JSON array of strings/);
    expect(one(text('received', 'x')).error).toMatch(/not a SockJS frame/);
    expect(one(text('received', 'c{}')).error).toMatch(/close frame is not \[code, "reason"\]/);
    expect(one(bin('received', [1])).error).toMatch(/binary/);
    const stompError = one(text('sent', JSON.stringify(['SEND\ndestination:/x\n\nbody'])));
    expect(stompError.messages[0].summary).toBe('SEND /x');
    expect(stompError.error).toMatch(/^message 1: SEND frame ends without its NUL/);
  });
});

describe('sniff', () => {
  test('session URLs, not the raw endpoint', () => {
    expect(isSockJsUrl('wss://h/app/ws/042/x1y2z3/websocket')).toBe(true);
    expect(isSockJsUrl('wss://h/app/ws/042/x1y2z3/websocket?token=1')).toBe(true);
    expect(isSockJsUrl('wss://h/app/ws/websocket')).toBe(false);
    expect(isSockJsUrl('wss://h/api/v1/websocket')).toBe(false);
    expect(d.sniff!(text('sent', '["x"]'), 'wss://h/app/ws/042/x1y2z3/websocket')).toBe(true);
    expect(d.sniff!(text('received', 'a["x"]'), 'wss://h/other')).toBeUndefined();
    expect(d.sniff!(bin('received', [0]), 'wss://h/other')).toBeUndefined();
  });
});
