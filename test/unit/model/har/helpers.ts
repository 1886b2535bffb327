// Helpers shared by the HAR export and import tests: a store captured from recorded CDP events, an import into a
// fresh store, and a store's frames as comparable records.
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

