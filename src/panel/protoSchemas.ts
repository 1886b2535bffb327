// The .proto schemas of the panel: loaded from storage, changed by the user, compiled (protobufjs, loaded only when a
// schema is used: it is large) into the decoders that read the connections set to protobuf with a message type.
import { overrideDecoder, overrideKey, PROTOBUF, setSchemaDecoders } from '../model/decode/decoding';
import { emptySchemas, filesFor, typeFor, withFiles, withoutFile, withType, type ProtoFile, type ProtoSchemas } from '../model/decode/schemas';
import type { Decoder } from '../model/decode/types';
import { loadProtoSchemas, saveDecoderChoices, saveProtoSchemas } from '../platform/settings';

let schemas: ProtoSchemas = emptySchemas();
/** Why a connection URL's schema could not be used (per URL without query). */
let errors = new Map<string, string>();
/** Storage refused the last save. */
let unsaved = false;
const listeners = new Set<() => void>();
let generation = 0;
/** The decoders in use: a schema that stops compiling (a broken file added) leaves its last working one in use. */
let inUse = new Map<string, { type: string; decoder: Decoder }>();

const compiler = () => import('../model/decode/protobuf-schema');

function changed() {
  for (const fn of listeners) fn();
}

export function onSchemasChanged(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function currentSchemas(): ProtoSchemas {
  return schemas;
}

export function schemaError(url: string): string | undefined {
  return errors.get(overrideKey(url));
}

export function schemasUnsaved(): boolean {
  return unsaved;
}

/** Build the decoders of every connection URL given a message type whose origin has files. */
async function compile(): Promise<void> {
  const mine = ++generation;
  const wanted = Object.entries(schemas.types).map(([key, type]) => ({ key, type, files: filesFor(schemas, key) }));
  const byUrl = new Map<string, { type: string; decoder: Decoder }>();
  const why = new Map<string, string>();
  if (wanted.some((w) => w.files.length)) {
    let mod: Awaited<ReturnType<typeof compiler>> | undefined;
    try {
      mod = await compiler();
    } catch (e) {
      for (const w of wanted) why.set(w.key, `the protobuf compiler did not load: ${String(e)}`);
    }
    if (mod) {
      for (const w of wanted) {
        if (!w.files.length) continue;
        const r = mod.createProtobufSchemaDecoder(w.files.map((f) => f.text), w.type);
        if ('decoder' in r) byUrl.set(w.key, { type: w.type, decoder: r.decoder });
        else {
          const last = inUse.get(w.key);
          const keep = last?.type === w.type;
          if (keep) byUrl.set(w.key, last);
          why.set(w.key, keep ? `${r.error} (the last schema that worked is still in use)` : r.error);
        }
      }
    }
  }
  if (mine !== generation) return; // a later change compiles its own
  errors = why;
  inUse = byUrl;
  setSchemaDecoders(new Map([...byUrl].map(([key, x]) => [key, x.decoder])));
  changed();
}

async function update(next: ProtoSchemas): Promise<void> {
  schemas = next;
  changed();
  unsaved = !(await saveProtoSchemas(next));
  await compile();
}

export async function initSchemas(): Promise<void> {
  schemas = await loadProtoSchemas();
  await compile();
}

/** Add .proto files to the origin of a connection URL; the error says why they were refused. */
export async function addProtoFiles(url: string, files: readonly ProtoFile[]): Promise<string | null> {
  const r = withFiles(schemas, url, files);
  if ('error' in r) return r.error;
  await update(r.schemas);
  return null;
}

export function removeProtoFile(url: string, name: string): Promise<void> {
  return update(withoutFile(schemas, url, name));
}

/** Read a connection URL's frames as `type` (null: the wire-format tree); choosing a type also chooses protobuf. */
export async function chooseProtoType(url: string, type: string | null): Promise<void> {
  if (type) void saveDecoderChoices(overrideDecoder(url, PROTOBUF));
  await update(withType(schemas, url, type));
}

/** The message types the origin's files define, or why they do not parse. */
export async function messageTypesOf(url: string): Promise<{ types: string[] } | { error: string }> {
  const files = filesFor(schemas, url);
  if (!files.length) return { types: [] };
  try {
    return (await compiler()).protobufMessageTypes(files.map((f) => f.text));
  } catch (e) {
    return { error: `the protobuf compiler did not load: ${String(e)}` };
  }
}

export { filesFor, typeFor };
