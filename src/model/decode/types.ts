// What a payload decoder is: it reads one frame (and, for framings that span frames, its neighbours on the same
// connection and direction) and says what the application said. Pure: no chrome.*, no DOM.
import type { Direction } from '../types';
import type { PairKey } from '../pairs/types';
import type { Segment } from '../query/json-path';

/** What a decoder reads of a frame. Only text (opcode 1) and binary (opcode 2) frames reach a decoder. */
export interface DecodeInput {
  opcode: number;
  dir: Direction;
  /** Text frames. */
  text?: string;
  /** Binary frames. */
  bytes?: Uint8Array;
}

/** The names the query language reaches: `event:chat`, `method:subscribe`, `dest:/topic/x`, `topic:prices/#`. */
export type NameField = 'event' | 'method' | 'dest' | 'topic';

/** One message found in a frame (a frame may carry several: STOMP, SignalR, MQTT, SockJS arrays). */
export interface DecodedMessage {
  /** One line for the timeline's Summary column: `EVENT chat`, `SEND /topic/prices`, `PUBLISH prices/BTC q1`. */
  summary: string;
  /** The packet / command / message type as the protocol names it: 'EVENT', 'PUBLISH', 'SEND', 'next'. */
  kind: string;
  /** What the query's name fields compare with. */
  names?: Partial<Record<NameField, string>>;
  /** The request / answer id the protocol carries (JSON-RPC id, Socket.IO ack id, MQTT packet id, graphql-ws id…). */
  id?: string | number;
  /**
   * The structured value: what `$.` paths in the query and the Decoded view read. Plain data only: objects, arrays,
   * strings, numbers, booleans, null; Uint8Array for bytes; bigint where a wire integer does not fit a double.
   */
  value: unknown;
}

export interface Decoded {
  /** The decoder's id. */
  proto: string;
  messages: DecodedMessage[];
  /** Why (part of) the frame could not be decoded; messages decoded before the failure stay. */
  error?: string;
  /** Set when only a first part of a huge frame was decoded: says how much. */
  truncated?: string;
}

/** What a decoder may know beyond the frame itself. */
export interface DecodeContext {
  url: string;
  /** The negotiated subprotocol, '' when none. */
  protocol: string;
  /**
   * Frames of the same connection and direction: -1 the one before this, +1 the one after, and so on; undefined past
   * either end or past what the store still holds. Each call may cost a scan of the store: ask for few.
   */
  sibling(offset: number): DecodeInput | undefined;
}

export interface Decoder {
  /** Short id, used by `proto:<id>` in the query and by `data-protocol`: 'socketio', 'mqtt', 'stomp'… */
  id: string;
  /** What the user reads: 'Socket.IO', 'MQTT'. */
  label: string;
  /** Negotiated subprotocols that decide this decoder at once (compared case-insensitively). */
  subprotocols?: readonly string[];
  /**
   * Content detection, asked on a connection's first frames in order until a decoder says true: true when this frame
   * shows the protocol, false when it surely is not, undefined when this frame cannot tell. Must be cheap.
   */
  sniff?(f: DecodeInput, url: string): boolean | undefined;
  /** Never throws (a failure is `error`), never reads more than DECODE_LIMIT of a frame. */
  decode(f: DecodeInput, ctx: DecodeContext): Decoded;
  /**
   * What `decode` would give as the `field` name of the frame, read without decoding it (a query's pass over every
   * frame): a string when it holds one message with that name, null when no message of it has one, undefined when
   * this cannot tell quickly (then the frame is decoded). Must agree with `decode`. `raw` reads JSON paths in the
   * frame's text without parsing it (values found count only in JSON that parses).
   */
  quickName?(f: DecodeInput, field: NameField, raw?: RawJson): string | null | undefined;
  /**
   * What pairing (request → answer) reads of the frame, without decoding it (pairing reads every frame as it
   * arrives): its pair keys, null when no message of it takes part in an exchange, undefined when this cannot tell
   * quickly (then the frame is decoded). Must agree with `decode` as pairing reads it (pairs/from-decoded.ts).
   */
  quickPair?(f: DecodeInput): PairKey[] | null | undefined;
  /**
   * A reader of the decoded value at `segs` (a `$.` path of the query) that reads the frame's raw JSON instead of
   * decoding it (a query's pass over every frame), or undefined when this decoder has none for the path. The reader
   * answers what `decode` would give at the path for a frame's one message: the value (objects and arrays as one
   * stand-in, `raw.read`'s), MISSING when no message has a value there, or undefined when it cannot tell quickly (then
   * the frame is decoded). Must agree with `decode`.
   */
  quickPath?(segs: readonly Segment[], raw: RawJson): ((f: DecodeInput) => unknown) | undefined;
}

/** Reads a JSON path in a frame's text without parsing it (query/json-terms.ts), for `Decoder.quickPath`. */
export interface RawJson {
  /** A path made ready for `read`; `segs` index the JSON in the text. */
  prepare(segs: readonly Segment[]): unknown;
  /**
   * The value at a prepared path in the JSON that starts at `at` in the frame's text and runs to its end: the value, the
   * stand-in for an object or array, MISSING when the JSON has none there or does not parse, undefined when the raw
   * reading cannot tell.
   */
  read(f: DecodeInput, at: number, path: unknown): unknown;
  /**
   * Whether the frame's text parses as JSON from `at` (a payload after the decoder's header), told by what the frame
   * has learnt of it where it can (no regular expression, no parse), and remembered on it for the query's other terms.
   */
  parses(f: DecodeInput, at: number): boolean;
}

/** The most of one frame (characters of text, bytes of binary) a decoder reads; past it, `truncated` says so. */
export const DECODE_LIMIT = 1024 * 1024;

/**
 * Text for the one-line Summary column, whatever the page put in it: cut after `max` characters with an ellipsis, line
 * breaks and other control characters as a space. A loop, not a regex, finds them: it runs for every name summarized.
 */
export function oneLine(s: string, max: number): string {
  const t = s.length > max ? s.slice(0, max) + '…' : s;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return t.replace(/[\x00-\x1f\x7f]+/g, ' ');
  }
  return t;
}
