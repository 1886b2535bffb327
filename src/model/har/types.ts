// HAR 1.2 as @types/har-format describes it, plus the fields WebSocket recorders add: Chrome's `_resourceType` and
// `_webSocketMessages`, HTTP Toolkit's `_webSocketClose`, and Frameline's own `_frameline`, `_replayed`, `_injected`.
import type { Entry, Har, Log, Response } from 'har-format';
import type { Connection } from '../types';

export type { Cookie as HarCookie, Header as HarHeader, QueryString as HarQueryString, Timings as HarTimings } from 'har-format';

export const HAR_VERSION = '1.2';

/**
 * One message of `_webSocketMessages`. Chrome writes send / receive (and error, opcode -1, for a frame error); some
 * CDP recorders write request / response. `time` is epoch seconds in Chrome's and Frameline's HARs.
 */
export interface HarWebSocketMessage {
  type: 'send' | 'receive' | 'error' | 'request' | 'response';
  time: number;
  opcode: number;
  /** Text as is, binary as base64. */
  data: string;
  /** Frameline: sent by its replay. */
  _replayed?: true;
  /** Frameline: injected into the page as if received. */
  _injected?: true;
}

/** HTTP Toolkit's close record (it writes the string "aborted" for a socket that never closed cleanly). */
export interface HarWebSocketClose {
  code: number;
  reason: string;
  /** Epoch seconds, like message times. */
  timestamp: number | null;
  wasClean: boolean | null;
}

/** What Frameline keeps of a connection that HAR has no field for. */
export interface HarFramelineFields {
  connectionId: number;
  state: Connection['state'];
  /** How the state was told other than by the socket's own events (e.g. closed while the debugger was detached). */
  stateNote?: string;
  /** Why what this connection's page reported cannot be trusted (Firefox: a hook injected after the page's scripts). */
  untrusted?: string;
  openedBeforeCapture: boolean;
  target: Connection['target'];
  protocol: string;
  extensions: string;
  initiator?: Connection['initiator'];
  error?: string;
  /** Header names stripped from this entry (lowercase), when it was sanitized. */
  sanitized?: string[];
}

/** A handshake response; `_error` says why a connection failed. */
export interface HarWebSocketResponse extends Response {
  _error?: string;
}

/** One WebSocket connection as an entry. */
export interface HarWebSocketEntry extends Omit<Entry, '_webSocketMessages' | '_resourceType' | 'response'> {
  response: HarWebSocketResponse;
  _resourceType: 'websocket';
  _webSocketMessages: HarWebSocketMessage[];
  _webSocketClose?: HarWebSocketClose | 'aborted';
  _frameline?: HarFramelineFields;
}

/** The document Frameline writes (its entries are HAR entries but for the wider message type). */
export interface HarWebSocketDocument extends Omit<Har, 'log'> {
  log: Omit<Log, 'entries'> & { entries: HarWebSocketEntry[] };
}

/**
 * What a parsed file may hold where `T` is expected: the same field names, with values not yet checked (import reads
 * files from any recorder, so each value is checked before it is used).
 */
export type Unchecked<T> = { [K in keyof T]?: unknown };
