// The MQTT decoder itself: summaries, split-packet reassembly by look-back and the Decoder. Reading the wire is in
// mqtt-wire.ts and the packets in mqtt-packets.ts; importers need only this file, which re-exports mqttTopicMatches.
//
// MQTT 3.1, 3.1.1 and 5 over WebSocket: every control packet, v5 properties by name, PUBLISH payloads as text / JSON /
// bytes, several packets in one frame and packets split across frames (reassembled from earlier frames of the same
// direction). Pure: no chrome.*, no DOM.
//
// Payloads: text when valid UTF-8 without control characters (other than tab and line breaks), parsed into a tree
// when it is JSON; anything else stays bytes.
//
// Protocol level: a CONNECT names it. Only PUBLISH, SUBSCRIBE, SUBACK and UNSUBSCRIBE read differently in 3.1.1 and
// 5; the others tell by their length. The level comes from a CONNECT or an unambiguous packet in this frame or in the
// frames looked back at for reassembly; failing that, a sent frame looks a few sent frames back, and otherwise the
// packet is read as v5 when its v5 reading validates, else as 3.1.1. A 3.1.1 PUBLISH whose payload happens to read as
// valid v5 properties (a payload starting with byte 0) can therefore show as v5 with its first byte taken as an empty
// property list.
//
// Split packets: a frame that does not parse on its own as whole packets looks back (bounded) for the frame where
// the packet it continues began. A frame that parses on its own as whole packets is taken as such without looking
// back (the common case stays cheap), unless it is two bytes or less (a packet id or a length can look like PINGREQ).
//
// names.topic: the PUBLISH topic only. SUBSCRIBE / UNSUBSCRIBE filters are in value.subscriptions / value.filters:
// a filter is not a topic, and `topic:` matches topics against the query's filter.
import { DECODE_LIMIT, type Decoded, type DecodedMessage, type DecodeContext, type DecodeInput, type Decoder } from './types';
import { type Obj, utf8, hdrLen, remLen, hdrError, HDR_OK, HDR_SHORT, HDR_BAD, readHeader } from './mqtt-wire';
import { type Level, type LevelState, clip, newValue, parsePacket } from './mqtt-packets';
import { preview } from './rpc-common';

export { mqttTopicMatches } from './mqtt-packets';

const PROTO = 'mqtt';
/** How many earlier frames of the same direction a split packet is looked for in. */
const LOOKBACK_FRAMES = 64;
/** How many earlier sent frames a sent frame looks at for its connection's level when a packet reads both ways. */
const LEVEL_LOOKBACK_FRAMES = 4;
/** Packet headers the look-back may step over in all, so a frame of many tiny packets cannot make it slow. */
const LOOKBACK_PACKET_BUDGET = 20_000;
const MAX_PACKETS = 10_000;
/** Characters of a PUBLISH payload shown in its summary. */
const PAYLOAD_PREVIEW = 40;

// ---- Summaries --------------------------------------------------------------------------------------------------------

function listFilters(parts: string[], items: unknown[], withQos: boolean): void {
  const shown = Math.min(items.length, 2);
  for (let i = 0; i < shown; i++) {
    const it = items[i] as Obj | string;
    const text = typeof it === 'string' ? clip(it) : `${clip(it.filter as string)}${withQos && it.qos !== undefined ? ` q${it.qos as number}` : ''}`;
    parts.push(i < shown - 1 ? text + ',' : text);
  }
  if (items.length > shown) parts.push(`+${items.length - shown}`);
}

function summarize(v: Obj): string {
  const parts: string[] = [v.type as string];
  const id = v.packetId !== undefined ? `#${v.packetId as number}` : undefined;
  switch (v.type) {
    case 'CONNECT':
      if (v.version !== undefined) parts.push(`mqtt${v.version as string}`);
      if (v.clientId !== undefined) parts.push(v.clientId === '' ? '(no client id)' : clip(v.clientId as string));
      break;
    case 'CONNACK':
      if (v.reason !== undefined) parts.push(v.reason as string);
      if (v.sessionPresent) parts.push('session present');
      break;
    case 'PUBLISH': {
      const alias = (v.properties as Obj | undefined)?.topicAlias;
      if (v.topic) parts.push(clip(v.topic as string));
      else if (alias !== undefined) parts.push(`(alias ${alias as number})`);
      parts.push(`q${v.qos as number}`);
      if (id) parts.push(id);
      if (v.retain) parts.push('retain');
      if (v.dup) parts.push('dup');
      // What was published, as text or JSON: the frame itself is binary, so the row shows no readable payload.
      if ((v.payloadType === 'json' || v.payloadType === 'text') && v.payloadSize) parts.push(preview(v.payload, PAYLOAD_PREVIEW));
      break;
    }
    case 'SUBSCRIBE':
    case 'UNSUBSCRIBE': {
      const items = (v.subscriptions ?? v.filters) as unknown[] | undefined;
      if (items) listFilters(parts, items, true);
      if (id) parts.push(id);
      break;
    }
    case 'SUBACK':
    case 'UNSUBACK': {
      if (id) parts.push(id);
      const codes = v.reasonCodes as number[] | undefined;
      const reasons = v.reasons as string[] | undefined;
      if (codes && reasons) {
        const bad = new Set<string>();
        for (let i = 0; i < codes.length; i++) if (codes[i] >= 0x80 || (v.type === 'UNSUBACK' && codes[i] !== 0)) bad.add(reasons[i]);
        if (bad.size) parts.push([...bad].join(', '));
      }
      break;
    }
    default:
      if (id) parts.push(id);
      if (v.reasonCode !== undefined && (v.reasonCode !== 0 || v.type === 'AUTH')) parts.push(v.reason as string);
  }
  return parts.join(' ');
}

type Piece = 'whole' | 'begins' | 'middle' | 'ends' | 'cut';

function toMessage(v: Obj, piece: Piece, frames: number): DecodedMessage {
  let summary = summarize(v);
  if (piece === 'begins') summary += ' (continues in the next frame)';
  else if (piece === 'middle') summary += ' (continued; continues in the next frame)';
  else if (piece === 'cut') summary += ' (truncated)';
  if (piece === 'ends') v.frames = frames;
  else if (piece !== 'whole') v.partial = true;
  const msg: DecodedMessage = { summary, kind: v.type as string, value: v };
  if (v.type === 'PUBLISH' && typeof v.topic === 'string' && v.topic !== '') msg.names = { topic: v.topic };
  if (typeof v.packetId === 'number') msg.id = v.packetId;
  return msg;
}

// ---- Frames --------------------------------------------------------------------------------------------------------

interface RunOpts {
  lv: LevelState;
  light: boolean;
  /** Bytes at the start of the buffer that belong to a packet begun in earlier frames. */
  carried: number;
  /** How many earlier frames that packet began in. */
  carriedFrames: number;
  /** The frame was cut at the decode limit: a packet running past the end is truncated, not continued. */
  cut: boolean;
}

interface RunOut {
  messages: DecodedMessage[];
  error?: string;
  /** The last packet continues past the end. */
  partial: boolean;
  /** The first packet of the buffer failed to parse. */
  failedAtStart: boolean;
  tooMany: boolean;
  /** Where parsing stopped. */
  pos: number;
  /** A packet read both ways and its level was a guess. */
  guessed: boolean;
}

function run(b: Uint8Array, end: number, o: RunOpts): RunOut {
  const out: RunOut = { messages: [], partial: false, failedAtStart: false, tooMany: false, pos: 0, guessed: false };
  let pos = 0;
  while (pos < end) {
    if (out.messages.length >= MAX_PACKETS) {
      out.tooMany = true;
      break;
    }
    const where = pos < o.carried ? 'begun in an earlier frame' : `at byte ${pos - o.carried}`;
    const st = readHeader(b, pos, end);
    if (st === HDR_BAD) {
      out.error = `not an MQTT packet ${where}: ${hdrError}`;
      out.failedAtStart = pos === 0;
      break;
    }
    const continued = pos < o.carried;
    if (st === HDR_SHORT) {
      const v = newValue(b[pos] >> 4, b[pos] & 15);
      out.messages.push(toMessage(v, o.cut ? 'cut' : continued ? 'middle' : 'begins', 0));
      out.partial = true;
      break;
    }
    const total = hdrLen + remLen;
    const p = parsePacket(b, pos, end, o.lv, o.light);
    if (p.end !== 'ok' && p.end !== 'short') {
      out.error = `${p.v.type as string} ${where}: ${p.end}`;
      out.failedAtStart = pos === 0;
      break;
    }
    if (p.end === 'short' || pos + total > end) {
      out.messages.push(toMessage(p.v, o.cut ? 'cut' : continued ? 'middle' : 'begins', 0));
      out.partial = true;
      break;
    }
    out.messages.push(toMessage(p.v, continued ? 'ends' : 'whole', o.carriedFrames + 1));
    pos += total;
  }
  out.pos = pos;
  return out;
}

/** The packet a frame starts inside of: its bytes so far (up to the decode limit) from the frames it began in. */
interface Carry {
  pieces: Uint8Array[];
  /** Bytes of it seen so far. */
  len: number;
  /** Bytes of it kept (all, unless it outgrew the decode limit or crossed a frame cut at the limit). */
  kept: number;
  frames: number;
}

interface Start {
  /** undefined: the frame starts at a packet boundary. */
  carry?: Carry;
  /** Nothing in the look-back window says where the frame's first packet began. */
  unknown: boolean;
  level?: Level;
}

function concat(pieces: Uint8Array[], total: number): Uint8Array {
  if (pieces.length === 1 && pieces[0].length === total) return pieces[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of pieces) {
    const n = Math.min(p.length, total - at);
    out.set(n === p.length ? p : p.subarray(0, n), at);
    at += n;
    if (at >= total) break;
  }
  return out;
}

function keep(c: Carry, b: Uint8Array): void {
  const room = DECODE_LIMIT - c.kept;
  if (room > 0 && c.kept === c.len) {
    const piece = b.length <= room ? b : b.subarray(0, room);
    c.pieces.push(piece);
    c.kept += piece.length;
  }
  c.len += b.length;
}

interface Sibling {
  bytes: Uint8Array;
  /** Its first DECODE_LIMIT bytes: headers past it are not read. */
  readable: number;
}

const BAD = 0;
const SHORT = 1;
const WHOLE = 2;

/** Light parse of one packet, header already read, for the look-back: BAD, SHORT (reads well so far) or WHOLE. */
function plausible(b: Uint8Array, pos: number, avail: number, lv: LevelState, budget: { n: number }): number {
  budget.n--;
  const p = parsePacket(b, pos, avail, lv, true);
  return p.end === 'ok' ? WHOLE : p.end === 'short' ? SHORT : BAD;
}

/**
 * Walks frames -k … -1 from a frame assumed to start at a packet boundary: every packet must read as MQTT. Returns
 * the packet left open at the end (or none), or undefined when the assumption does not hold.
 */
function simulate(sibs: Sibling[], k: number, lv: LevelState, budget: { n: number }): { carry?: Carry; whole: number } | undefined {
  let carry: Carry | undefined;
  let whole = 0;
  let total = -1;
  for (let i = k - 1; i >= 0; i--) {
    const { bytes, readable } = sibs[i];
    let pos = 0;
    if (carry) {
      if (total < 0) {
        // The header itself was split: at most 5 bytes.
        const head = concat([...carry.pieces, bytes.subarray(0, 5)], Math.min(carry.len + bytes.length, carry.len + 5));
        const st = readHeader(head, 0, head.length);
        if (st === HDR_BAD) return undefined;
        if (st === HDR_SHORT) {
          keep(carry, bytes);
          carry.frames++;
          continue;
        }
        total = hdrLen + remLen;
      }
      const need = total - carry.len;
      if (need > bytes.length) {
        keep(carry, bytes.subarray(0, readable));
        if (readable < bytes.length) carry.len += bytes.length - readable;
        carry.frames++;
        continue;
      }
      if (carry.kept === carry.len && need <= readable && total <= DECODE_LIMIT) {
        const joined = concat([...carry.pieces, bytes.subarray(0, need)], total);
        readHeader(joined, 0, joined.length);
        if (plausible(joined, 0, joined.length, lv, budget) !== WHOLE) return undefined;
        whole++;
      }
      pos = need;
      carry = undefined;
      total = -1;
    }
    while (pos < bytes.length) {
      if (budget.n <= 0 || pos >= readable) return undefined;
      const st = readHeader(bytes, pos, readable);
      if (st === HDR_BAD) return undefined;
      if (st === HDR_SHORT) {
        if (readable < bytes.length) return undefined;
        carry = { pieces: [], len: 0, kept: 0, frames: 1 };
        keep(carry, bytes.subarray(pos));
        break;
      }
      const t = hdrLen + remLen;
      const fit = plausible(bytes, pos, Math.min(readable, pos + t), lv, budget);
      if (fit === BAD) return undefined;
      if (fit === WHOLE && pos + t <= readable) whole++;
      if (pos + t > bytes.length) {
        total = t;
        carry = { pieces: [], len: 0, kept: 0, frames: 1 };
        keep(carry, bytes.subarray(pos, readable));
        carry.len += bytes.length - readable;
        break;
      }
      pos += t;
    }
  }
  return { carry, whole };
}

function siblingBytes(s: DecodeInput | undefined): Sibling | undefined {
  // An empty binary frame stays: a writer that sends each field as a frame sends an empty string as an empty frame.
  if (!s || s.opcode !== 2 || !s.bytes) return undefined;
  return { bytes: s.bytes, readable: Math.min(s.bytes.length, DECODE_LIMIT) };
}

/** How this frame, with the packet carried into it (if any), starts: BAD, SHORT (reads well so far) or WHOLE. */
function startsWell(carry: Carry | undefined, frame: Uint8Array, budget: { n: number }): number {
  let b = frame;
  if (carry) {
    // A packet too large to keep whole cannot be checked further.
    if (carry.kept !== carry.len) return SHORT;
    b = concat([...carry.pieces, frame], Math.min(carry.len + frame.length, DECODE_LIMIT));
  }
  const st = readHeader(b, 0, b.length);
  if (st !== HDR_OK) return st === HDR_SHORT ? SHORT : BAD;
  return plausible(b, 0, b.length, { sure: false, guessed: false }, budget);
}

/**
 * Where this frame's first packet began: bounded look-back over earlier frames of the same direction. A frame whose
 * first bytes read as a packet header is a candidate start; tiny frames (one field each) make many such candidates
 * by chance, so a candidate counts only once a whole packet from it validates (before or in this frame). Nearest
 * such candidate wins; the first frame of the direction is a start for sure; failing both, the farthest candidate
 * that reads consistently up to this frame.
 */
function findStart(ctx: DecodeContext, frame: Uint8Array): Start {
  const sibs: Sibling[] = [];
  const budget = { n: LOOKBACK_PACKET_BUDGET };
  let weak: Start | undefined;
  const tryFrom = (k: number, sure: boolean): Start | undefined => {
    const lv: LevelState = { sure: false, guessed: false };
    const sim = simulate(sibs, k, lv, budget);
    if (!sim) return undefined;
    const first = startsWell(sim.carry, frame, budget);
    if (first === BAD && !sure) return undefined;
    const start: Start = { carry: sim.carry, unknown: false, level: lv.sure ? lv.level : undefined };
    if (sure || sim.whole > 0 || first === WHOLE) return start;
    weak = start;
    return undefined;
  };
  for (let k = 1; k <= LOOKBACK_FRAMES; k++) {
    const s = siblingBytes(ctx.sibling(-k));
    if (!s) {
      // The first frame of this direction (or past what the store holds, or not MQTT): surely a boundary.
      if (k === 1) return { unknown: false };
      return tryFrom(k - 1, true) ?? weak ?? { unknown: true };
    }
    sibs.push(s);
    if (s.readable === 0 || readHeader(s.bytes, 0, s.readable) === HDR_BAD) continue;
    const start = tryFrom(k, false);
    if (start) return start;
    if (budget.n <= 0) break;
  }
  return weak ?? { unknown: true };
}

/** A sent frame's level from the few sent frames before it: the nearest that tells. */
function levelFromEarlier(ctx: DecodeContext): Level | undefined {
  for (let k = 1; k <= LEVEL_LOOKBACK_FRAMES; k++) {
    const s = siblingBytes(ctx.sibling(-k));
    if (!s) return undefined;
    const lv: LevelState = { sure: false, guessed: false };
    run(s.bytes, s.readable, { lv, light: true, carried: 0, carriedFrames: 0, cut: s.readable < s.bytes.length });
    if (lv.sure) return lv.level;
  }
  return undefined;
}

function size(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

function decodeBinary(all: Uint8Array, dir: DecodeInput['dir'], ctx: DecodeContext): Decoded {
  const cut = all.length > DECODE_LIMIT;
  const bytes = cut ? all.subarray(0, DECODE_LIMIT) : all;
  let lookedUp = false;
  let earlier: Level | undefined;
  const lookup =
    dir === 'sent'
      ? () => {
          if (!lookedUp) {
            lookedUp = true;
            earlier = levelFromEarlier(ctx);
          }
          return earlier;
        }
      : undefined;
  const decodeWith = (buf: Uint8Array, carried: number, carriedFrames: number, level?: Level): RunOut => {
    const o: RunOpts = { lv: { sure: level !== undefined, level, guessed: false, lookup }, light: false, carried, carriedFrames, cut };
    const r = run(buf, buf.length, o);
    // A packet later in the frame told the level after an earlier one was guessed: read the frame again with it.
    if (o.lv.guessed && o.lv.sure && level === undefined) return decodeWith(buf, carried, carriedFrames, o.lv.level);
    r.guessed = o.lv.guessed;
    return r;
  };

  let r = decodeWith(bytes, 0, 0);
  const clean = !r.error && !r.partial && !r.tooMany;
  let note = '';
  if (!clean || bytes.length <= 2) {
    const start = findStart(ctx, bytes);
    const c = start.carry;
    if (c && c.kept === c.len) {
      const joined = concat([...c.pieces, bytes], c.len + bytes.length);
      r = decodeWith(joined, c.len, c.frames, start.level);
    } else if (c) {
      r = endOfHugePacket(c, bytes, start.level, (buf, level) => decodeWith(buf, 0, 0, level));
    } else if (start.unknown && r.failedAtStart) {
      note = ` (or the rest of a packet begun more than ${LOOKBACK_FRAMES} frames before)`;
    } else if (start.level && r.guessed) {
      r = decodeWith(bytes, 0, 0, start.level);
    }
  }
  const out: Decoded = { proto: PROTO, messages: r.messages };
  if (r.error) out.error = r.error + note;
  else if (bytes.length === 0 && !r.messages.length) out.error = 'an empty frame';
  if (cut) out.truncated = `decoded the first ${size(DECODE_LIMIT)} of ${size(all.length)}`;
  else if (r.tooMany) out.truncated = `decoded the first ${MAX_PACKETS} packets; ${size(bytes.length - r.pos)} after them not decoded`;
  return out;
}

/** A frame that ends (or continues) a packet too large to keep whole: what was kept of it, then the frame's own packets. */
function endOfHugePacket(c: Carry, bytes: Uint8Array, level: Level | undefined, rest: (buf: Uint8Array, level?: Level) => RunOut): RunOut {
  const head = concat(c.pieces, c.kept);
  const none: RunOut = { messages: [], partial: false, failedAtStart: true, tooMany: false, pos: 0, guessed: false };
  if (readHeader(head, 0, head.length) !== HDR_OK) return { ...none, error: 'continues a packet too large to reassemble' };
  const total = hdrLen + remLen;
  const p = parsePacket(head, 0, head.length, { sure: level !== undefined, level, guessed: false }, false);
  const ends = total - c.len <= bytes.length;
  const msg = toMessage(p.v, ends ? 'cut' : 'middle', 0);
  msg.summary = msg.summary.replace(/ \((truncated|continued; continues in the next frame)\)$/, ends ? ' (end of a packet too large to reassemble)' : ' (continued; too large to reassemble)');
  if (!ends) return { ...none, failedAtStart: false, messages: [msg], partial: true, pos: bytes.length };
  const after = rest(bytes.subarray(total - c.len), level);
  return { ...after, messages: [msg, ...after.messages] };
}

// ---- Sniffing ---------------------------------------------------------------------------------------------------------

function sniffConnect(b: Uint8Array): boolean {
  if (readHeader(b, 0, b.length) !== HDR_OK || b[0] !== 0x10) return false;
  const p = hdrLen;
  if (remLen < 10 || b.length < p + 8) return false;
  const n = (b[p] << 8) | b[p + 1];
  const name = n === 4 || n === 6 ? utf8(b, p + 2, p + 2 + n) : undefined;
  if (b.length < p + 2 + n + 2) return false;
  const level = b[p + 2 + n];
  const flags = b[p + 3 + n];
  const nameOk = (name === 'MQTT' && (level === 4 || level === 5)) || (name === 'MQIsdp' && level === 3);
  return nameOk && (flags & 1) === 0 && ((flags >> 3) & 3) !== 3 && (flags & 4 ? true : (flags & 0x38) === 0);
}

function sniffConnack(b: Uint8Array): boolean {
  if (readHeader(b, 0, b.length) !== HDR_OK || b[0] !== 0x20) return false;
  const total = hdrLen + remLen;
  if (total > b.length || remLen < 2) return false;
  const lv: LevelState = { sure: false, guessed: false };
  if (parsePacket(b, 0, total, lv, true).end !== 'ok') return false;
  // Anything after it must at least start like another packet.
  return total === b.length || readHeader(b, total, b.length) !== HDR_BAD;
}

export const mqttDecoder: Decoder = {
  id: PROTO,
  label: 'MQTT',
  subprotocols: ['mqtt', 'mqttv3.1'],
  sniff(f: DecodeInput): boolean | undefined {
    // MQTT over WebSocket is carried in binary frames only.
    if (f.opcode === 1) return false;
    const b = f.bytes;
    if (f.opcode !== 2 || !b || b.length < 4) return undefined;
    try {
      if (b[0] === 0x10 && f.dir === 'sent') return sniffConnect(b) || undefined;
      if (b[0] === 0x20 && f.dir === 'received') return sniffConnack(b) || undefined;
    } catch {
      // A sniff never decides on a failure.
    }
    return undefined;
  },
  decode(f: DecodeInput, ctx: DecodeContext): Decoded {
    if (f.opcode !== 2 || !f.bytes) {
      return { proto: PROTO, messages: [], error: 'MQTT over WebSocket travels in binary frames; this is a text frame' };
    }
    try {
      return decodeBinary(f.bytes, f.dir, ctx);
    } catch (e) {
      return { proto: PROTO, messages: [], error: `could not decode: ${e instanceof Error ? e.message : String(e)}` };
    }
  },
};
