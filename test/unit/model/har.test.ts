// HAR export/import: round trip, HAR 1.2 schema validation, sanitizing, every bad-input case, other recorders' shapes.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { harValidator as validator } from '../../support/har-schema';
import fixture from '../../fixtures/cdp-events.json' with { type: 'json' };
import { CdpCapture } from '../../../src/capture/chrome/cdp-dispatcher';
import { SessionStore } from '../../../src/model/store';
import type { CaptureRecord } from '../../../src/model/types';
import { buildHar, harChunks, harFileName, HarError, parseHar } from '../../../src/model/har';
import { collectInto } from '../support/records';


function capturedStore() {
  const records: CaptureRecord[] = [];
  const cap = new CdpCapture({ out: collectInto(records), now: () => 1_795_309_824_000 });
  for (const e of fixture.events as Array<{ sessionId?: string; method: string; params: unknown }>) cap.handle(e.sessionId, e.method, e.params);
  const store = new SessionStore();
  store.apply(records);
  return store;
}

function importStore(text: string) {
  const imp = parseHar(text);
  const s = new SessionStore();
  s.apply(imp.records);
  return { imp, s };
}

const framesOf = (s: SessionStore) =>
  Array.from({ length: s.frameCount }, (_, i) => s.frameAt(i)!).map((f) => ({
    url: s.connections.get(f.conn)!.url,
    dir: f.dir,
    opcode: f.opcode,
    text: f.text,
    bytes: f.bytes ? [...f.bytes] : undefined,
    ms: Math.round(s.wallMs(f.ts)),
    mark: f.mark,
  }));

describe('HAR export', () => {
  it('writes HAR 1.2 that validates against the schema, one websocket entry per connection, Chrome message shape', () => {
    const store = capturedStore();
    const har = JSON.parse(buildHar(store, { creator: { name: 'Frameline', version: 'test' } }));
    const validate = validator();
    expect(validate(har), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(har.log.entries).toHaveLength(store.connections.size);
    const hdr = har.log.entries.find((e: any) => e.request.url.endsWith('/hdr'));
    expect(hdr._resourceType).toBe('websocket');
    expect(hdr.response.status).toBe(101);
    expect(hdr.response.headers).toContainEqual({ name: 'X-Frameline-Test', value: 'custom-header' });
    expect(hdr._webSocketMessages.map((m: any) => [m.type, m.opcode, m.data])).toEqual([
      ['send', 1, 'text-1 héllo'],
      ['send', 2, 'AAEC/v8='],
      ['receive', 1, 'text-1 héllo'],
      ['receive', 2, 'AAEC/v8='],
    ]);
    expect(hdr._webSocketMessages[0].time).toBeGreaterThan(1.7e9); // epoch seconds
    expect(hdr._webSocketMessages[0].time).toBeLessThan(2e9);
    const bad = har.log.entries.find((e: any) => e.request.url.endsWith('/badframe'));
    expect(bad._webSocketMessages.at(-1)).toMatchObject({ type: 'error', opcode: -1, data: 'Unrecognized frame opcode: 3' });
  });

  it('round-trips: export → import gives the same frames, bytes and times to the millisecond', () => {
    const store = capturedStore();
    store.apply([
      { t: 'conn', conn: { ...store.connections.get(store.connectionOrder[1])!, closeCode: 4000, closeReason: 'bye', wasClean: true } },
      { t: 'frame', frame: { id: 9001, conn: store.connectionOrder[1], dir: 'sent', opcode: 1, ts: 300, size: 2, text: 'hi', mark: 'replayed' } },
      { t: 'frame', frame: { id: 9002, conn: store.connectionOrder[1], dir: 'received', opcode: 1, ts: 300.5, size: 2, text: 'yo', mark: 'injected' } },
    ]);
    const { imp, s } = importStore(buildHar(store, { sanitize: false }));
    expect(imp.skipped).toBe(0);
    // The captured frames interleave across connections; import puts them back in the same time order.
    expect(framesOf(s)).toEqual(framesOf(store));
    expect(Array.from({ length: s.frameCount }, (_, i) => s.frameAt(i)!.id)).toEqual(Array.from({ length: s.frameCount }, (_, i) => i + 1));
    expect(s.frameCount).toBe(store.frameCount);
    const c = [...s.connections.values()].find((x) => x.closeCode === 4000)!;
    expect(c.closeReason).toBe('bye');
    expect(c.wasClean).toBe(true);
    const orig = [...store.connections.values()].find((x) => x.url.endsWith('/hdr'))!;
    const back = [...s.connections.values()].find((x) => x.url.endsWith('/hdr'))!;
    expect(back.protocol).toBe(orig.protocol);
    expect(back.response?.headers).toEqual(orig.response?.headers);
    // startedDateTime has millisecond resolution.
    expect(Math.floor(s.wallMs(back.createdTs!))).toBe(Math.floor(store.wallMs(orig.createdTs!)));
  });

  it('streams in chunks (no single giant string) that concatenate to the same document', () => {
    const store = new SessionStore();
    store.apply([{ t: 'anchor', anchor: 1_700_000_000 }, { t: 'conn', conn: { id: 1, url: 'ws://h/x', state: 'open', openedBeforeCapture: false, target: { type: 'page' } } }]);
    store.apply(Array.from({ length: 10 }, (_, i): CaptureRecord => ({ t: 'frame', frame: { id: i + 1, conn: 1, dir: 'sent', opcode: 1, ts: i, size: 1, text: String(i) } })));
    const chunks = [...harChunks(store, { chunkMessages: 3 })];
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.join('')).toBe(buildHar(store, { chunkMessages: 1000 }));
    expect(JSON.parse(chunks.join('')).log.entries[0]._webSocketMessages.map((m: any) => m.data)).toEqual(
      Array.from({ length: 10 }, (_, i) => String(i)),
    );
  });

  it('sanitizes by default (cookies, authorization, listed headers) and redacts payloads on request', () => {
    const store = new SessionStore();
    store.apply([
      { t: 'anchor', anchor: 1_700_000_000 },
      {
        t: 'conn',
        conn: {
          id: 1, url: 'ws://h/x?token=1', state: 'open', openedBeforeCapture: false, target: { type: 'page' },
          request: { headers: [{ name: 'Cookie', value: 'sid=secret' }, { name: 'Authorization', value: 'Bearer x' }, { name: 'X-Api-Key', value: 'k' }, { name: 'Origin', value: 'http://h' }] },
          response: { status: 101, statusText: 'Switching Protocols', headers: [{ name: 'Set-Cookie', value: 'sid=new; Path=/; HttpOnly' }] },
        },
      },
      { t: 'frame', frame: { id: 1, conn: 1, dir: 'sent', opcode: 1, ts: 1, size: 30, text: '{"password":"hunter2","ok":1}' } },
    ]);
    const clean = JSON.parse(buildHar(store, { stripHeaders: ['X-Api-Key'], redact: /hunter2/g }));
    const e = clean.log.entries[0];
    expect(e.request.headers).toEqual([{ name: 'Origin', value: 'http://h' }]);
    expect(e.request.cookies).toEqual([]);
    expect(e.response.headers).toEqual([]);
    expect(e._webSocketMessages[0].data).toBe('{"password":"[redacted]","ok":1}');
    const raw = JSON.parse(buildHar(store, { sanitize: false }));
    expect(raw.log.entries[0].request.cookies).toEqual([{ name: 'sid', value: 'secret' }]);
    expect(raw.log.entries[0].response.cookies[0]).toMatchObject({ name: 'sid', value: 'new', path: '/', httpOnly: true });
  });

  it('exports only the chosen connections, or only the frames the filter shows', () => {
    const store = capturedStore();
    const one = store.connectionOrder[1];
    const har = JSON.parse(buildHar(store, { connections: new Set([one]) }));
    expect(har.log.entries).toHaveLength(1);
    const filtered = JSON.parse(buildHar(store, { frameFilter: (f) => f.dir === 'sent' }));
    const all = filtered.log.entries.flatMap((e: any) => e._webSocketMessages);
    expect(all.length).toBeGreaterThan(0);
    expect(all.every((m: any) => m.type === 'send')).toBe(true);
  });

  it('names the file after the host and the time', () => {
    expect(harFileName('127.0.0.1:8080', new Date(2026, 10, 22, 1, 2, 3))).toBe('frameline-127.0.0.1-8080-2026-11-22-010203.har');
  });
});

describe('HAR import', () => {
  const entry = (over: Record<string, unknown> = {}) => ({
    startedDateTime: '2026-11-22T01:00:00.000Z',
    time: 0,
    request: { method: 'GET', url: 'wss://example.com/socket', httpVersion: 'HTTP/1.1', headers: [], cookies: [], queryString: [], headersSize: -1, bodySize: 0 },
    response: { status: 101, statusText: 'Switching Protocols', httpVersion: 'HTTP/1.1', headers: [], cookies: [], content: { size: 0, mimeType: 'x-unknown' }, redirectURL: '', headersSize: -1, bodySize: -1 },
    cache: {},
    timings: { send: 0, wait: 0, receive: 0 },
    ...over,
  });
  const har = (entries: unknown[]) => JSON.stringify({ log: { version: '1.2', creator: { name: 't', version: '1' }, entries } });

  it('skips and counts entries that are not WebSockets', () => {
    const http = entry({ request: { ...entry().request, url: 'https://example.com/' }, _resourceType: 'xhr' });
    const ws = entry({ _resourceType: 'websocket', _webSocketMessages: [{ type: 'send', time: 1795309824.5, opcode: 1, data: 'x' }] });
    const { imp, s } = importStore(har([http, ws, http]));
    expect(imp.skipped).toBe(2);
    expect(imp.connections).toBe(1);
    expect(s.frameAt(0)).toMatchObject({ dir: 'sent', text: 'x' });
    expect(s.wallMs(s.frameAt(0)!.ts)).toBe(1795309824500);
  });

  it('reads HTTP Toolkit shape (_webSocketClose) and the CDP-recorder variant (request/response, monotonic times)', () => {
    const toolkit = entry({ _webSocketMessages: [{ type: 'receive', time: 1795309824.25, opcode: 2, data: 'AQID' }], _webSocketClose: { code: 1001, reason: 'going away', timestamp: 1795309825 } });
    const cdp = entry({
      startedDateTime: '2026-11-22T01:00:00.000Z',
      _webSocketMessages: [
        { type: 'request', time: 203.5, opcode: 1, data: 'a' },
        { type: 'response', time: 204.75, opcode: 1, data: 'b' },
      ],
    });
    const { imp, s } = importStore(har([toolkit, cdp]));
    const c1 = s.connections.get(1)!;
    expect(c1.closeCode).toBe(1001);
    expect(c1.closeReason).toBe('going away');
    // In time order: the CDP recorder's messages (01:00:00) before HTTP Toolkit's (01:10:24).
    expect([...s.frameAt(2)!.bytes!]).toEqual([1, 2, 3]);
    const [a, b] = [s.frameAt(0)!, s.frameAt(1)!];
    expect([a.dir, b.dir]).toEqual(['sent', 'received']);
    expect(s.wallMs(a.ts)).toBe(Date.parse('2026-11-22T01:00:00.000Z'));
    expect(s.wallMs(b.ts) - s.wallMs(a.ts)).toBe(1250);
    expect(imp.warnings.join()).toMatch(/monotonic/);
  });

  it.each([
    ['not JSON', 'hello', /not valid JSON/],
    ['JSON but not HAR', '{"foo":1}', /no "log" object/],
    ['entries not a list', '{"log":{"entries":{}}}', /"log.entries" is not a list/],
    ['an entry that is not an object', har([42]), /Entry 0 is not an object/],
    ['a websocket entry without a URL', har([{ _resourceType: 'websocket', startedDateTime: '2026-11-22T01:00:00Z', request: {} }]), /Entry 0: request.url/],
    ['a bad date', har([entry({ startedDateTime: 'yesterday', _webSocketMessages: [] })]), /Entry 0: startedDateTime/],
    ['messages not a list', har([entry({ _resourceType: 'websocket', _webSocketMessages: 'x' })]), /Entry 0: _webSocketMessages is not a list/],
    ['a wrong message type', har([entry(), entry({ _webSocketMessages: [{ type: 'shout', time: 1, data: '' }] })]), /Entry 1, message 0: type "shout"/],
    ['a time that is not a number', har([entry({ _webSocketMessages: [{ type: 'send', time: 'now', data: '' }] })]), /message 0: time is not a number/],
    ['data that is not a string', har([entry({ _webSocketMessages: [{ type: 'send', time: 1, data: 5 }] })]), /message 0: data is not a string/],
    ['binary data that is not base64', har([entry({ _webSocketMessages: [{ type: 'send', time: 1, opcode: 2, data: '%%%' }] })]), /binary data is not base64/],
    ['bad headers', har([entry({ request: { ...entry().request, headers: [{ name: 1 }] } })]), /Entry 0, request: header 0/],
    ['a deeply nested document', '['.repeat(200_000) + ']'.repeat(200_000), /Not a HAR file/],
  ])('rejects %s with a clear message', (_name, text, message) => {
    expect(() => parseHar(text)).toThrow(HarError);
    expect(() => parseHar(text)).toThrow(message);
  });

  it('reads a HAR written by Chrome DevTools itself (test/fixtures/record-chrome-har.mjs)', () => {
    const { imp, s } = importStore(readFileSync(new URL('../../fixtures/chrome.har', import.meta.url), 'utf8'));
    expect(imp.connections).toBe(1);
    const c = s.connections.get(1)!;
    expect(c.url).toBe('ws://127.0.0.1:9/hdr?t=chrome');
    expect(c.response?.headers).toContainEqual({ name: 'X-Frameline-Test', value: 'custom-header' });
    expect(framesOf(s).map((f) => [f.dir, f.opcode, f.text ?? f.bytes])).toEqual([
      ['sent', 1, '{"hello":"from chrome"}'],
      ['sent', 2, [1, 2, 3, 255]],
      ['received', 1, '{"hello":"from chrome"}'],
      ['received', 2, [1, 2, 3, 255]],
    ]);
    const started = Date.parse(JSON.parse(readFileSync(new URL('../../fixtures/chrome.har', import.meta.url), 'utf8')).log.entries[0].startedDateTime);
    expect(Math.abs(framesOf(s)[0].ms - started)).toBeLessThan(1000);
  });

  it('reads a Playwright recordHar HAR, whose message times are epoch milliseconds (record-playwright-har.mjs)', () => {
    const { imp, s } = importStore(readFileSync(new URL('../../fixtures/playwright.har', import.meta.url), 'utf8'));
    expect(imp.skipped).toBe(1); // the page itself
    expect(imp.connections).toBe(1);
    const frames = framesOf(s);
    expect(frames.map((f) => [f.dir, f.opcode, f.text ?? f.bytes])).toEqual([
      ['sent', 1, 'hello from playwright'],
      ['sent', 2, [222, 173, 190, 239]],
      ['received', 1, 'hello from playwright'],
      ['received', 2, [222, 173, 190, 239]],
    ]);
    const started = Date.parse(JSON.parse(readFileSync(new URL('../../fixtures/playwright.har', import.meta.url), 'utf8')).log.entries[1].startedDateTime);
    expect(Math.abs(frames[0].ms - started)).toBeLessThan(1000);
  });

  it('reads an HTTP Toolkit HAR: http:// upgrade URLs, close codes, aborted sockets (make-httptoolkit-har.mjs)', () => {
    const { imp, s } = importStore(readFileSync(new URL('../../fixtures/httptoolkit.har', import.meta.url), 'utf8'));
    expect(imp.skipped).toBe(1);
    expect(imp.connections).toBe(2);
    const gql = s.connections.get(1)!;
    expect(gql.url).toBe('ws://localhost:8000/graphql');
    expect(gql.protocol).toBe('graphql-transport-ws');
    expect([gql.closeCode, gql.closeReason]).toEqual([1000, 'Normal closure']);
    expect(s.connections.get(2)).toMatchObject({ url: 'wss://localhost:8443/aborted', state: 'error' });
    const frames = framesOf(s);
    // In time order across both sockets: the aborted socket's ping (+5 ms) comes before the GraphQL init (+10 ms).
    expect(frames.map((f) => f.url)).toEqual(['wss://localhost:8443/aborted', ...Array(4).fill('ws://localhost:8000/graphql')]);
    expect(frames[2]).toMatchObject({ dir: 'received', text: '{"type":"connection_ack"}', ms: Date.UTC(2026, 10, 22, 1, 30, 0, 125) + 16 });
    expect(frames[4].bytes).toEqual([0, 1, 2, 3, 4]);
  });

  it('orders frames by time across entries, keeping file order for equal times, with ids increasing in that order', () => {
    const t0 = 1795309824;
    const m = (type: string, time: number, data: string) => ({ type, time, opcode: 1, data });
    const first = entry({ request: { ...entry().request, url: 'wss://example.com/a' }, _webSocketMessages: [m('send', t0, 'a0'), m('receive', t0 + 2, 'a2'), m('send', t0 + 1, 'a1')] });
    const second = entry({ request: { ...entry().request, url: 'wss://example.com/b' }, _webSocketMessages: [m('send', t0 + 1, 'b1'), m('receive', t0, 'b0'), m('send', t0 + 3, 'b3')] });
    const { imp, s } = importStore(har([first, second]));
    const rows = Array.from({ length: s.frameCount }, (_, i) => s.frameAt(i)!);
    // Equal times: entry a before entry b, as in the file.
    expect(rows.map((f) => f.text)).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b3']);
    expect(rows.map((f) => f.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(imp.frames).toBe(6);
    expect(rows.map((f) => s.connections.get(f.conn)!.url.slice(-1))).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
  });

  it('keeps a deeply nested payload as text', () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const { s } = importStore(har([entry({ _webSocketMessages: [{ type: 'receive', time: 1795309824, opcode: 1, data: deep }] })]));
    expect(s.frameAt(0)!.text).toBe(deep);
  });
});
