// Decoders never corrupt the store: decoded byte values may be views into the store's byte blocks, and decoders read
// neighbours through it. Every decoder, forced onto a connection of random and real frames, decodes every frame and
// answers decoded queries; the store's frames stay byte for byte what they were, and decoding the same frame again
// gives the same answer.
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SessionStore } from '../../../../src/model/store';
import type { CaptureRecord, Frame } from '../../../../src/model/types';
import { DECODERS } from '../../../../src/model/decode/index';
import { Decoding, decodingOf, overrideDecoder, resetDecoderOverrides, summaryOf } from '../../../../src/model/decode/decoding';
import { parseQuery } from '../../../../src/model/query';
import { queryContextOf } from '../../../../src/model/query-context';
import { loadFixture, type FixtureFrame } from './rpc-support';

const REAL: FixtureFrame[] = ['socketio', 'stomp', 'mqtt', 'signalr', 'graphql', 'actioncable', 'jsonrpc'].flatMap((n) =>
  loadFixture(n).connections.flatMap((c) => c.frames),
);

const urlOf = (id: string) => `ws://127.0.0.1/${id}`;
const snapshot = (s: SessionStore) =>
  Array.from({ length: s.frameCount }, (_, i) => {
    const f: Frame = s.frameAt(i)!;
    return { id: f.id, conn: f.conn, dir: f.dir, opcode: f.opcode, size: f.size, text: f.text, bytes: f.bytes ? Array.from(f.bytes) : undefined };
  });

afterEach(() => resetDecoderOverrides());

describe('decoders and the store', () => {
  it('every decoder leaves the frames it reads as they were, and decodes them the same again', () => {
    const dir = fc.constantFrom('sent' as const, 'received' as const);
    const one: fc.Arbitrary<FixtureFrame> = fc.oneof(
      fc.constantFrom(...REAL),
      fc.record({ dir, opcode: fc.constant(1), text: fc.string({ unit: 'binary', maxLength: 60 }) }),
      fc.record({ dir, opcode: fc.constant(2), b64: fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b).toString('base64')) }),
    );
    const queries = ['event:chat', 'method:*', 'topic:#', 'dest:/topic/*', '$.args[0].price > 1', '$.type == "next"', 'proto:mqtt'].map(
      (q) => parseQuery(q).predicate!,
    );
    fc.assert(
      fc.property(fc.array(one, { minLength: 1, maxLength: 24 }), (frames) => {
        const s = new SessionStore();
        const records: CaptureRecord[] = [{ t: 'anchor', anchor: 1795000000 }];
        let id = 0;
        DECODERS.forEach((d, c) => {
          overrideDecoder(urlOf(d.id), d.id);
          records.push({ t: 'conn', conn: { id: c + 1, url: urlOf(d.id), state: 'open', openedBeforeCapture: false, target: { type: 'page' } } });
          for (const f of frames) {
            id++;
            const size = f.text !== undefined ? f.text.length : Buffer.from(f.b64 ?? '', 'base64').length;
            records.push({ t: 'frame', frame: { id, conn: c + 1, dir: f.dir, opcode: f.opcode, ts: id / 100, size, ...(f.b64 !== undefined ? { b64: f.b64 } : { text: f.text ?? '' }) } });
          }
        });
        s.apply(records);
        const before = snapshot(s);
        const decoding = decodingOf(s);
        const ctx = queryContextOf(s);
        const first: string[] = [];
        for (let i = 0; i < s.frameCount; i++) {
          const f = s.frameAt(i)!;
          const d = decoding.decode(f);
          first.push(d ? `${d.proto} ${summaryOf(d)}` : '-');
          for (const p of queries) p(s.rowAt(i)!, s.connections.get(f.conn), ctx);
        }
        expect(snapshot(s)).toEqual(before);
        // Decoded again from scratch (a new Decoding, no cache, reads the same store): the same answers.
        const fresh = new Decoding(s);
        const again = Array.from({ length: s.frameCount }, (_, i) => {
          const d = fresh.decode(s.frameAt(i)!);
          return d ? `${d.proto} ${summaryOf(d)}` : '-';
        });
        expect(again).toEqual(first);
        resetDecoderOverrides();
      }),
      { numRuns: 60 },
    );
  });
});
