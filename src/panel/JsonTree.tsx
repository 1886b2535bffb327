// Collapsible JSON view. Children are rendered only when expanded, so a huge document costs what is shown.
import { useState } from 'preact/hooks';

const MAX_CHILDREN = 500;

const BYTES_SHOWN = 32;

function Leaf({ value }: { value: unknown }) {
  if (value === null) return <span class="j-null">null</span>;
  if (value instanceof Uint8Array) {
    const hex = Array.from(value.subarray(0, BYTES_SHOWN), (b) => b.toString(16).padStart(2, '0')).join(' ');
    return <span class="j-bytes">{`bytes(${value.length}) ${hex}${value.length > BYTES_SHOWN ? ' …' : ''}`}</span>;
  }
  switch (typeof value) {
    case 'string':
      return <span class="j-str">{JSON.stringify(value)}</span>;
    case 'number':
      return <span class="j-num">{String(value)}</span>;
    case 'boolean':
      return <span class="j-bool">{String(value)}</span>;
    case 'bigint':
      return <span class="j-num">{`${String(value)}n`}</span>;
    case 'undefined':
      return <span class="j-null">undefined</span>;
    default:
      return <span>{value === null ? 'null' : typeof value}</span>;
  }
}

function Node({ name, value, depth }: { name?: string; value: unknown; depth: number }) {
  const isObj = typeof value === 'object' && value !== null && !(value instanceof Uint8Array);
  const [open, setOpen] = useState(depth < 2);
  const key = name !== undefined ? <span class="j-key">{name}: </span> : null;
  if (!isObj) {
    return (
      <div class="j-line">
        {key}
        <Leaf value={value} />
      </div>
    );
  }
  const arr = Array.isArray(value);
  const entries: Array<readonly [string, unknown]> = arr ? (value as unknown[]).map((v, i) => [String(i), v] as const) : Object.entries(value);
  const summary = arr ? `Array(${entries.length})` : `{…} ${entries.length} keys`;
  return (
    <div class="j-node">
      <div class="j-line j-toggle" role="treeitem" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span class="j-caret">{open ? '▾' : '▸'}</span>
        {key}
        <span class="j-summary">{open ? (arr ? '[' : '{') : summary}</span>
      </div>
      {open && (
        <div class="j-children">
          {entries.slice(0, MAX_CHILDREN).map(([k, v]) => (
            <Node key={k} name={k} value={v} depth={depth + 1} />
          ))}
          {entries.length > MAX_CHILDREN && <div class="j-line notice">… {entries.length - MAX_CHILDREN} more</div>}
        </div>
      )}
      {open && <div class="j-line">{arr ? ']' : '}'}</div>}
    </div>
  );
}

export function JsonTree({ value }: { value: unknown }) {
  return (
    <div class="json-tree" role="tree">
      <Node value={value} depth={0} />
    </div>
  );
}
