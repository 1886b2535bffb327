// Readers for what an imported entry says about its connection beyond HAR's own fields: Frameline's `_frameline`
// object and HTTP Toolkit's `_webSocketClose`. A field that is not what Frameline wrote is left out and noted (the
// frames are right without it); what is kept is copied into fresh objects, never kept as the file's. Pure.
import type { Connection, ConnectionState, Initiator, SocketTarget, StackFrame } from '../types';
import type { HarFramelineFields, HarWebSocketClose, Unchecked } from './types';

/** The fields of an object read from a file, not checked yet; undefined when it is not an object. */
export function fieldsOf<T>(v: unknown): Unchecked<T> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : undefined;
}

/** A value from a file, short enough for a message (a file's value may be megabytes long, or an object). */
export function shown(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return Array.isArray(v) ? 'a list' : 'an object';
}

/** The fields an import left out: counted, the first few named for the notice. */
export class Dropped {
  count = 0;
  readonly first: string[] = [];
  note(where: string, why: string): void {
    if (this.count++ < 3) this.first.push(`${where}: ${why}`);
  }
  /** The warning for the notice, or undefined when nothing was left out. */
  warning(): string | undefined {
    if (!this.count) return undefined;
    const more = this.count > this.first.length ? `; and ${this.count - this.first.length} more` : '';
    return `${this.count} fields Frameline could not read were left out (${this.first.join('; ')}${more}).`;
  }
}

/** Stack frames kept per initiator: more than capture keeps, so only a file made to be huge is cut. */
export const MAX_STACK_FRAMES = 1024;

const STATES: readonly ConnectionState[] = ['connecting', 'open', 'closing', 'closed', 'error', 'unknown'];
const TARGETS: readonly SocketTarget['type'][] = ['page', 'iframe', 'worker', 'shared_worker', 'service_worker', 'other'];
/** RFC 6455's close codes: 1000–2999 for the protocol, 3000–4999 for libraries and applications. */
const isCloseCode = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1000 && (v as number) <= 4999;
/** A 0-based line or column, as CDP gives them. */
const isPosition = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** What `_frameline` adds to a connection; the fields import does not use (connectionId, sanitized) are not read. */
export type FramelineFields = Partial<Pick<Connection, 'state' | 'stateNote' | 'untrusted' | 'openedBeforeCapture' | 'target' | 'protocol' | 'extensions' | 'initiator' | 'error'>>;

export function readFrameline(raw: unknown, where: string, drop: Dropped): FramelineFields {
  if (raw === undefined) return {};
  const fl = fieldsOf<HarFramelineFields>(raw);
  if (!fl) {
    drop.note(where, `_frameline is ${shown(raw)}, not an object`);
    return {};
  }
  const out: FramelineFields = {};
  const at = (field: string) => `${where}: _frameline.${field}`;
  if (fl.state !== undefined) {
    if (STATES.includes(fl.state as ConnectionState)) out.state = fl.state as ConnectionState;
    else drop.note(at('state'), `${shown(fl.state)} is not a connection state`);
  }
  if (fl.openedBeforeCapture !== undefined) {
    if (typeof fl.openedBeforeCapture === 'boolean') out.openedBeforeCapture = fl.openedBeforeCapture;
    else drop.note(at('openedBeforeCapture'), `${shown(fl.openedBeforeCapture)} is not true or false`);
  }
  for (const k of ['protocol', 'extensions', 'error', 'stateNote', 'untrusted'] as const) {
    if (fl[k] === undefined) continue;
    if (typeof fl[k] === 'string') out[k] = fl[k];
    else drop.note(at(k), `${shown(fl[k])} is not a string`);
  }
  if (fl.target !== undefined) {
    const t = fieldsOf<SocketTarget>(fl.target);
    if (t && TARGETS.includes(t.type as SocketTarget['type']) && (t.url === undefined || typeof t.url === 'string')) {
      out.target = { type: t.type as SocketTarget['type'], ...(t.url !== undefined ? { url: t.url } : {}) };
    } else drop.note(at('target'), `${shown(fl.target)} is not {type: page, iframe, worker, shared_worker, service_worker or other, url}`);
  }
  if (fl.initiator !== undefined) {
    const init = readInitiator(fl.initiator, at('initiator'), drop);
    if (init) out.initiator = init;
  }
  return out;
}

/**
 * An initiator as Frameline writes it (`stack`: a list of call frames), or with CDP's stack trace (`stack:
 * {callFrames, parent}`, flattened as capture does). A bad type drops the initiator, a bad stack only the stack.
 */
function readInitiator(raw: unknown, where: string, drop: Dropped): Initiator | undefined {
  const i = fieldsOf<Initiator>(raw);
  if (!i || typeof i.type !== 'string') {
    drop.note(where, i ? 'its type is not a string' : `${shown(raw)} is not an object`);
    return undefined;
  }
  const init: Initiator = { type: i.type };
  if (i.url !== undefined) {
    if (typeof i.url === 'string') init.url = i.url;
    else drop.note(`${where}.url`, `${shown(i.url)} is not a string`);
  }
  if (i.lineNumber !== undefined) {
    if (isPosition(i.lineNumber)) init.lineNumber = i.lineNumber;
    else drop.note(`${where}.lineNumber`, `${shown(i.lineNumber)} is not a line number`);
  }
  if (i.stack !== undefined) {
    const stack = readStack(i.stack, `${where}.stack`, drop);
    if (stack) init.stack = stack;
  }
  return init;
}

function readStack(raw: unknown, where: string, drop: Dropped): StackFrame[] | undefined {
  const bad = () => void drop.note(where, `${shown(raw)} is neither a list of call frames nor a stack trace with callFrames`);
  // Frameline's list, or CDP's Runtime.StackTrace: its call frames, then its async parents'. Read no further than
  // what is kept.
  let frames: unknown[] = [];
  if (Array.isArray(raw)) frames = raw;
  else {
    let st: unknown = raw;
    while (st !== undefined && frames.length <= MAX_STACK_FRAMES) {
      const trace = fieldsOf<{ callFrames: unknown; parent: unknown }>(st);
      if (!trace || !Array.isArray(trace.callFrames)) return bad();
      for (let k = 0; k < trace.callFrames.length && frames.length <= MAX_STACK_FRAMES; k++) frames.push(trace.callFrames[k]);
      st = trace.parent;
    }
  }
  const out: StackFrame[] = [];
  for (let k = 0; k < frames.length && k < MAX_STACK_FRAMES; k++) {
    const f = fieldsOf<StackFrame>(frames[k]);
    if (!f || typeof f.functionName !== 'string' || typeof f.url !== 'string' || !isPosition(f.lineNumber) || !isPosition(f.columnNumber)) {
      drop.note(where, `call frame ${k} is not {functionName, url, lineNumber, columnNumber}`);
      return undefined;
    }
    out.push({ functionName: f.functionName, url: f.url, lineNumber: f.lineNumber, columnNumber: f.columnNumber });
  }
  if (frames.length > MAX_STACK_FRAMES) drop.note(where, `more than ${MAX_STACK_FRAMES} call frames: the first ${MAX_STACK_FRAMES} were kept`);
  return out;
}

/** What `_webSocketClose` adds to a connection. */
export type CloseFields = Partial<Pick<Connection, 'closeCode' | 'closeReason' | 'wasClean' | 'closeTs'>> & { aborted?: true };

/** `closeTs` reads its timestamp with `toTs` (the entry's message time conversion; undefined when out of range). */
export function readClose(raw: unknown, where: string, toTs: (t: number) => number | undefined, drop: Dropped): CloseFields {
  if (raw === undefined) return {};
  if (raw === 'aborted') return { aborted: true };
  const c = fieldsOf<HarWebSocketClose>(raw);
  if (!c) {
    drop.note(where, `_webSocketClose is ${shown(raw)}, neither "aborted" nor {code, reason, timestamp, wasClean}`);
    return {};
  }
  const out: CloseFields = {};
  const at = (field: string) => `${where}: _webSocketClose.${field}`;
  if (c.code !== undefined) {
    if (isCloseCode(c.code)) out.closeCode = c.code;
    else drop.note(at('code'), `${shown(c.code)} is not a WebSocket close code (1000–4999)`);
  }
  if (c.reason !== undefined) {
    if (typeof c.reason === 'string') out.closeReason = c.reason;
    else drop.note(at('reason'), `${shown(c.reason)} is not a string`);
  }
  if (c.wasClean !== undefined && c.wasClean !== null) {
    if (typeof c.wasClean === 'boolean') out.wasClean = c.wasClean;
    else drop.note(at('wasClean'), `${shown(c.wasClean)} is not true or false`);
  }
  if (c.timestamp !== undefined && c.timestamp !== null) {
    const ts = typeof c.timestamp === 'number' ? toTs(c.timestamp) : undefined;
    if (ts !== undefined) out.closeTs = ts;
    else drop.note(at('timestamp'), `${shown(c.timestamp)} is not a time in range`);
  }
  return out;
}
