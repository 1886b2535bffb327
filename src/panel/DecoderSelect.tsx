// The decoder of a connection: what detection picked, or the user's choice (kept per URL without its query).
import type { SessionStore } from '../model/store';
import { DECODERS } from '../model/decode';
import { decodingOf, overrideDecoder, PROTOBUF, RAW } from '../model/decode/decoding';
import { ProtoSchema } from './ProtoSchema';
import { saveDecoderChoices } from '../platform/settings';

const AUTO = '';

export function DecoderSelect({ store, conn }: { store: SessionStore; conn: number }) {
  const decoding = decodingOf(store);
  const url = store.connections.get(conn)?.url;
  const current = decoding.chosenByUser(conn) ? decoding.protoOf(conn) : AUTO;
  const detected = decoding.detected(conn);
  return (
    <>
      <label class="decoder-select" title="How this connection's payloads are decoded (kept for its URL)">
        Decoder{' '}
        <select
          data-testid="decoder-select"
          data-protocol={decoding.protoOf(conn)}
          value={current}
          disabled={!url}
          onChange={(e) => {
            const v = (e.currentTarget).value;
            void saveDecoderChoices(overrideDecoder(url!, v === AUTO ? null : v));
          }}
        >
          <option value={AUTO}>Auto ({detected ? detected.label : 'none'})</option>
          {DECODERS.map((d) => (
            <option key={d.id} value={d.id}>
              {d.label}
            </option>
          ))}
          <option value={RAW}>None (raw)</option>
        </select>
      </label>
      {url && current === PROTOBUF && <ProtoSchema url={url} />}
    </>
  );
}
