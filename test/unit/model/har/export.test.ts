// HAR export: HAR 1.2 schema validation, round trip, chunks, sanitizing, scopes.
import { describe, expect, it } from 'vitest';
import { harValidator as validator } from '../../../support/har-schema';
import { SessionStore } from '../../../../src/model/store';
import type { CaptureRecord } from '../../../../src/model/types';
import { buildHar, harChunks, harFileName } from '../../../../src/model/har';
import { capturedStore, framesOf, importStore } from './helpers';

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
