// What a query applied to a store reads besides the frame: the session's start, decodes, pairing.
import type { SessionStore } from './store';
import type { QueryContext } from './query/types';
import { decodingOf } from './decode/decoding';
import { pairsOf } from './pairs/of-store';

/** What a query over a store reads: its start, the decodes of its frames (a pass keeps only the last), pairing. */
export function queryContextOf(store: SessionStore): QueryContext {
  const decoding = decodingOf(store);
  // Connections get their decoder when first asked: ask for all now, so `$.` paths know where to read decodes.
  for (const id of store.connectionOrder) decoding.decoderOf(id);
  return {
    get startTs() {
      return store.frameCount ? store.tsAt(0) : 0;
    },
    get decoding() {
      return decoding.some;
    },
    protoOf: (conn) => decoding.protoOf(conn),
    decoderOf: (conn) => decoding.decoderOf(conn),
    decode: (f) => decoding.decode(f, false),
    hasName: (f, field, test, raw) => decoding.hasName(f, field, test, raw),
    pairs: pairsOf(store),
  };
}
