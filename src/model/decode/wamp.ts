// WAMP v2 over WebSocket, JSON (`wamp.2.json`, text) and MessagePack (`wamp.2.msgpack`, binary) serialisations: each
// frame one message, an array whose first element is the message code. The value names its fields.
import { DECODE_LIMIT, type Decoded, type DecodedMessage, type Decoder, type DecodeInput } from './types';
import {
  OBJECT, asId, clip, cutNote, decodeMsgpack, errorText, failed, frameText, headText, idText, isObject,
  msgpackArrayHead, parseJson, scanHead, type HeadValue,
} from './rpc-common';

const PROTO = 'wamp';

/** Each message code: its name and the names of the elements after the code. */
const LAYOUT: Record<number, [string, string[]]> = {
  1: ['HELLO', ['realm', 'details']],
  2: ['WELCOME', ['session', 'details']],
  3: ['ABORT', ['details', 'reason']],
  4: ['CHALLENGE', ['authMethod', 'extra']],
  5: ['AUTHENTICATE', ['signature', 'extra']],
  6: ['GOODBYE', ['details', 'reason']],
  8: ['ERROR', ['requestType', 'request', 'details', 'error', 'args', 'kwargs']],
  16: ['PUBLISH', ['request', 'options', 'topic', 'args', 'kwargs']],
  17: ['PUBLISHED', ['request', 'publication']],
  32: ['SUBSCRIBE', ['request', 'options', 'topic']],
  33: ['SUBSCRIBED', ['request', 'subscription']],
  34: ['UNSUBSCRIBE', ['request', 'subscription']],
  35: ['UNSUBSCRIBED', ['request', 'details']],
  36: ['EVENT', ['subscription', 'publication', 'details', 'args', 'kwargs']],
  48: ['CALL', ['request', 'options', 'procedure', 'args', 'kwargs']],
  49: ['CANCEL', ['request', 'options']],
  50: ['RESULT', ['request', 'details', 'args', 'kwargs']],
  64: ['REGISTER', ['request', 'options', 'procedure']],
  65: ['REGISTERED', ['request', 'registration']],
  66: ['UNREGISTER', ['request', 'registration']],
  67: ['UNREGISTERED', ['request', 'details']],
  68: ['INVOCATION', ['request', 'registration', 'details', 'args', 'kwargs']],
  69: ['INTERRUPT', ['request', 'options']],
  70: ['YIELD', ['request', 'options', 'args', 'kwargs']],
};

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): string => (typeof v === 'number' || typeof v === 'bigint' ? String(v) : '?');

/** The message a WAMP array is (elements that are cut away simply missing), or an error. */
function message(a: unknown[]): DecodedMessage | string {
  const code = a[0];
  const layout = typeof code === 'number' ? LAYOUT[code] : undefined;
  if (!layout) return typeof code === 'number' ? `unknown WAMP message code ${code}` : 'not a WAMP message: no code';
  const [kind, fields] = layout;
  const v: Record<string, unknown> = { type: kind, code };
  fields.forEach((name, i) => {
    if (i + 1 < a.length && a[i + 1] !== undefined) v[name] = a[i + 1];
  });
  if (a.length > fields.length + 1) v.rest = a.slice(fields.length + 1);
  const m: DecodedMessage = { summary: kind, kind, value: v };
  const request = asId(v.request);
  if (request !== undefined) m.id = request;
  const req = v.request === undefined ? '' : ` ${idText(v.request)}`;
  const details = isObject(v.details) ? v.details : undefined;
  switch (code) {
    case 1:
      m.summary = `HELLO ${clip(str(v.realm) ?? '?')}`;
      break;
    case 2:
      m.summary = `WELCOME session ${num(v.session)}`;
      break;
    case 3:
    case 6:
      m.summary = `${kind} ${clip(str(v.reason) ?? '?')}`;
      break;
    case 4:
      m.summary = `CHALLENGE ${clip(str(v.authMethod) ?? '?')}`;
      break;
    case 8: {
      const rt = typeof v.requestType === 'number' ? LAYOUT[v.requestType]?.[0] : undefined;
      m.summary = `ERROR ${rt ?? num(v.requestType)}${req} ${clip(str(v.error) ?? '?')}`;
      break;
    }
    case 16:
    case 32: {
      const topic = str(v.topic);
      m.summary = `${kind} ${clip(topic ?? '?')}${code === 32 ? req : ''}`;
      if (topic !== undefined) m.names = { topic };
      break;
    }
    case 17:
      m.summary = `PUBLISHED${req} pub ${num(v.publication)}`;
      break;
    case 33:
    case 34:
      m.summary = `${kind}${req} sub ${num(v.subscription)}`;
      break;
    case 36: {
      // A pattern subscription's event says which topic it matched.
      const topic = str(details?.topic);
      m.summary = `EVENT sub ${num(v.subscription)}${topic === undefined ? '' : ` ${clip(topic)}`}`;
      if (topic !== undefined) m.names = { topic };
      break;
    }
    case 48:
    case 64: {
      const procedure = str(v.procedure);
      m.summary = `${kind} ${clip(procedure ?? '?')}${req}`;
      if (procedure !== undefined) m.names = { method: procedure };
      break;
    }
    case 65:
    case 66:
      m.summary = `${kind}${req} reg ${num(v.registration)}`;
      break;
    case 68: {
      // The callee learns the procedure only when it registered a pattern (or the router discloses it).
      const procedure = str(details?.procedure);
      m.summary = `INVOCATION${req} reg ${num(v.registration)}${procedure === undefined ? '' : ` ${clip(procedure)}`}`;
      if (procedure !== undefined) m.names = { method: procedure };
      break;
    }
    default:
      m.summary = `${kind}${req}`;
  }
  return m;
}

function withMessage(out: Decoded, a: unknown[]): Decoded {
  const m = message(a);
  if (typeof m === 'string') out.error = m;
  else out.messages.push(m);
  return out;
}

/** A head's elements in order, containers and cut strings left out. */
function headArray(items: HeadValue[]): unknown[] {
  return items.map((x) => (typeof x === 'symbol' ? undefined : x));
}

function decodeText(text: string, truncated: string | undefined): Decoded {
  const out: Decoded = { proto: PROTO, messages: [] };
  if (truncated) out.truncated = truncated;
  const parsed = parseJson(text);
  if (parsed.ok) {
    if (!Array.isArray(parsed.value)) {
      out.error = 'not a WAMP message: not an array';
      return out;
    }
    return withMessage(out, parsed.value);
  }
  if (!truncated) {
    out.error = parsed.error;
    return out;
  }
  // Cut at DECODE_LIMIT: the code, ids and URI come before the arguments.
  const h = scanHead(text, 0, text.length, 1);
  if (!h) {
    out.error = parsed.error;
    return out;
  }
  const items: HeadValue[] = [];
  for (let i = 0; i < 8 && h.fields.has(String(i)); i++) items.push(h.fields.get(String(i))!);
  return withMessage(out, headArray(items));
}

function decodeBinary(all: Uint8Array): Decoded {
  const out: Decoded = { proto: PROTO, messages: [] };
  // JSON sent in a binary frame starts with `[`; a MessagePack array never does.
  if (all[0] === 0x5b) {
    const r = frameText({ opcode: 2, dir: 'sent', bytes: all });
    return decodeText(r?.text ?? '', r?.truncated);
  }
  if (all.length > DECODE_LIMIT) {
    out.truncated = cutNote(DECODE_LIMIT, all.length, 'bytes');
    const h = msgpackArrayHead(all.subarray(0, DECODE_LIMIT), 0, 8);
    if (!h) {
      out.error = 'not a WAMP message: not a MessagePack array';
      return out;
    }
    return withMessage(out, headArray(h.items));
  }
  let v: unknown;
  try {
    v = decodeMsgpack(all);
  } catch (e) {
    out.error = `bad MessagePack: ${errorText(e)}`;
    return out;
  }
  if (!Array.isArray(v)) {
    out.error = 'not a WAMP message: not an array';
    return out;
  }
  return withMessage(out, v);
}

const SNIFF_CHARS = 512;

/** WAMP always negotiates its subprotocol; without one, only an opening HELLO or WELCOME with its roles is sure. */
function sniff(f: DecodeInput): boolean | undefined {
  if (f.bytes && f.text === undefined) {
    const b = f.bytes;
    if (b[0] !== 0x93 || (b[1] !== 1 && b[1] !== 2)) return undefined;
    const h = msgpackArrayHead(b.subarray(0, SNIFF_CHARS), 0, 2);
    if (!h || h.length !== 3) return undefined;
    const ok = b[1] === 1 ? typeof h.items[1] === 'string' : typeof h.items[1] === 'number';
    return ok && new TextDecoder().decode(b.subarray(0, SNIFF_CHARS)).includes('roles') ? true : undefined;
  }
  const t = headText(f, SNIFF_CHARS);
  if (t === undefined) return undefined;
  const h = scanHead(t, 0, SNIFF_CHARS, 2);
  if (!h) return t.trim() ? false : undefined;
  if (t.trimStart()[0] !== '[') return false;
  const code = h.fields.get('0');
  if (typeof code !== 'number' || !LAYOUT[code]) return h.fields.has('0') ? false : undefined;
  const second = h.fields.get('1');
  if (h.fields.get('2.roles') === OBJECT) {
    if (code === 1 && typeof second === 'string') return true;
    if (code === 2 && typeof second === 'number') return true;
  }
  return undefined;
}

export const wampDecoder: Decoder = {
  id: PROTO,
  label: 'WAMP',
  subprotocols: ['wamp.2.json', 'wamp.2.msgpack'],
  sniff,
  decode(f) {
    try {
      if (f.bytes && f.text === undefined) return decodeBinary(f.bytes);
      const r = frameText(f);
      if (!r) return { proto: PROTO, messages: [], error: 'no payload' };
      return decodeText(r.text, r.truncated);
    } catch (e) {
      return failed(PROTO, e);
    }
  },
};
