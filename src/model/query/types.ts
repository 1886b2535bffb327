// What a parsed query is and gives: its predicate over frames, its canonical text, its regexes; and its error.
import type { Connection, Frame } from '../types';

export interface QueryContext {
  /** Monotonic seconds of the session's first frame (for `time:`). */
  startTs: number;
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
