// Collapsible JSON view. Children are rendered only when expanded, so a huge document costs what is shown.
// A right-click on a line offers to copy its value or its path (in the query language's `$.a[0]["odd key"]` form).
import { useEffect, useState } from 'preact/hooks';
import { copyText } from '../platform/clipboard';
import { useMenu } from './useMenu';

type Step = string | number;
type OnMenu = (e: MouseEvent, path: Step[], value: unknown) => void;

/** A path as the filter box reads it: `$`, then `.name` where a name is an identifier, else `["…"]`; `[i]` for items. */
export function pathText(path: readonly Step[]): string {
  let out = '$';
  for (const s of path) out += typeof s === 'number' ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
  return out;
}

/** A value as copied: a string as it is, bytes as hex, anything else as indented JSON. */
export function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Array.from(v, (b) => b.toString(16).padStart(2, '0')).join(' ');
  if (typeof v === 'bigint') return String(v);
  if (v === undefined) return 'undefined';
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x instanceof Uint8Array ? Array.from(x) : x), 2);
  } catch {
    return '(a value that cannot be written as JSON)';
  }
}

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

function Node({ name, value, depth, path, onMenu }: { name?: string; value: unknown; depth: number; path: Step[]; onMenu: OnMenu }) {
  const isObj = typeof value === 'object' && value !== null && !(value instanceof Uint8Array);
  const [open, setOpen] = useState(depth < 2);
  const key = name !== undefined ? <span class="j-key">{name}: </span> : null;
  if (!isObj) {
    return (
      <div class="j-line" onContextMenu={(e) => onMenu(e, path, value)}>
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
      <div class="j-line j-toggle" role="treeitem" aria-expanded={open} onClick={() => setOpen(!open)} onContextMenu={(e) => onMenu(e, path, value)}>
        <span class="j-caret">{open ? '▾' : '▸'}</span>
        {key}
        <span class="j-summary">{open ? (arr ? '[' : '{') : summary}</span>
      </div>
      {open && (
        <div class="j-children">
          {entries.slice(0, MAX_CHILDREN).map(([k, v]) => (
            <Node key={k} name={k} value={v} depth={depth + 1} path={[...path, arr ? Number(k) : k]} onMenu={onMenu} />
          ))}
          {entries.length > MAX_CHILDREN && <div class="j-line notice">… {entries.length - MAX_CHILDREN} more</div>}
        </div>
      )}
      {open && <div class="j-line">{arr ? ']' : '}'}</div>}
    </div>
  );
}

export function JsonTree({ value }: { value: unknown }) {
  const [menu, setMenu] = useMenu<{ x: number; y: number; path: Step[]; value: unknown }>();
  const [note, setNote] = useState<{ kind: 'info' | 'error'; text: string } | null>(null);
  useEffect(() => {
    if (!note) return;
    const t = setTimeout(() => setNote(null), 3000);
    return () => clearTimeout(t);
  }, [note]);
  const onMenu: OnMenu = (e, path, v) => {
    e.preventDefault();
    e.stopPropagation(); // the frame's own menu is for the whole payload
    setMenu({ x: e.clientX, y: e.clientY, path, value: v });
  };
  const copy = (text: string, what: string) =>
    void copyText(text).then(
      () => setNote({ kind: 'info', text: `Copied ${what}.` }),
      (e: unknown) => setNote({ kind: 'error', text: `Could not copy ${what}: ${String(e)}` }),
    );
  return (
    <div class="json-tree" role="tree">
      <Node value={value} depth={0} path={[]} onMenu={onMenu} />
      {menu && (
        <div
          class="menu"
          role="menu"
          data-testid="json-menu"
          data-path={pathText(menu.path)}
          style={{ position: 'fixed', left: `${menu.x}px`, top: `${menu.y}px` }}
          onClick={() => setMenu(null)}
        >
          <button type="button" role="menuitem" data-testid="json-copy-value" onClick={() => copy(valueText(menu.value), 'the value')}>
            Copy value
          </button>
          <button type="button" role="menuitem" data-testid="json-copy-path" onClick={() => copy(pathText(menu.path), `the path ${pathText(menu.path)}`)}>
            Copy path <code>{pathText(menu.path)}</code>
          </button>
        </div>
      )}
      {note && (
        <div class={note.kind === 'error' ? 'notice error' : 'notice'} role={note.kind === 'error' ? 'alert' : 'status'} data-testid="json-copy-notice">
          {note.text}
        </div>
      )}
    </div>
  );
}
