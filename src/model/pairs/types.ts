// What pairing reads of a frame and what it tells of one: the roles a message plays in a request → answer exchange,
// and the per-frame flags the query and the views read. Pure data.

/**
 * The part a message plays in an exchange keyed by an id. The request opens it; the first ANSWER or ITEM from the other
 * direction is its answer (the latency); ANSWER ends it, ITEM keeps it open (streams: graphql-ws next, SignalR
 * StreamItem, MQTT PUBREC); FOLLOW goes the request's way and keeps it open (MQTT PUBREL); CANCEL goes the request's
 * way and ends it without an answer (graphql-ws complete from the client, SignalR CancelInvocation).
 */
export const PAIR_ROLE = { request: 1, answer: 2, item: 3, follow: 4, cancel: 5 } as const;
export type PairRole = (typeof PAIR_ROLE)[keyof typeof PAIR_ROLE];

/** One message's part in an exchange: `key` is the id as the protocol carries it (see `idKey`), scoped as needed. */
export interface PairKey {
  role: PairRole;
  key: string;
  /** For a request: what the summary groups it by (method, event, destination, topic, or the command). */
  name?: string;
}

/** Flags of a frame in pairing (several may be set: a frame can answer one exchange and open another). */
export const PAIR_FLAG = {
  /** Carries a request. */
  request: 1,
  /** Carries the first answer of an exchange. */
  answer: 2,
  /** Carries an answer for which no request is open (never seen, already ended, or evicted). */
  orphan: 4,
  /** A request of it has no answer (yet). */
  unanswered: 8,
  /** A request of it was left open when another request took its id. */
  superseded: 16,
  /** Carries a later message of an exchange: a stream item, a follow-up, the end of an answered stream. */
  more: 32,
} as const;

/**
 * A user's rule for a protocol Frameline does not know: JSON paths (`$.reqId`, `$["x"][0]`) to the request's id, the
 * answer's id and, optionally, the request's name. When both id paths are the same, a frame with a value there is a
 * request if it has a name (with a name path) or goes in `requestDir` (default 'sent').
 */
export interface PairRule {
  requestId: string;
  answerId: string;
  method?: string;
  requestDir?: 'sent' | 'received';
}

/** What the query's pair terms ask of pairing (the Pairs class answers). */
export interface PairsLookup {
  /** Row of a frame in pairing, -1 when it takes part in none. Fastest when asked of neighbouring frames in turn. */
  rowOf(frameId: number): number;
  /** PAIR_FLAG bits of a row. */
  flagsAt(row: number): number;
  /** The least and the greatest latency (ms) of the answers a row carries, NaN when it carries none. */
  minLatencyAt(row: number): number;
  maxLatencyAt(row: number): number;
  /**
   * Whether a row takes part (opens, answers, continues) in a held exchange whose name passes `test`. Pass the same
   * function for every row of a query: each name is tested once while it stays the same.
   */
  hasExchangeName(row: number, test: (name: string) => boolean): boolean;
  /** Monotonic seconds of the newest frame seen: what `unanswered>5s` measures a request's age against. */
  readonly newestTs: number;
}

/** The id as a key: numbers as JSON writes them, strings quoted (so 1 and "1" stay apart). */
export function idKey(id: string | number): string {
  return typeof id === 'number' ? String(id) : `"${id}"`;
}
