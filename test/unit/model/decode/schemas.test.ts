// The user's .proto files (per origin of the socket URL) and message types (per URL without query): kept state,
// checked when read back, and the decoder a schema makes reading the connections set to protobuf.
import { afterEach, describe, expect, it } from 'vitest';
import { SessionStore } from '../../../../src/model/store';
import { Decoding, overrideDecoder, resetDecoderOverrides, setSchemaDecoders } from '../../../../src/model/decode/decoding';
import { emptySchemas, filesFor, originOf, PROTO_FILE_MAX, typeFor, validSchemas, withFiles, withoutFile, withType } from '../../../../src/model/decode/schemas';
import type { Decoder } from '../../../../src/model/decode/types';

afterEach(() => resetDecoderOverrides());

const URL_A = 'wss://feed.example:8443/live?token=abc';
const must = <T,>(r: { schemas: T } | { error: string }): T => {
  if ('error' in r) throw new Error(r.error);
  return r.schemas;
};

describe('proto schemas', () => {
  it('keeps files per origin of the socket URL and types per URL without query', () => {
    expect(originOf(URL_A)).toBe('wss://feed.example:8443');
    let s = must(withFiles(emptySchemas(), URL_A, [{ name: 'a.proto', text: 'v1' }, { name: 'b.proto', text: 'b' }]));
    s = must(withFiles(s, 'wss://feed.example:8443/other', [{ name: 'a.proto', text: 'v2' }]));
    expect(filesFor(s, URL_A)).toEqual([{ name: 'b.proto', text: 'b' }, { name: 'a.proto', text: 'v2' }]);
    expect(filesFor(s, 'wss://feed.example/live')).toEqual([]); // another port: another origin
    s = withType(s, URL_A, 'market.Trade');
    expect(typeFor(s, 'wss://feed.example:8443/live?token=other')).toBe('market.Trade');
    expect(typeFor(s, 'wss://feed.example:8443/other')).toBeUndefined();
    s = withoutFile(withoutFile(s, URL_A, 'a.proto'), URL_A, 'b.proto');
    expect(s.files).toEqual({});
    expect(withType(s, URL_A, null).types).toEqual({});
  });

  it('refuses a file too large to be a schema, and a URL without origin', () => {
    expect(withFiles(emptySchemas(), URL_A, [{ name: 'big.proto', text: 'x'.repeat(PROTO_FILE_MAX + 1) }])).toEqual({ error: expect.stringMatching(/big\.proto is too large/) });
    expect(withFiles(emptySchemas(), 'not a url', [{ name: 'a.proto', text: '' }])).toEqual({ error: expect.stringMatching(/no origin/) });
  });

  it('reads back only well-formed state from storage', () => {
    expect(validSchemas(undefined)).toEqual(emptySchemas());
    expect(validSchemas({ files: { o: [{ name: 'a', text: 't' }, { name: 1 }, null, 'x'], p: 'nope' }, types: { u: 'T', v: 3, w: '' } })).toEqual({
      files: { o: [{ name: 'a', text: 't' }] },
      types: { u: 'T' },
    });
  });

  it('a schema decoder reads a connection set to protobuf, and only then', () => {
    const store = new SessionStore();
    store.apply([{ t: 'conn', conn: { id: 1, url: URL_A, state: 'open', openedBeforeCapture: false, target: { type: 'page' } } }]);
    const typed: Decoder = { id: 'protobuf', label: 'Protobuf (Trade)', decode: () => ({ proto: 'protobuf', messages: [] }) };
    const d = new Decoding(store);
    setSchemaDecoders(new Map([['wss://feed.example:8443/live', typed]]));
    expect(d.decoderOf(1)).toBeNull(); // no choice made: detection, which never picks protobuf
    overrideDecoder(URL_A, 'protobuf');
    expect(d.decoderOf(1)).toBe(typed);
    overrideDecoder(URL_A, 'msgpack');
    expect(d.decoderOf(1)?.id).toBe('msgpack');
    overrideDecoder(URL_A, 'protobuf');
    setSchemaDecoders(new Map());
    expect(d.decoderOf(1)?.label).toBe('Protobuf'); // the wire-format tree
  });
});
