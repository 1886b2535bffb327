// What a parsed query is and gives: its predicate over frames, its canonical text, its regexes; and its error.
import type { Connection, Frame } from '../types';
import type { Decoded, Decoder, NameField, RawJson } from '../decode/types';
import type { PairsLookup } from '../pairs/types';

export interface QueryContext {
  /** Monotonic seconds of the session's first frame (for `time:`). */
  startTs: number;
  /** The decoder's id for a connection ('raw' when none reads it); absent: no frame is decoded. */
  protoOf?(conn: number): string;
  /** The decoder that reads a connection, null when none (with it, `$.` paths read raw JSON where the decoder can). */
  decoderOf?(conn: number): Decoder | null;
  /** A frame's decode, null when no decoder reads it (the frame may be a cursor: read it now, keep nothing). */
  decode?(f: Frame): Decoded | null;
  /** Whether a message of the frame has a `field` name passing `test` (quicker than `decode` where it can be). */
  hasName?(f: Frame, field: NameField, test: (name: string) => boolean, raw?: RawJson): boolean;
  /** Some connection has a decoder: `$.` paths read decoded values on those connections. */
  decoding?: boolean;
  /** Requests paired with their answers: what `unanswered`, `latency>…` and `pair:` read; absent: none matches. */
  pairs?: PairsLookup;
}

export type Predicate = (frame: Frame, conn: Connection | undefined, ctx: QueryContext) => boolean;

export interface ParsedQuery {
  predicate: Predicate | null; // null: the empty query, everything matches
  /** A canonical rendering, for tests and history. */
  text: string;
  /** The regular expressions the user wrote (`/…/` terms and `~` comparisons), where each starts in the input. */
  regexes: QueryRegex[];
}

export interface QueryRegex {
  source: string;
  flags: string;
  pos: number;
}

export class QueryError extends Error {
  constructor(
    message: string,
    /** Index in the input where the problem is. */
    readonly position: number,
  ) {
    super(message);
  }
}
