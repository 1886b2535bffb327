// Helpers shared by the HAR export and import tests: a store captured from recorded CDP events, an import into a
// fresh store, a store's frames as comparable records, and HAR documents written by hand.
import fixture from '../../../fixtures/cdp-events.json' with { type: 'json' };
import { CdpCapture } from '../../../../src/capture/chrome/cdp-dispatcher';
import { SessionStore } from '../../../../src/model/store';
import type { CaptureRecord } from '../../../../src/model/types';
import { parseHar } from '../../../../src/model/har';
import { collectInto } from '../../support/records';

export function capturedStore() {
  const records: CaptureRecord[] = [];
  const cap = new CdpCapture({ out: collectInto(records), now: () => 1_795_309_824_000 });
  for (const e of fixture.events as Array<{ sessionId?: string; method: string; params: unknown }>) cap.handle(e.sessionId, e.method, e.params);
  const store = new SessionStore();
  store.apply(records);
  return store;
}

export function importStore(text: string) {
  const imp = parseHar(text);
  const s = new SessionStore();
  s.apply(imp.records);
  return { imp, s };
}

export const framesOf = (s: SessionStore) =>
  Array.from({ length: s.frameCount }, (_, i) => s.frameAt(i)!).map((f) => ({
    url: s.connections.get(f.conn)!.url,
    dir: f.dir,
    opcode: f.opcode,
    text: f.text,
    bytes: f.bytes ? [...f.bytes] : undefined,
    ms: Math.round(s.wallMs(f.ts)),
    mark: f.mark,
  }));


/** A WebSocket entry as Chrome writes it, with `over` replacing its fields. */
export const harEntry = (over: Record<string, unknown> = {}) => ({
  startedDateTime: '2026-11-22T01:00:00.000Z',
  time: 0,
  request: { method: 'GET', url: 'wss://example.com/socket', httpVersion: 'HTTP/1.1', headers: [], cookies: [], queryString: [], headersSize: -1, bodySize: 0 },
  response: { status: 101, statusText: 'Switching Protocols', httpVersion: 'HTTP/1.1', headers: [], cookies: [], content: { size: 0, mimeType: 'x-unknown' }, redirectURL: '', headersSize: -1, bodySize: -1 },
  cache: {},
  timings: { send: 0, wait: 0, receive: 0 },
  ...over,
});

export const harOf = (entries: unknown[]) => JSON.stringify({ log: { version: '1.2', creator: { name: 't', version: '1' }, entries } });
