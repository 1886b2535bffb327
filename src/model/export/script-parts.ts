// What the generated scripts (Node replay, Playwright mock) share: a connection's data messages as source literals
// and the comment that opens each file. Pure.
import type { Connection, Direction, Frame } from '../types';
import { OPCODE } from '../types';
import { jsCommentText, jsPayload } from './literal';

/** Where an export came from, for the comment at the top of the file. */
export interface ExportSource {
  exportedAt: Date;
  sessionLabel: string;
}

export interface Message {
  dir: Direction;
  ts: number;
  /** The payload as JavaScript source: a string literal or a Buffer expression. */
  source: string;
  binary: boolean;
}

/**
 * The text and binary messages of one connection, in the order given, each turned into source while it is current
 * (frames may be a cursor the store moves). Control frames and errors carry nothing to replay.
 */
export function* connectionMessages(conn: Connection, frames: Iterable<Frame>): Generator<Message> {
  for (const f of frames) {
    if (f.conn !== conn.id || (f.opcode !== OPCODE.text && f.opcode !== OPCODE.binary)) continue;
    yield { dir: f.dir, ts: f.ts, source: jsPayload(f), binary: f.bytes !== undefined };
  }
}

/** The file's opening comment: what it does, where it came from, and whether credentials were taken out. */
export function headerComment(what: readonly string[], conn: Connection, source: ExportSource, redacted: boolean, url: string): string {
  const lines = [
    ...what,
    `Session: ${source.sessionLabel}`,
    `Connection #${conn.id}: ${url || '(URL unknown: the socket opened before capture)'}`,
    `Exported by Frameline: ${source.exportedAt.toISOString()}`,
    ...(redacted ? ['Credentials (cookies, tokens, passwords) were replaced by REDACTED: put real values in before running.'] : []),
  ];
  return lines.map((l) => `// ${jsCommentText(l)}`.trimEnd()).join('\n');
}
