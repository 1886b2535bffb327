// HAR import: time order, every bad-input case, other recorders' shapes.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { HarError, parseHar } from '../../../../src/model/har';
import { framesOf, harEntry, harOf, importStore } from './helpers';

describe('HAR import', () => {
  const entry = harEntry;
  const har = harOf;

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
    const { imp, s } = importStore(readFileSync(new URL('../../../fixtures/chrome.har', import.meta.url), 'utf8'));
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
    const started = Date.parse(JSON.parse(readFileSync(new URL('../../../fixtures/chrome.har', import.meta.url), 'utf8')).log.entries[0].startedDateTime);
    expect(Math.abs(framesOf(s)[0].ms - started)).toBeLessThan(1000);
  });

  it('reads a Playwright recordHar HAR, whose message times are epoch milliseconds (record-playwright-har.mjs)', () => {
    const { imp, s } = importStore(readFileSync(new URL('../../../fixtures/playwright.har', import.meta.url), 'utf8'));
    expect(imp.skipped).toBe(1); // the page itself
    expect(imp.connections).toBe(1);
    const frames = framesOf(s);
    expect(frames.map((f) => [f.dir, f.opcode, f.text ?? f.bytes])).toEqual([
      ['sent', 1, 'hello from playwright'],
      ['sent', 2, [222, 173, 190, 239]],
      ['received', 1, 'hello from playwright'],
      ['received', 2, [222, 173, 190, 239]],
    ]);
    const started = Date.parse(JSON.parse(readFileSync(new URL('../../../fixtures/playwright.har', import.meta.url), 'utf8')).log.entries[1].startedDateTime);
    expect(Math.abs(frames[0].ms - started)).toBeLessThan(1000);
  });

  it('reads an HTTP Toolkit HAR: http:// upgrade URLs, close codes, aborted sockets (make-httptoolkit-har.mjs)', () => {
    const { imp, s } = importStore(readFileSync(new URL('../../../fixtures/httptoolkit.har', import.meta.url), 'utf8'));
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
