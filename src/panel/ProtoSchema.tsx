// Beside the decoder choice of a connection read as protobuf: the .proto files of its origin (add, remove) and the
// message type its frames are read as. Without a type, frames show as the wire-format tree.
import { useEffect, useState } from 'preact/hooks';
import {
  addProtoFiles,
  chooseProtoType,
  currentSchemas,
  filesFor,
  messageTypesOf,
  onSchemasChanged,
  removeProtoFile,
  schemaError,
  schemasUnsaved,
  typeFor,
} from './protoSchemas';

const NONE = '';

export function ProtoSchema({ url }: { url: string }) {
  const [, setTick] = useState(0);
  useEffect(() => onSchemasChanged(() => setTick((n) => n + 1)), []);
  const schemas = currentSchemas();
  const files = filesFor(schemas, url);
  const type = typeFor(schemas, url) ?? NONE;
  const [types, setTypes] = useState<{ types: string[] } | { error: string }>({ types: [] });
  const [refused, setRefused] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    void messageTypesOf(url).then((r) => current && setTypes(r));
    return () => {
      current = false;
    };
  }, [url, files]);
  const error = refused ?? ('error' in types ? types.error : null) ?? schemaError(url) ?? null;
  const list = 'types' in types ? types.types : [];
  return (
    <span class="proto-schema" data-testid="proto-schema">
      <span data-testid="proto-schema-files" class="proto-files">
        {files.map((f) => (
          <span key={f.name} class="proto-file" data-name={f.name}>
            {f.name}
            <button type="button" data-testid="proto-schema-remove" title={`Forget ${f.name} for this origin`} onClick={() => { setRefused(null); void removeProtoFile(url, f.name); }}>
              ×
            </button>
          </span>
        ))}
      </span>
      <label class="proto-add" title="Add .proto files for every connection of this origin">
        + .proto
        <input
          data-testid="proto-schema-input"
          type="file"
          accept=".proto,text/plain"
          multiple
          onChange={async (e) => {
            const input = e.currentTarget;
            const picked = [...(input.files ?? [])];
            input.value = '';
            const read = await Promise.all(picked.map(async (f) => ({ name: f.name, text: await f.text() })));
            setRefused(await addProtoFiles(url, read));
          }}
        />
      </label>
      <label>
        Type{' '}
        <select
          data-testid="proto-type-select"
          value={type}
          disabled={!files.length}
          onChange={(e) => void chooseProtoType(url, e.currentTarget.value || null)}
        >
          <option value={NONE}>{files.length ? 'None (wire format)' : 'Add a .proto first'}</option>
          {type && !list.includes(type) && <option value={type}>{type} (not in the files)</option>}
          {list.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      {error && (
        <span class="proto-error" data-testid="proto-schema-error" role="alert">
          {error}
        </span>
      )}
      {schemasUnsaved() && <span class="proto-error">Not kept: storage refused the schemas (they hold until the panel closes).</span>}
    </span>
  );
}
