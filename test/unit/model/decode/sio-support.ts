// Test support for the Socket.IO, SockJS and STOMP decoders: recorded fixtures (test/fixtures/decoders/*.json, made by
// the record-*.mjs scripts there) as decoder inputs, and a DecodeContext whose siblings are the frames of the same
// connection and direction, counting how often it is asked.
import { readFileSync } from 'node:fs';
import type { Decoded, DecodeContext, DecodeInput, Decoder } from '../../../../src/model/decode/types';

export interface RecordedFrame {
  dir: 'sent' | 'received';
  opcode: number;
  text?: string;
  base64?: string;
}

export interface RecordedConnection {
  label: string;
  url: string;
  protocol: string;
  frames: RecordedFrame[];
}

export function loadRecorded(name: string): RecordedConnection[] {
  const url = new URL(`../../../fixtures/decoders/${name}.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { connections: RecordedConnection[] }).connections;
}

export function recordedConnection(name: string, label: string): RecordedConnection {
  const c = loadRecorded(name).find((x) => x.label === label);
  if (!c) throw new Error(`no connection ${label} in ${name}.json`);
  return c;
}

export function inputOf(f: RecordedFrame): DecodeInput {
  return f.opcode === 2
    ? { opcode: 2, dir: f.dir, bytes: new Uint8Array(Buffer.from(f.base64 ?? '', 'base64')) }
    : { opcode: 1, dir: f.dir, text: f.text ?? '' };
}

export const text = (dir: 'sent' | 'received', t: string): DecodeInput => ({ opcode: 1, dir, text: t });
export const bin = (dir: 'sent' | 'received', b: ArrayLike<number>): DecodeInput => ({
  opcode: 2,
  dir,
  bytes: Uint8Array.from(b),
});

/** A context for frames[index]: siblings are the frames of its direction around it. `calls` counts sibling calls. */
export function ctxFor(
  frames: readonly DecodeInput[],
  index: number,
  url = '',
  protocol = '',
): DecodeContext & { calls: number[] } {
  const dir = frames[index].dir;
  const same = frames.filter((f) => f.dir === dir);
  const at = same.indexOf(frames[index]);
  const calls: number[] = [];
  return {
    url,
    protocol,
    calls,
    sibling(offset: number) {
      calls.push(offset);
      return same[at + offset];
    },
  };
}

/** Decodes every frame of a list in its context. */
export function decodeAll(d: Decoder, frames: readonly DecodeInput[], url = '', protocol = ''): Decoded[] {
  return frames.map((f, i) => d.decode(f, ctxFor(frames, i, url, protocol)));
}

/** Every message's summary, frame by frame (one string per frame, messages joined by ' | '). */
export function summaries(ds: readonly Decoded[]): string[] {
  return ds.map((d) => d.messages.map((m) => m.summary).join(' | ') + (d.error ? ` !! ${d.error}` : ''));
}
