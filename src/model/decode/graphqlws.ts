// GraphQL over WebSocket: the `graphql-transport-ws` protocol (graphql-ws) and the legacy `graphql-ws` protocol
// (subscriptions-transport-ws). The operation name and a pretty-printed query come from subscribe / start frames.
// Answers (next, data, error, complete) carry only the id: the subscribe frame that named the operation went the other
// way, and a decoder sees only its own direction's neighbours, so their summaries show the id and a data preview.
import type { Decoded, DecodedMessage, Decoder, DecodeInput } from './types';
import {
  clip, failed, frameText, headObject, headString, headText, idText, isObject, parseJson, preview, scanHead, asId,
} from './rpc-common';

const PROTO = 'graphql';

/** Every message type of both protocols. */
const TYPES = new Set([
  'connection_init', 'connection_ack', 'ping', 'pong', 'subscribe', 'next', 'error', 'complete',
  'connection_error', 'connection_terminate', 'ka', 'start', 'data', 'stop',
]);

// ---- A small GraphQL reader: tokens, the operation's name, a pretty print ----

/** Queries longer than this are shown as sent: the printer's work stays small. */
const PRETTY_LIMIT = 64 * 1024;
const MAX_INDENT = 24;

type TokKind = 'name' | 'punct' | 'value';
interface Tok {
  kind: TokKind;
  v: string;
}

const NAME_START = /[_A-Za-z]/;
const NAME_CHAR = /[_0-9A-Za-z]/;

/** Tokens of a GraphQL document (comments and commas outside arguments dropped later), or undefined if not lexable. */
function tokenize(q: string): Tok[] | undefined {
  const toks: Tok[] = [];
  const n = q.length;
  let i = 0;
  while (i < n) {
    const c = q[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\ufeff') i++;
    else if (c === '#') {
      while (i < n && q[i] !== '\n' && q[i] !== '\r') i++;
    } else if (c === ',') {
      toks.push({ kind: 'punct', v: ',' });
      i++;
    } else if (c === '.') {
      if (q.startsWith('...', i)) {
        toks.push({ kind: 'punct', v: '...' });
        i += 3;
      } else return undefined;
    } else if ('!$&()[]{}:=@|'.includes(c)) {
      toks.push({ kind: 'punct', v: c });
      i++;
    } else if (NAME_START.test(c)) {
      let j = i + 1;
      while (j < n && NAME_CHAR.test(q[j])) j++;
      toks.push({ kind: 'name', v: q.slice(i, j) });
      i = j;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      let j = i + 1;
      while (j < n && /[0-9.eE+-]/.test(q[j])) j++;
      toks.push({ kind: 'value', v: q.slice(i, j) });
      i = j;
    } else if (c === '"') {
      let j: number;
      if (q.startsWith('"""', i)) {
        j = i + 3;
        for (;;) {
          const e = q.indexOf('"""', j);
          if (e < 0) return undefined;
          if (q[e - 1] === '\\') j = e + 3;
          else {
            j = e + 3;
            break;
          }
        }
      } else {
        j = i + 1;
        while (j < n && q[j] !== '"') {
          if (q[j] === '\n' || q[j] === '\r') return undefined;
          j += q[j] === '\\' ? 2 : 1;
        }
        if (j >= n) return undefined;
        j++;
      }
      toks.push({ kind: 'value', v: q.slice(i, j) });
      i = j;
    } else return undefined;
  }
  return toks;
}

export interface OperationInfo {
  /** query, mutation or subscription (a bare `{ … }` is a query). */
  operation?: string;
  name?: string;
  /** The first field of the operation's selection set (what an anonymous operation is about). */
  field?: string;
}

const OPERATIONS = new Set(['query', 'mutation', 'subscription']);

/** The first operation of a document: its type, its name, its first root field. */
export function operationInfo(toks: Tok[]): OperationInfo {
  let depth = 0;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.v === '{' || t.v === '(' || t.v === '[') depth++;
    else if (t.v === '}' || t.v === ')' || t.v === ']') depth--;
    else if (depth === 0 && t.kind === 'name' && OPERATIONS.has(t.v)) {
      const info: OperationInfo = { operation: t.v };
      if (toks[i + 1]?.kind === 'name') info.name = toks[i + 1].v;
      info.field = firstField(toks, i + 1);
      return info;
    }
    if (depth === 1 && t.v === '{' && (i === 0 || toks[i - 1].v === '}')) {
      return { operation: 'query', field: firstField(toks, i) };
    }
  }
  return {};
}

/** The first field name in the selection set that opens at or after `from` (an alias is skipped). */
function firstField(toks: Tok[], from: number): string | undefined {
  let depth = 0;
  for (let i = from; i < toks.length; i++) {
    const v = toks[i].v;
    if (v === '(') depth++;
    else if (v === ')') depth--;
    else if (depth === 0 && v === '{') {
      const a = toks[i + 1];
      if (a?.kind !== 'name') return undefined;
      return toks[i + 2]?.v === ':' && toks[i + 3]?.kind === 'name' ? toks[i + 3].v : a.v;
    }
  }
  return undefined;
}

type Ctx = 'sel' | 'obj' | 'paren' | 'list';

/** One line per field, two spaces per level, arguments inline: enough to read a query, not a canonical print. */
export function printQuery(toks: Tok[]): string {
  const stack: Ctx[] = [];
  let out = '';
  let prev: Tok | undefined;
  let prev2: Tok | undefined;
  let selDepth = 0;
  const indent = () => '\n' + '  '.repeat(Math.min(selDepth, MAX_INDENT));
  for (const t of toks) {
    const top = stack[stack.length - 1];
    if (t.v === ',' && (top === 'sel' || top === undefined)) continue;
    let sep = ' ';
    if (!prev) sep = '';
    else if (t.v === '}' && top === 'sel') {
      selDepth--;
      stack.pop();
      out += indent() + '}';
      prev2 = prev;
      prev = t;
      continue;
    } else if (top === undefined && prev.v === '}') sep = '\n\n';
    else if (top === 'sel' && (t.kind === 'name' || t.v === '...') && startsSelection(prev, prev2)) sep = indent();
    else if (
      prev.v === '(' || prev.v === '[' || prev.v === '$' || prev.v === '@' ||
      (prev.v === '{' && top === 'obj') ||
      (prev.v === '...' && t.kind === 'name' && t.v !== 'on')
    ) sep = '';
    else if (t.v === ')' || t.v === ']' || t.v === ':' || t.v === '!' || t.v === ',' || (t.v === '}' && top === 'obj')) sep = '';
    else if (t.v === '(' && (prev.kind === 'name' || prev.v === ')')) sep = '';
    out += sep;
    if (t.v === '{') {
      if (top === 'paren' || top === 'list' || top === 'obj') {
        stack.push('obj');
        out += '{';
      } else {
        stack.push('sel');
        selDepth++;
        out += '{';
      }
    } else {
      if (t.v === '(') stack.push('paren');
      else if (t.v === '[') stack.push('list');
      else if ((t.v === ')' || t.v === ']' || t.v === '}') && stack.length) stack.pop();
      out += t.v;
    }
    prev2 = prev;
    prev = t;
  }
  return out;
}

/** Inside a selection set, whether a name after `prev` begins a new selection (a new line). */
function startsSelection(prev: Tok, prev2: Tok | undefined): boolean {
  if (prev.v === '{' || prev.v === ')' || prev.v === '}') return true;
  if (prev.kind !== 'name') return false;
  return !(prev.v === 'on' && prev2?.v === '...');
}

/** The query as shown: pretty-printed when short and lexable, else as sent. */
function readQuery(q: string): { text: string; info: OperationInfo } {
  if (q.length > PRETTY_LIMIT) return { text: q, info: {} };
  const toks = tokenize(q);
  if (!toks) return { text: q, info: {} };
  return { text: printQuery(toks), info: operationInfo(toks) };
}

// ---- Messages ----

function firstErrorMessage(p: unknown): string | undefined {
  const e: unknown = Array.isArray(p) ? (p as unknown[])[0] : p;
  if (isObject(e) && typeof e.message === 'string') return e.message;
  return undefined;
}

function message(o: Record<string, unknown>): DecodedMessage {
  const type = o.type as string;
  const id = asId(o.id);
  const at = id === undefined ? '' : ` ${idText(id)}`;
  const p = o.payload;
  switch (type) {
    case 'subscribe':
    case 'start': {
      let name: string | undefined;
      let label = '';
      if (isObject(p)) {
        if (typeof p.operationName === 'string' && p.operationName) name = p.operationName;
        if (typeof p.query === 'string') {
          const { text, info } = readQuery(p.query);
          name ??= info.name;
          if (!name && info.operation) label = ` ${info.operation}${info.field ? ` { ${info.field} }` : ''}`;
          o = { ...o, payload: { ...p, query: text } };
        }
      }
      return {
        summary: `${type}${at}${name ? ` ${clip(name)}` : label}`,
        kind: type,
        ...(name ? { names: { method: name } } : {}),
        id,
        value: o,
      };
    }
    case 'next':
    case 'data': {
      let more = '';
      if (isObject(p)) {
        const err = Array.isArray(p.errors) ? firstErrorMessage(p.errors) : undefined;
        if (err !== undefined) more = ` errors: ${clip(err)}`;
        else if ('data' in p) more = ` ${preview(p.data)}`;
      }
      return { summary: `${type}${at}${more}`, kind: type, id, value: o };
    }
    case 'error':
    case 'connection_error': {
      const msg = firstErrorMessage(p);
      return { summary: `${type}${at}${msg === undefined ? '' : ` ${clip(msg)}`}`, kind: type, id, value: o };
    }
    default:
      return { summary: `${clip(type, 40)}${at}`, kind: type, id, value: o };
  }
}

function decodeText(text: string, truncated: string | undefined): Decoded {
  const out: Decoded = { proto: PROTO, messages: [] };
  if (truncated) out.truncated = truncated;
  const parsed = parseJson(text);
  if (parsed.ok) {
    const v = parsed.value;
    if (isObject(v) && typeof v.type === 'string') out.messages.push(message(v));
    else out.error = 'not a GraphQL over WebSocket message: no "type"';
    return out;
  }
  if (!truncated) {
    out.error = parsed.error;
    return out;
  }
  // Cut at DECODE_LIMIT: the type, id and operation name are near the start.
  const h = scanHead(text, 0, text.length, 2);
  const type = h && headString(h, 'type');
  if (!h || type === undefined) {
    out.error = parsed.error;
    return out;
  }
  const head = headObject(h);
  const m = message(head);
  const name = headString(h, 'payload.operationName');
  if ((type === 'subscribe' || type === 'start') && name && !m.names) {
    m.names = { method: name };
    m.summary += ` ${clip(name)}`;
  }
  out.messages.push(m);
  return out;
}

const SNIFF_CHARS = 512;
/** Types only GraphQL over WebSocket uses: one of them decides at once. */
const DISTINCT = new Set(['connection_init', 'connection_ack', 'connection_error', 'connection_terminate', 'ka']);

function sniff(f: DecodeInput): boolean | undefined {
  const t = headText(f, SNIFF_CHARS);
  if (t === undefined) return undefined;
  const h = scanHead(t, 0, SNIFF_CHARS, 2);
  if (!h) return t.trim() ? false : undefined;
  const type = headString(h, 'type');
  if (type === undefined) return h.complete ? false : undefined;
  if (!TYPES.has(type)) return false;
  if (DISTINCT.has(type)) return true;
  // A subscribe carries a query; a next its data: with an id, that is this protocol. ping / pong / complete / error
  // alone could be another protocol's.
  const hasId = h.fields.has('id');
  if ((type === 'subscribe' || type === 'start') && hasId && typeof h.fields.get('payload.query') === 'string') return true;
  if ((type === 'next' || type === 'data') && hasId && h.fields.has('payload.data')) return true;
  return undefined;
}

export const graphqlWsDecoder: Decoder = {
  id: PROTO,
  label: 'GraphQL WS',
  subprotocols: ['graphql-transport-ws', 'graphql-ws'],
  sniff,
  decode(f) {
    try {
      const r = frameText(f);
      if (!r) return { proto: PROTO, messages: [], error: 'no payload' };
      return decodeText(r.text, r.truncated);
    } catch (e) {
      return failed(PROTO, e);
    }
  },
};
