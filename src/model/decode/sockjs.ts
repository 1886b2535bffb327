// SockJS over its WebSocket transport (`/<prefix>/<server>/<session>/websocket`).
//
// Server → client frames: `o` open, `h` heartbeat, `a["…","…"]` messages, `m"…"` one message (old servers),
// `c[3000,"Go away!"]` close. Client → server: a JSON array of strings (sockjs-client sends `["…"]`; a lone JSON string
// is accepted by servers too). Each carried string is decoded in turn, one message each:
// - STOMP (a STOMP command line, or EOLs alone, which STOMP clients send as heart-beats): the STOMP decode, so STOMP
//   over SockJS reads `SEND /topic/prices` and fills names.dest (a string may hold several frames: several messages);
// - else JSON when it parses (value: the tree);
// - else the text.
// A carried message's summary is its STOMP summary, or the string cut to one line.
// The raw endpoint `/<prefix>/websocket` has no framing: the sniff does not claim it.
import type { Decoded, DecodedMessage, Decoder } from './types';
import { DECODE_LIMIT, oneLine } from './types';
import { decodeStompPayload, looksLikeStomp, stompUnescapes } from './stomp';

const SUMMARY_CHARS = 120;

/** `/<prefix…>/<server: digits>/<session>/websocket`: the SockJS session URL of the WebSocket transport. */
const SESSION_PATH = /\/\d{1,4}\/[^/.]+\/websocket\/?$/;

function pathOf(url: string): string {
  const q = url.search(/[?#]/);
  return q < 0 ? url : url.slice(0, q);
}

export function isSockJsUrl(url: string): boolean {
  return SESSION_PATH.test(pathOf(url));
}

const JSON_START = /^\s*(?:[{["\d-]|true\b|false\b|null\b)/;

/** The messages one carried string makes. */
function carried(s: string, protocol: string, errors: string[], at: string): DecodedMessage[] {
  if (looksLikeStomp(s)) {
    const r = decodeStompPayload(s, { unescape: stompUnescapes(protocol) });
    if (r.error) errors.push(`${at}: ${r.error}`);
    return r.messages;
  }
  if (JSON_START.test(s)) {
    try {
      const value = JSON.parse(s) as unknown;
      return [{ summary: oneLine(s.trim(), SUMMARY_CHARS), kind: 'message', value }];
    } catch {
      // not JSON: the text
    }
  }
  return [{ summary: s === '' ? '(empty)' : oneLine(s, SUMMARY_CHARS), kind: 'message', value: s }];
}

function strings(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  return undefined;
}

export const sockjsDecoder: Decoder = {
  id: 'sockjs',
  label: 'SockJS',
  sniff(f, url) {
    if (isSockJsUrl(url)) return true;
    if (f.text === undefined) return undefined;
    if (f.dir === 'received' && f.text === 'o') return true;
    return undefined;
  },
  decode(f, ctx) {
    const out: Decoded = { proto: 'sockjs', messages: [] };
    if (f.text === undefined) {
      out.error = 'SockJS frames are text: this frame is binary';
      return out;
    }
    let text = f.text;
    if (text.length > DECODE_LIMIT) {
      out.truncated = `first ${DECODE_LIMIT} of ${text.length} characters`;
      text = text.slice(0, DECODE_LIMIT);
    }
    const errors: string[] = [];
    const carry = (json: string, what: string) => {
      let v: unknown;
      try {
        v = JSON.parse(json);
      } catch (e) {
        errors.push(`${what} is not JSON: ${(e as Error).message}`);
        return;
      }
      const list = strings(v);
      if (!list) {
        errors.push(`${what} is not a JSON array of strings`);
        return;
      }
      if (list.length === 0) {
        out.messages.push({ summary: '(no messages)', kind: 'array', value: [] });
        return;
      }
      list.forEach((s, k) => out.messages.push(...carried(s, ctx.protocol, errors, `message ${k + 1}`)));
    };
    if (f.dir === 'sent') {
      carry(text, 'client frame');
    } else {
      const rest = text.slice(1);
      switch (text[0]) {
        case 'o':
          out.messages.push({ summary: 'open', kind: 'open', value: null });
          if (rest) errors.push('open frame with trailing data');
          break;
        case 'h':
          out.messages.push({ summary: 'heartbeat', kind: 'heartbeat', value: null });
          if (rest) errors.push('heartbeat frame with trailing data');
          break;
        case 'a':
          carry(rest, 'a-frame');
          break;
        case 'm':
          carry(rest, 'm-frame');
          break;
        case 'c': {
          let v: unknown;
          try {
            v = JSON.parse(rest);
          } catch {
            errors.push('close frame is not JSON');
            break;
          }
          if (!Array.isArray(v)) {
            errors.push('close frame is not [code, "reason"]');
            break;
          }
          const [code, reason] = v as unknown[];
          const value = { code, reason };
          const summary = ['close', code, reason]
            .filter((x) => x !== undefined && x !== '')
            .map(String)
            .join(' ');
          out.messages.push({ summary, kind: 'close', value });
          break;
        }
        default:
          errors.push(`not a SockJS frame (starts with ${JSON.stringify(text.slice(0, 8))})`);
      }
    }
    if (errors.length) out.error = errors.join('; ');
    return out;
  },
};
