// JSON-RPC 2.0: requests, notifications, results, errors, and batches of them (each element its own message).
import type { Decoded, DecodedMessage, Decoder, DecodeInput, NameField, RawJson } from './types';
import { DECODE_LIMIT } from './types';
import type { Segment } from '../query/json-path';
import {
  MAX_MESSAGES, arrayItems, asId, clip, failed, frameText, headObject, headText, idText, isObject, parseJson, scanHead,
  type Head,
} from './rpc-common';
import { jsonrpcQuickPair } from '../pairs/quick';

const PROTO = 'jsonrpc';

/** The message one JSON-RPC object is, or undefined when it is none (no method, result or error). */
function message(o: Record<string, unknown>): DecodedMessage | undefined {
  const id = asId(o.id);
  if (typeof o.method === 'string') {
    const method = clip(o.method);
    if (!('id' in o)) return { summary: `notify ${method}`, kind: 'notification', names: { method: o.method }, value: o };
    return { summary: `→ ${method} ${idText(o.id)}`, kind: 'request', names: { method: o.method }, id, value: o };
  }
  const at = o.id === null || o.id === undefined ? '' : ` ${idText(o.id)}`;
  if ('error' in o) {
    const err = o.error;
    let what = '';
    if (isObject(err)) {
      if (typeof err.code === 'number') what += ` ${err.code}`;
      if (typeof err.message === 'string') what += ` ${clip(err.message)}`;
    }
    return { summary: `←${at} error${what}`, kind: 'error', id, value: o };
  }
  if ('result' in o) return { summary: `←${at} result`, kind: 'result', id, value: o };
  return undefined;
}

/** What the head of a cut object shows: enough for the summary and the names. */
function headMessage(h: Head): DecodedMessage | undefined {
  const o = headObject(h);
  const m = message(o);
  // The id may come after what was read: without it a cut request cannot be told from a notification.
  if (m?.kind === 'notification' && typeof o.method === 'string') {
    return { ...m, kind: 'request', summary: `→ ${clip(o.method)}` };
  }
  return m;
}

function decodeText(text: string, truncated: string | undefined): Decoded {
  const out: Decoded = { proto: PROTO, messages: [] };
  if (truncated) out.truncated = truncated;
  const parsed = parseJson(text);
  if (parsed.ok) {
    const v = parsed.value;
    if (Array.isArray(v)) {
      if (v.length === 0) out.error = 'an empty batch';
      const n = Math.min(v.length, MAX_MESSAGES);
      for (let i = 0; i < n; i++) {
        const m = isObject(v[i]) ? message(v[i] as Record<string, unknown>) : undefined;
        if (m) out.messages.push(m);
        else out.error ??= `batch element ${i} is not a JSON-RPC message`;
      }
      if (v.length > n) out.truncated = `the first ${n} of ${v.length} batch elements`;
      return out;
    }
    const m = isObject(v) ? message(v) : undefined;
    if (m) out.messages.push(m);
    else out.error = 'not a JSON-RPC message: no method, result or error';
    return out;
  }
  if (!truncated) {
    out.error = parsed.error;
    return out;
  }
  // A frame cut at DECODE_LIMIT: a batch gives its whole elements; an object (or the cut element) its head.
  const items = arrayItems(text, MAX_MESSAGES);
  if (items) {
    for (const item of items.items) {
      const p = parseJson(item);
      const m = p.ok && isObject(p.value) ? message(p.value) : undefined;
      if (m) out.messages.push(m);
    }
    if (items.rest !== undefined) {
      const h = scanHead(text, items.rest, text.length, 2);
      const m = h && headMessage(h);
      if (m) out.messages.push(m);
    }
    return out;
  }
  const h = scanHead(text, 0, text.length, 2);
  const m = h && headMessage(h);
  if (m) out.messages.push(m);
  else out.error = parsed.error;
  return out;
}

const SNIFF_CHARS = 512;

function sniff(f: DecodeInput): boolean | undefined {
  const t = headText(f, SNIFF_CHARS);
  if (t === undefined) return undefined;
  let i = 0;
  while (i < t.length && /\s/.test(t[i])) i++;
  if (i >= t.length) return undefined;
  if (t[i] === '[') {
    i++;
    while (i < t.length && /\s/.test(t[i])) i++;
    if (i >= t.length || t[i] === ']') return undefined;
  }
  if (t[i] !== '{') return false;
  const h = scanHead(t, i, SNIFF_CHARS, 1);
  if (!h) return false;
  if (h.fields.get('jsonrpc') === '2.0') return true;
  return h.complete ? false : undefined;
}

const METHOD: readonly Segment[] = ['method'];
/** The method path as each raw reader prepared it (a reader serves one query term). */
const prepared = new WeakMap<RawJson, unknown>();

/**
 * A request's or notification's method, read in the raw text of a frame that is one JSON object: a string `method`
 * names it (as `decode` does); anything else names none. Batches, and what the raw reading cannot tell, are decoded.
 */
function quickName(f: DecodeInput, field: NameField, raw?: RawJson): string | null | undefined {
  if (field !== 'method') return null;
  const t = f.text;
  if (!raw || t === undefined || t.length > DECODE_LIMIT) return undefined;
  let i = 0;
  for (let c = t.charCodeAt(0); c === 32 || c === 10 || c === 13 || c === 9; c = t.charCodeAt(++i));
  const c = t.charCodeAt(i);
  if (c !== 123 /* { */) return c === 91 /* [ */ ? undefined : null; // a batch, or no JSON-RPC message at all
  let path = prepared.get(raw);
  if (path === undefined) prepared.set(raw, (path = raw.prepare(METHOD)));
  const v = raw.read(f, 0, path);
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : null;
}

export const jsonrpcDecoder: Decoder = {
  quickName,
  id: PROTO,
  label: 'JSON-RPC',
  sniff,
  quickPair: jsonrpcQuickPair,
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
