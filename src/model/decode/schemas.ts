// The user's .proto files, kept per origin of the socket URL, and the message type chosen per connection URL (without
// its query, as decoder choices are). Pure state and its validation; the panel loads, saves and compiles it.
import { overrideKey } from './decoding';

export interface ProtoFile {
  name: string;
  text: string;
}

export interface ProtoSchemas {
  /** Origin of the socket URL (`wss://host:port`) → its .proto files. */
  files: Record<string, ProtoFile[]>;
  /** Connection URL without its query → the full name of the message type every frame is read as. */
  types: Record<string, string>;
}

/** The largest .proto file kept (a schema is text; anything bigger is surely not one). */
export const PROTO_FILE_MAX = 1024 * 1024;
/** Files kept per origin. */
export const PROTO_FILES_MAX = 64;

export const emptySchemas = (): ProtoSchemas => ({ files: {}, types: {} });

/** `wss://host:port` of a socket URL ('' when it does not parse). */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

/** What was stored, checked field by field: anything malformed is dropped, never trusted. */
export function validSchemas(got: unknown): ProtoSchemas {
  const out = emptySchemas();
  if (!got || typeof got !== 'object') return out;
  const { files, types } = got as Record<string, unknown>;
  if (files && typeof files === 'object') {
    for (const [origin, list] of Object.entries(files)) {
      if (!Array.isArray(list)) continue;
      const ok = list.filter(
        (f): f is ProtoFile =>
          !!f && typeof f === 'object' && typeof (f as ProtoFile).name === 'string' && typeof (f as ProtoFile).text === 'string' && (f as ProtoFile).text.length <= PROTO_FILE_MAX,
      );
      if (ok.length) out.files[origin] = ok.slice(0, PROTO_FILES_MAX).map((f) => ({ name: f.name, text: f.text }));
    }
  }
  if (types && typeof types === 'object') {
    for (const [key, t] of Object.entries(types)) if (typeof t === 'string' && t) out.types[key] = t;
  }
  return out;
}

const NO_FILES: readonly ProtoFile[] = Object.freeze([]);

/** The files of a connection URL's origin (the same array until they change: views may depend on it). */
export function filesFor(s: ProtoSchemas, url: string): readonly ProtoFile[] {
  return s.files[originOf(url)] ?? NO_FILES;
}

/** The message type chosen for a connection URL, or undefined. */
export function typeFor(s: ProtoSchemas, url: string): string | undefined {
  return s.types[overrideKey(url)];
}

/** Files added to a URL's origin: a file of the same name is replaced; too large, or too many, is refused. */
export function withFiles(s: ProtoSchemas, url: string, added: readonly ProtoFile[]): { schemas: ProtoSchemas } | { error: string } {
  const big = added.find((f) => f.text.length > PROTO_FILE_MAX);
  if (big) return { error: `${big.name} is too large for a .proto file (over ${PROTO_FILE_MAX / 1024} KiB)` };
  const origin = originOf(url);
  if (!origin) return { error: `no origin in ${url}` };
  const names = new Set(added.map((f) => f.name));
  const list = [...(s.files[origin] ?? []).filter((f) => !names.has(f.name)), ...added];
  if (list.length > PROTO_FILES_MAX) return { error: `at most ${PROTO_FILES_MAX} .proto files per origin` };
  return { schemas: { ...s, files: { ...s.files, [origin]: list } } };
}

/** The URL's origin without the file `name`; types chosen on that origin stay (they may be in another file). */
export function withoutFile(s: ProtoSchemas, url: string, name: string): ProtoSchemas {
  const origin = originOf(url);
  const list = (s.files[origin] ?? []).filter((f) => f.name !== name);
  const files = { ...s.files };
  if (list.length) files[origin] = list;
  else delete files[origin];
  return { ...s, files };
}

/** The message type for a connection URL (null: none, the wire format without a schema). */
export function withType(s: ProtoSchemas, url: string, type: string | null): ProtoSchemas {
  const types = { ...s.types };
  if (type) types[overrideKey(url)] = type;
  else delete types[overrideKey(url)];
  return { ...s, types };
}
