// What an intercept rule did in the page (a RuleHit) → records: a mark on the frame the network carried, or — where
// the network carried none (a blocked or mocked sent frame, a mock reply) — a frame of its own, marked `intercepted`,
// so the timeline shows everything the app did or saw. Both browsers' capture sources use it. Pure.
import type { RecordSink } from '../model/batch';
import { base64ByteLength, utf8ByteLength } from '../model/bytes';
import type { HeldFrame, RuleHit, WirePayload } from '../model/intercept/types';
import { OPCODE, type Direction, type RuleMark } from '../model/types';

const opcodeOf = (p: WirePayload) => ('text' in p ? OPCODE.text : OPCODE.binary);
const payloadOf = (p: WirePayload) => ('text' in p ? p.text : p.b64);

/** Writes a frame the network did not carry; returns its id. */
function madeFrame(out: RecordSink, id: number, conn: number, dir: Direction, ts: number, p: WirePayload): number {
  const binary = !('text' in p);
  const data = payloadOf(p);
  out.frame(id, conn, dir, opcodeOf(p), ts, binary ? base64ByteLength(data) : utf8ByteLength(data), data, binary, 'intercepted');
  return id;
}

/**
 * Writes the records of one hit on connection `conn` at monotonic time `ts`; `nextId` gives frame ids for frames the
 * network did not carry.
 */
export function writeRuleHit(out: RecordSink, hit: RuleHit, conn: number, ts: number, nextId: () => number): void {
  const base = { conn, dir: hit.dir, rule: hit.rule, action: hit.action, original: hit.original, ts } as const;
  const extra: Partial<RuleMark> = {};
  if (hit.delivered) extra.delivered = hit.delivered;
  if (hit.forwarded !== undefined) extra.forwarded = hit.forwarded;
  if (hit.waited !== undefined) extra.waited = hit.waited;
  if (hit.reason !== undefined) extra.reason = hit.reason;
  const find = (p: WirePayload): RuleMark['find'] => ({ opcode: opcodeOf(p), payload: payloadOf(p), binary: !('text' in p) });
  const mark = (m: RuleMark) => out.record({ t: 'ruled', mark: m });
  if (hit.dir === 'received') {
    // The network carried the original; what the app got instead is in the mark.
    mark({ ...base, ...extra, find: find(hit.original) });
    return;
  }
  const carried =
    hit.action === 'rewritten' || hit.action === 'delayed' || hit.action === 'released'
      ? (hit.delivered ?? null) // a delayed or held frame whose socket closed meanwhile never went
      : (hit.action === 'mocked' && hit.forwarded) || hit.action === 'paused'
        ? hit.original
        : null;
  if (carried) mark({ ...base, ...extra, find: find(carried) });
  else mark({ ...base, ...extra, frame: madeFrame(out, nextId(), conn, 'sent', ts, hit.original) });
  if (hit.action === 'mocked' && hit.delivered) {
    // The reply the app got as if from the server.
    mark({ ...base, dir: 'received', original: hit.original, delivered: hit.delivered, frame: madeFrame(out, nextId(), conn, 'received', ts, hit.delivered) });
  }
}

const ACTIONS = new Set<RuleHit['action']>(['blocked', 'rewritten', 'delayed', 'mocked', 'closed', 'paused', 'released']);
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
const wire = (x: unknown): WirePayload | null =>
  isObj(x) && typeof x.text === 'string' ? { text: x.text } : isObj(x) && typeof x.b64 === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(x.b64) ? { b64: x.b64 } : null;
const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** A hit as the page reported it, checked field by field (the page could have written anything there); null if bad. */
export function parseRuleHit(x: unknown): RuleHit | null {
  if (!isObj(x) || typeof x.rule !== 'string' || typeof x.url !== 'string' || !finite(x.t)) return null;
  if (!ACTIONS.has(x.action as RuleHit['action']) || (x.dir !== 'sent' && x.dir !== 'received')) return null;
  const original = wire(x.original);
  if (!original || (x.created !== null && !finite(x.created))) return null;
  const hit: RuleHit = { rule: x.rule, action: x.action as RuleHit['action'], dir: x.dir, url: x.url, created: x.created, t: x.t, original };
  if (x.delivered !== undefined) {
    const d = wire(x.delivered);
    if (!d) return null;
    hit.delivered = d;
  }
  if (typeof x.forwarded === 'boolean') hit.forwarded = x.forwarded;
  if (finite(x.waited)) hit.waited = x.waited;
  if (finite(x.held)) hit.held = x.held;
  if (x.reason === 'timeout' || x.reason === 'lease') hit.reason = x.reason;
  return hit;
}

/**
 * A held frame as the page listed it (`reg.held`), checked field by field, named `key`; null if bad. Its payload may
 * be absent (the host had it from an earlier listing).
 */
export function parseHeld(x: unknown, key: string): (HeldFrame & { id: number }) | null {
  if (!isObj(x) || !finite(x.id) || typeof x.rule !== 'string' || typeof x.url !== 'string' || !finite(x.t) || !finite(x.due)) return null;
  if (x.dir !== 'sent' && x.dir !== 'received') return null;
  if (x.created !== null && !finite(x.created)) return null;
  const original = x.original === undefined ? null : wire(x.original);
  if (x.original !== undefined && !original) return null;
  return { key, id: x.id, rule: x.rule, dir: x.dir, url: x.url, created: x.created, t: x.t, due: x.due, original };
}
