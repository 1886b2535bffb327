// JavaScript source text for values written into generated scripts (Node replay, Playwright mock). Pure.
import type { Frame } from '../types';
import { bytesToBase64 } from '../bytes';

/**
 * A string literal that evaluates to exactly `s`: JSON.stringify escapes quotes, controls and lone surrogates (so
 * they survive a UTF-8 file); U+2028/U+2029 are escaped too, as older parsers end lines there.
 */
export function jsString(s: string): string {
  return JSON.stringify(s).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A payload as source: text as a string literal, binary as a Buffer made from base64. */
export function jsPayload(f: Pick<Frame, 'text' | 'bytes'>): string {
  if (f.bytes) return `Buffer.from(${jsString(bytesToBase64(f.bytes))}, 'base64')`;
  return jsString(f.text ?? '');
}

/** Text safe inside a `//` comment: every line terminator JavaScript knows becomes a space, so it cannot end the comment. */
export function jsCommentText(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]/g, ' ');
}
