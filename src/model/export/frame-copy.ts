// One frame, or one value of its JSON tree, as text for the clipboard. Pure.
import type { Frame } from '../types';
import { bytesToBase64, bytesToHex } from '../bytes';
import { formatJsonPath, type JsonPath } from './json-path';

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
// C0 controls other than tab, newline and carriage return, and DEL: text holding them is data, not prose.
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

function payloadBytes(f: Pick<Frame, 'text' | 'bytes'>): Uint8Array {
  return f.bytes ?? new TextEncoder().encode(f.text ?? '');
}

/** Binary payloads that read as text: valid UTF-8 without control characters; else undefined. */
export function binaryAsUtf8(bytes: Uint8Array): string | undefined {
  let s: string;
  try {
    s = STRICT_UTF8.decode(bytes);
  } catch {
    return undefined;
  }
  return CONTROL.test(s) ? undefined : s;
}

/**
 * A frame as plain text. Text frames: their text. Binary frames: decoded when they are readable UTF-8 (see
 * binaryAsUtf8), else their hex, so a copy never silently turns bytes into replacement characters.
 */
export function frameAsText(f: Pick<Frame, 'text' | 'bytes'>): string {
  if (!f.bytes) return f.text ?? '';
  return binaryAsUtf8(f.bytes) ?? bytesToHex(f.bytes);
}

/** The payload's bytes (UTF-8 for text) in hex, space-separated. */
export function frameAsHex(f: Pick<Frame, 'text' | 'bytes'>): string {
  return bytesToHex(payloadBytes(f));
}

/** The payload's bytes (UTF-8 for text) in base64. */
export function frameAsBase64(f: Pick<Frame, 'text' | 'bytes'>): string {
  return bytesToBase64(payloadBytes(f));
}

export type PrettyJson = { ok: true; text: string } | { ok: false; error: string };

/**
 * The payload as indented JSON, or why it is not JSON. Numbers and strings are kept as written (re-serializing would
 * round big integers and undo escapes): only the whitespace between tokens changes.
 */
export function frameAsPrettyJson(f: Pick<Frame, 'text' | 'bytes'>, indent = 2): PrettyJson {
  let text: string;
  if (f.bytes) {
    try {
      text = STRICT_UTF8.decode(f.bytes);
    } catch {
      return { ok: false, error: 'Not JSON: the binary payload is not UTF-8 text.' };
    }
  } else text = f.text ?? '';
  try {
    JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `Not JSON: ${(e as Error).message}` };
  }
  return { ok: true, text: reindentJson(text, ' '.repeat(indent)) };
}

/** Re-lay valid JSON text with `pad` per level, tokens untouched. */
function reindentJson(json: string, pad: string): string {
  let out = '';
  let depth = 0;
  const newline = () => '\n' + pad.repeat(depth);
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let j = i + 1;
      while (json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      out += json.slice(i, j + 1);
      i = j;
    } else if (c === '{' || c === '[') {
      // Empty containers stay `{}` / `[]`.
      let j = i + 1;
      while (/\s/.test(json[j])) j++;
      if (json[j] === (c === '{' ? '}' : ']')) {
        out += c + json[j];
        i = j;
      } else {
        depth++;
        out += c + newline();
      }
    } else if (c === '}' || c === ']') {
      depth--;
      out += newline() + c;
    } else if (c === ',') out += ',' + newline();
    else if (c === ':') out += ': ';
    else if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') out += c;
  }
  return out;
}

/** A value picked in the JSON tree, as JSON text (indented); `undefined` (a missing value) as ''. */
export function jsonValueText(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent) ?? '';
}

/** Where that value is, as a JSONPath string. */
export function jsonPathText(path: JsonPath): string {
  return formatJsonPath(path);
}
