// Normalized records: what every capture source (CDP in Chrome, the page hook in Firefox) produces and what the
// store, the views and HAR work on. Pure data: no chrome.*, no DOM.

/**
 * 'unknown': the socket was live when capture lost sight of it (the debugger detached); capture says again what it is
 * once it sees the page again (re-attached), or when a frame of it arrives.
 */
export type ConnectionState = 'connecting' | 'open' | 'closing' | 'closed' | 'error' | 'unknown';
export type Direction = 'sent' | 'received';

/** WebSocket opcodes, plus -1 for a frame error reported by the browser (as Chrome's HAR does). */
export const OPCODE = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10, error: -1 } as const;

export interface Header {
  name: string;
  value: string;
}

export interface StackFrame {
  functionName: string;
  url: string;
  lineNumber: number; // 0-based, as CDP
  columnNumber: number; // 0-based, as CDP
}

export interface Initiator {
  type: string; // 'script' | 'parser' | 'other' | …
  url?: string;
  lineNumber?: number;
  stack?: StackFrame[];
}

/** Where a socket lives: the page itself, an (out-of-process) iframe, a dedicated, shared or service worker. */
export interface SocketTarget {
  type: 'page' | 'iframe' | 'worker' | 'shared_worker' | 'service_worker' | 'other';
  url?: string;
}

export interface HandshakeRequest {
  headers: Header[];
  headersText?: string;
  /** Firefox: the headers as the browser's webRequest reports them, which differ from what went on the wire. */
  reportedByBrowser?: boolean;
}

export interface HandshakeResponse {
  status: number;
  statusText: string;
  headers: Header[];
  headersText?: string;
}

/**
 * A WebSocket connection. Times are CDP monotonic timestamps in seconds (`*Ts`); turn them into wall-clock
 * milliseconds with `toWallMs` and the session's anchor.
 */
export interface Connection {
  id: number;
  url: string;
  state: ConnectionState;
  /** How its state was told other than by an event of the socket itself (e.g. closed while capture was detached). */
  stateNote?: string;
  /** The socket was already open when capture started: its handshake was never seen. */
  openedBeforeCapture: boolean;
  /** For a socket opened before capture whose URL could not be told apart: the live sockets it may be. */
  urlCandidates?: string[];
  /** Only the handshake of this socket could be seen, never its frames; says why (Firefox: a socket in a worker). */
  handshakeOnly?: string;
  /** Frameline cannot vouch for this record, and says why (Firefox: the page hook came after the page's own scripts;
   *  reloading the page ends it). Replay on it is refused. */
  untrusted?: string;
  target: SocketTarget;
  initiator?: Initiator;
  request?: HandshakeRequest;
  response?: HandshakeResponse;
  /** Selected subprotocol (Sec-WebSocket-Protocol of the response), '' when none. */
  protocol?: string;
  /** Negotiated extensions (Sec-WebSocket-Extensions of the response), '' when none. */
  extensions?: string;
  createdTs?: number;
  openTs?: number;
  closeTs?: number;
  closeCode?: number;
  closeReason?: string;
  wasClean?: boolean;
  error?: string;
}

/** What every frame has, however it is carried. */
interface FrameFields {
  id: number;
  conn: number;
  dir: Direction;
  opcode: number;
  /** CDP monotonic timestamp, seconds. */
  ts: number;
  /** Payload length in bytes (UTF-8 bytes for text). */
  size: number;
  text?: string;
  /** Sent by Frameline's replay, or injected into the page as if received. */
  mark?: FrameMark;
}

/** A frame as it crosses contexts: binary payloads travel as base64 (runtime ports serialize as JSON). */
export interface WireFrame extends FrameFields {
  b64?: string;
}

/** A frame in the store: binary payloads are bytes. */
export interface Frame extends FrameFields {
  bytes?: Uint8Array;
}

/** `intercepted`: a frame the network did not carry, made by an intercept rule (a blocked sent frame, a mock reply). */
export type FrameMark = 'replayed' | 'injected' | 'intercepted';

/** What an intercept rule did, as the timeline's `data-action` says it. */
export type RuleActionName = 'blocked' | 'rewritten' | 'delayed' | 'mocked' | 'closed' | 'paused' | 'released';

/** A payload as a rule mark keeps it: text, or bytes as base64. */
export type MarkPayload = { text: string } | { b64: string };

/**
 * An intercept rule acted on a frame (reported by the page hook). The frame is the one the network carried (found by
 * its connection, direction and payload: what the server got for a sent frame, what arrived for a received one), or,
 * where the network carried none, the frame the capture source made for it (`frame`).
 */
export interface RuleMark {
  conn: number;
  dir: Direction;
  rule: string;
  action: RuleActionName;
  frame?: number;
  find?: { opcode: number; payload: string; binary: boolean };
  /** The frame as the app sent it or as it arrived. */
  original: MarkPayload;
  /** What went on instead (to the server, or to the app); absent when nothing did. */
  delivered?: MarkPayload;
  /** A mocked sent frame: whether the server got the original too. */
  forwarded?: boolean;
  /** A delayed or held frame: how long it waited, ms. */
  waited?: number;
  /** A held frame the page forwarded on its own: its time limit passed, or DevTools went away (the lease ended). */
  reason?: 'timeout' | 'lease';
  /** Monotonic seconds when the rule acted. */
  ts: number;
}

/** Whether a frame's text is known to parse as JSON: what a store may remember per frame for the query. */
export const JSON_MEMO = { unknown: 0, invalid: 1, valid: 2 } as const;

/**
 * A frame that can remember what the query learnt about its text (the store's filter cursor does): 16 bits, 0 until
 * something is known; the low 2 bits are a JSON_MEMO, the others the query's own.
 */
export interface JsonMemoFrame extends Frame {
  jsonMemo: number;
}

/** What a capture source emits; the store applies these in order. */
export type CaptureRecord =
  | { t: 'conn'; conn: Connection } // upsert: a new connection or a new snapshot of it
  | { t: 'frame'; frame: WireFrame }
  | { t: 'anchor'; anchor: number } // wall-clock seconds minus monotonic seconds
  | { t: 'navigated'; url: string; ts: number }
  | { t: 'ruled'; mark: RuleMark };
