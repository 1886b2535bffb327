// JSONPath strings for a place in a JSON value (`$.a[0]["odd key"]`), written and read back. Pure.

export type JsonPath = readonly (string | number)[];

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `$` then `.name` for identifier keys, `[n]` for array indexes and `["key"]` (JSON-quoted) for any other key. */
export function formatJsonPath(path: JsonPath): string {
  let out = '$';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else if (IDENT.test(k)) out += `.${k}`;
    else out += `[${JSON.stringify(k)}]`;
  }
  return out;
}

export class JsonPathError extends Error {}

/** Read `formatJsonPath`'s output back, also accepting `['single quoted']` keys; throws JsonPathError otherwise. */
export function parseJsonPath(text: string): (string | number)[] {
  const s = text.trim();
  if (s[0] !== '$') throw new JsonPathError(`A JSON path starts with $: ${text}`);
  const out: (string | number)[] = [];
  let i = 1;
  while (i < s.length) {
    if (s[i] === '.') {
      const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(s.slice(i + 1));
      if (!m) throw new JsonPathError(`A name is expected after . at ${i}: ${text}`);
      out.push(m[0]);
      i += 1 + m[0].length;
    } else if (s[i] === '[') {
      const close = readBracket(s, i, text);
      out.push(close.key);
      i = close.end;
    } else {
      throw new JsonPathError(`Unexpected “${s[i]}” at ${i}: ${text}`);
    }
  }
  return out;
}

function readBracket(s: string, open: number, text: string): { key: string | number; end: number } {
  const q = s[open + 1];
  if (q === '"' || q === "'") {
    let j = open + 2;
    while (j < s.length && s[j] !== q) j += s[j] === '\\' ? 2 : 1;
    if (s[j + 1] !== ']') throw new JsonPathError(`Unterminated key at ${open}: ${text}`);
    const body = s.slice(open + 2, j);
    // Single-quoted keys: turn them into a JSON string (\' means ', a bare " needs escaping).
    const json = q === '"' ? `"${body}"` : `"${body.replace(/\\'|\\?"/g, (m) => (m === "\\'" ? "'" : '\\"'))}"`;
    try {
      return { key: JSON.parse(json) as string, end: j + 2 };
    } catch {
      throw new JsonPathError(`Invalid escape in key at ${open}: ${text}`);
    }
  }
  const m = /^\[(\d+)\]/.exec(s.slice(open));
  if (!m) throw new JsonPathError(`Expected [index] or ["key"] at ${open}: ${text}`);
  return { key: Number(m[1]), end: open + m[0].length };
}

/** The value at `path` in a parsed JSON value, undefined when a step is missing. */
export function valueAtPath(value: unknown, path: JsonPath): unknown {
  let v = value;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}
