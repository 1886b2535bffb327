// Rails ActionCable (JSON): the server's welcome / ping / confirm_subscription / reject_subscription / disconnect and
// broadcasts `{identifier, message}`; the client's subscribe / unsubscribe / message commands. `identifier` and a
// command's `data` are JSON inside a string: the value holds them parsed.
import type { Decoded, DecodedMessage, Decoder, DecodeInput } from './types';
import {
  clip, failed, frameText, headObject, headString, headText, isObject, parseJson, preview, scanHead,
} from './rpc-common';

const PROTO = 'actioncable';

/** Pings come every few seconds on every cable: read them without a parse. */
const PING = /^\{"type":"ping","message":(\d{1,16})\}$/;

/** The identifier parsed, when it is JSON (it is, from the Rails client); else the string as sent. */
function readIdentifier(raw: unknown): { value: unknown; channel?: string } {
  if (typeof raw !== 'string') return { value: raw };
  const p = parseJson(raw);
  if (p.ok && isObject(p.value)) {
    const ch = p.value.channel;
    return { value: p.value, channel: typeof ch === 'string' ? ch : undefined };
  }
  return { value: raw, channel: raw };
}

function message(o: Record<string, unknown>): DecodedMessage | undefined {
  const ident = 'identifier' in o ? readIdentifier(o.identifier) : undefined;
  const channel = ident?.channel;
  const ch = channel === undefined ? '' : ` ${clip(channel)}`;
  const value: Record<string, unknown> = ident ? { ...o, identifier: ident.value } : o;
  const names = channel === undefined ? undefined : { event: channel };
  // Subscribing and its answer pair by the identifier.
  const pairId = typeof o.identifier === 'string' ? o.identifier : undefined;
  if (typeof o.type === 'string') {
    switch (o.type) {
      case 'confirm_subscription':
        return { summary: `confirm${ch}`, kind: o.type, names, id: pairId, value };
      case 'reject_subscription':
        return { summary: `reject${ch}`, kind: o.type, names, id: pairId, value };
      case 'disconnect': {
        const why = typeof o.reason === 'string' ? ` ${clip(o.reason)}` : '';
        return { summary: `disconnect${why}`, kind: o.type, value };
      }
      default:
        return { summary: `${clip(o.type, 40)}${ch}`, kind: o.type, names, value };
    }
  }
  if (typeof o.command === 'string') {
    const m: DecodedMessage = { summary: `${clip(o.command, 40)}${ch}`, kind: o.command, names, value };
    if (o.command === 'subscribe') m.id = pairId;
    if ('data' in o) {
      const p = typeof o.data === 'string' ? parseJson(o.data) : undefined;
      const data = p?.ok ? p.value : o.data;
      value.data = data;
      if (isObject(data) && typeof data.action === 'string') {
        m.summary += ` ${clip(data.action, 40)}`;
        m.names = { ...names, method: data.action };
      }
    }
    return m;
  }
  if (ident && 'message' in o) {
    return { summary: `broadcast${ch} ${preview(o.message, 50)}`, kind: 'broadcast', names, value };
  }
  return undefined;
}

function decodeText(text: string, truncated: string | undefined): Decoded {
  const out: Decoded = { proto: PROTO, messages: [] };
  if (truncated) out.truncated = truncated;
  const ping = PING.exec(text);
  if (ping) {
    out.messages.push({ summary: 'ping', kind: 'ping', value: { type: 'ping', message: Number(ping[1]) } });
    return out;
  }
  const parsed = parseJson(text);
  if (parsed.ok) {
    const m = isObject(parsed.value) ? message(parsed.value) : undefined;
    if (m) out.messages.push(m);
    else out.error = 'not an ActionCable message: no type, command or identifier';
    return out;
  }
  if (!truncated) {
    out.error = parsed.error;
    return out;
  }
  // Cut at DECODE_LIMIT: the type / command and the identifier come first.
  const h = scanHead(text, 0, text.length, 1);
  const o = h && headObject(h);
  const m = o && message(o);
  if (m) out.messages.push(m);
  else out.error = parsed.error;
  return out;
}

const SNIFF_CHARS = 512;
const SERVER_TYPES = new Set(['welcome', 'confirm_subscription', 'reject_subscription', 'disconnect']);
const COMMANDS = new Set(['subscribe', 'unsubscribe', 'message']);
const SERVER_KEYS = new Set(['type', 'identifier', 'message', 'reason', 'reconnect', 'sid']);

function sniff(f: DecodeInput): boolean | undefined {
  if (typeof f.text === 'string' && f.text.length < 64 && PING.test(f.text)) return true;
  const t = headText(f, SNIFF_CHARS);
  if (t === undefined) return undefined;
  const h = scanHead(t, 0, SNIFF_CHARS, 1);
  if (!h) return t.trim() ? false : undefined;
  const type = headString(h, 'type');
  const identifier = headString(h, 'identifier');
  if (type !== undefined) {
    // A server message of ActionCable's has only its own keys: `{"type":"welcome","room":…}` is some other protocol.
    for (const k of h.fields.keys()) if (!SERVER_KEYS.has(k)) return false;
    if (SERVER_TYPES.has(type)) return true;
    // Other protocols ping too; ActionCable's carries a numeric timestamp.
    if (type === 'ping' && typeof h.fields.get('message') === 'number') return true;
    return h.complete ? false : undefined;
  }
  const command = headString(h, 'command');
  if (command !== undefined) {
    if (COMMANDS.has(command) && identifier?.startsWith('{')) return true;
    return h.complete ? false : undefined;
  }
  if (identifier?.startsWith('{') && identifier.includes('"channel"') && h.fields.has('message')) return true;
  return h.complete ? false : undefined;
}

export const actioncableDecoder: Decoder = {
  id: PROTO,
  label: 'ActionCable',
  subprotocols: ['actioncable-v1-json', 'actioncable-unsupported'],
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
