// Which decoder reads each connection, and the decodes of frames, made when asked (rows in view, the selected frame,
// a query that needs them) and kept while they are asked often. Pure: reads the store, writes nothing to it.
import type { SessionStore } from '../store';
import { OPCODE, type Connection, type Frame } from '../types';
import { DECODERS, decoderById } from './index';
import { clip, idText } from './rpc-common';
import type { Decoded, DecodedMessage, DecodeInput, Decoder, NameField, RawJson } from './types';

/** Frames of a connection content detection reads before it settles on no decoder. */
const SNIFF_FRAMES = 8;
/** Rows read past a frame looking for frames of its connection (its siblings, or its first frames). */
const SCAN_ROWS = 20_000;
/** Decodes kept: two generations of this many (a Map evicting its oldest key slows as deleted keys pile up). */
const CACHE_GENERATION = 2048;
/** The id `data-protocol` and `proto:` use for frames no decoder reads. */
export const RAW = 'raw';
/** The decoder a .proto schema, when the user gave one, reads in place of. */
export const PROTOBUF = 'protobuf';

type Choice = { decoder: Decoder | null; settled: boolean; seen: number };

export class Decoding {
  /** Goes up when a connection's decoder changes: what views show of decodes must be made afresh. */
  epoch = 0;
  /** Some connection has a decoder (views show the Summary column; `$.` paths read decodes there). */
  some = false;
  private readonly choices = new Map<number, Choice>();
  private cache = new Map<number, Decoded>();
  private older = new Map<number, Decoded>();
  /** The decode made last: a query with two decoded terms asks for the same frame twice in a row. */
  private last: Decoded | null = null;
  private lastId = -1;

  private version = overridesVersion;

  constructor(
    private readonly store: SessionStore,
    private readonly decoders: readonly Decoder[] = DECODERS,
  ) {}

  /** The decoder that reads a connection's frames, or null. Detection: the user's choice for the URL, then the
   *  negotiated subprotocol, then the content of its first frames; once decided it stays (sticky). */
  decoderOf(connId: number): Decoder | null {
    if (this.version !== overridesVersion) {
      this.version = overridesVersion;
      this.choices.clear();
      this.forget();
      this.epoch++;
    }
    const conn = this.store.connections.get(connId);
    // Most sessions have no choices: no URL is cut per call then.
    const forced = conn && overrides.size ? overrides.get(overrideKey(conn.url)) : undefined;
    if (forced !== undefined) {
      const schema = forced === PROTOBUF ? schemaDecoders.get(overrideKey(conn!.url)) : undefined;
      const d = forced === RAW ? null : (schema ?? this.decoders.find((x) => x.id === forced) ?? null);
      if (d) this.some = true;
      return d;
    }
    let c = this.choices.get(connId);
    if (c?.settled) return c.decoder;
    const seen = this.store.framesPerConnection.get(connId) ?? 0;
    if (c && c.seen === seen) return c.decoder;
    c = this.detect(connId, conn, seen);
    this.choices.set(connId, c);
    if (c.decoder) {
      this.epoch++;
      this.some = true;
    }
    return c.decoder;
  }

  /** The decoder's id for a connection, 'raw' when none. */
  protoOf(connId: number): string {
    return this.decoderOf(connId)?.id ?? RAW;
  }

  /** Whether the connection's decoder is the user's choice rather than detection's. */
  chosenByUser(connId: number): boolean {
    const conn = this.store.connections.get(connId);
    return !!conn && overrides.has(overrideKey(conn.url));
  }

  /** What detection picked for a connection, whatever the user chose. */
  detected(connId: number): Decoder | null {
    const conn = this.store.connections.get(connId);
    return this.detect(connId, conn, this.store.framesPerConnection.get(connId) ?? 0).decoder;
  }

  /**
   * The decode of a text or binary frame on a connection a decoder reads; null otherwise. `keep`: remember it among
   * the decodes views ask for again (rows on screen); a query's pass over every frame keeps only the last.
   */
  decode(f: Frame, keep = true): Decoded | null {
    if (f.opcode !== OPCODE.text && f.opcode !== OPCODE.binary) return null;
    const d = this.decoderOf(f.conn);
    if (!d) return null;
    const id = f.id;
    if (id === this.lastId && this.last!.proto === d.id) return this.last;
    let hit = this.cache.get(id);
    if (hit === undefined) {
      hit = this.older.get(id);
      if (hit !== undefined && keep) this.remember(id, hit);
    }
    if (hit !== undefined && hit.proto === d.id) return hit;
    const conn = this.store.connections.get(f.conn);
    const input = inputOf(f);
    let out: Decoded;
    try {
      out = d.decode(input, {
        url: conn?.url ?? '',
        protocol: conn?.protocol ?? '',
        sibling: (offset) => this.sibling(id, f.conn, f.dir, offset),
      });
    } catch (e) {
      // Decoders promise not to throw; a bug in one must still not break the view or the query.
      out = { proto: d.id, messages: [], error: `The ${d.label} decoder failed: ${String(e)}` };
    }
    this.last = out;
    this.lastId = id;
    if (keep) this.remember(id, out);
    return out;
  }

  /**
   * Whether a message of the frame has a `field` name that passes `test`: read quickly where the decoder can, decoded
   * (and not kept) otherwise. For a query's pass over every frame.
   */
  hasName(f: Frame, field: NameField, test: (name: string) => boolean, raw?: RawJson): boolean {
    if (f.opcode !== OPCODE.text && f.opcode !== OPCODE.binary) return false;
    const d = this.decoderOf(f.conn);
    if (!d) return false;
    if (d.quickName) {
      // The frame itself (a DecodeInput): raw readers remember what they learn of its text on it.
      const n = d.quickName(f, field, raw);
      if (n !== undefined) return n !== null && test(n);
    }
    const out = this.decode(f, false);
    if (out) for (const m of out.messages) {
      const n = m.names?.[field];
      if (n !== undefined && test(n)) return true;
    }
    return false;
  }

  private remember(id: number, d: Decoded): void {
    if (this.cache.size >= CACHE_GENERATION) {
      this.older = this.cache;
      this.cache = new Map();
    }
    this.cache.set(id, d);
  }

  private forget(): void {
    this.cache.clear();
    this.older.clear();
    this.last = null;
    this.lastId = -1;
  }

  private detect(connId: number, conn: Connection | undefined, seen: number): Choice {
    const proto = conn?.protocol?.toLowerCase();
    if (proto) {
      const d = this.decoders.find((x) => x.subprotocols?.some((p) => p.toLowerCase() === proto));
      if (d) return { decoder: d, settled: true, seen };
    }
    const url = conn?.url ?? '';
    let looked = 0;
    const start = this.store.firstIndexOf(connId);
    const end = Math.min(this.store.frameCount, start + SCAN_ROWS);
    for (let i = start; i >= 0 && i < end && looked < SNIFF_FRAMES; i++) {
      const row = this.store.rowAt(i)!;
      if (row.conn !== connId || (row.opcode !== OPCODE.text && row.opcode !== OPCODE.binary)) continue;
      looked++;
      const input = inputOf(row);
      for (const d of this.decoders) {
        let yes: boolean | undefined;
        try {
          yes = d.sniff?.(input, url);
        } catch {
          yes = undefined;
        }
        if (yes) return { decoder: d, settled: true, seen };
      }
    }
    // Settled on none once enough frames said nothing, or when no more will come.
    const done = looked >= SNIFF_FRAMES || (conn !== undefined && (conn.state === 'closed' || conn.state === 'error'));
    return { decoder: null, settled: done, seen };
  }

  /** The frame `offset` frames of the same connection and direction away from frame `id`, within SCAN_ROWS rows. */
  private sibling(id: number, conn: number, dir: string, offset: number): DecodeInput | undefined {
    const at = this.store.indexOfId(id);
    if (at < 0 || offset === 0) return undefined;
    const step = offset < 0 ? -1 : 1;
    let left = Math.abs(offset);
    const n = this.store.frameCount;
    for (let i = at + step, rows = 0; i >= 0 && i < n && rows < SCAN_ROWS; i += step, rows++) {
      const row = this.store.rowAt(i)!;
      if (row.conn !== conn || row.dir !== dir) continue;
      if (--left === 0) return inputOf(this.store.frameAt(i)!);
    }
    return undefined;
  }
}

function inputOf(f: Frame): DecodeInput {
  return f.bytes ? { opcode: f.opcode, dir: f.dir, bytes: f.bytes } : { opcode: f.opcode, dir: f.dir, text: f.text ?? '' };
}

/** One line for a row: the messages' summaries (the first few), or why decoding failed. */
export function summaryOf(d: Decoded, answered?: string): string {
  const m = d.messages;
  const one = m.length === 1 ? (answered === undefined ? m[0].summary : withAnswered(m[0], answered)) : '';
  const head = m.length === 0 ? '' : m.length === 1 ? one : `${m.slice(0, 3).map((x) => x.summary).join(' · ')}${m.length > 3 ? ` · +${m.length - 3}` : ''}`;
  if (d.error) return head ? `${head} · ⚠ ${d.error}` : `⚠ ${d.error}`;
  return head;
}

/**
 * An answer's summary with the name of the exchange it answers (pairing knows it from the request), put after the id
 * the summary shows: `next #3 {…}` → `next #3 OnPrice {…}`; unchanged when it names it already.
 */
function withAnswered(m: DecodedMessage, name: string): string {
  const s = m.summary;
  const n = clip(name, 40);
  if (n === '' || s.includes(n)) return s;
  if (m.id !== undefined) {
    // As the summary shows it: a long string id is cut there (idText).
    for (const token of [idText(m.id), String(m.id)]) {
      for (let at = s.indexOf(token); at >= 0; at = s.indexOf(token, at + 1)) {
        const end = at + token.length;
        // A whole word: `ACK 12`, not the 12 of `#123`.
        if ((at === 0 || s[at - 1] === ' ' || token[0] === '#') && (end === s.length || s[end] === ' ')) {
          return `${s.slice(0, end)} ${n}${s.slice(end)}`;
        }
      }
    }
  }
  return `${s} ${n}`;
}

// The user's choice of decoder per connection URL (without its query, which often carries a session id): a decoder
// id, or 'raw' for none. The panel keeps them in extension storage; every store's Decoding reads them.
let overrides = new Map<string, string>();
let overridesVersion = 0;
const listeners = new Set<() => void>();

export const overrideKey = (url: string) => url.split(/[?#]/)[0];

// Decoders made from the user's .proto files, per connection URL (without query): they read the connections the user
// set to protobuf in place of the wire-format tree.
let schemaDecoders = new Map<string, Decoder>();

export function setSchemaDecoders(byUrl: Map<string, Decoder>): void {
  schemaDecoders = byUrl;
  overridesChanged();
}

function overridesChanged() {
  overridesVersion++;
  for (const fn of listeners) fn();
}

export function setDecoderOverrides(all: Record<string, string>): void {
  overrides = new Map(Object.entries(all).filter(([, id]) => id === RAW || decoderById(id) !== undefined));
  overridesChanged();
}

/** Forget every choice (tests). */
export function resetDecoderOverrides(): void {
  overrides = new Map();
  schemaDecoders = new Map();
  overridesChanged();
}

/** Choose a connection URL's decoder (null: back to detection); returns every choice, to be kept. */
export function overrideDecoder(url: string, id: string | null): Record<string, string> {
  if (id === null) overrides.delete(overrideKey(url));
  else overrides.set(overrideKey(url), id);
  overridesChanged();
  return Object.fromEntries(overrides);
}

/** Goes up whenever the user's choices change (what reads decodes compares it to know when to read again). */
export function decoderChoicesVersion(): number {
  return overridesVersion;
}

/** Called whenever the user's choices change. */
export function onDecodersChanged(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

// One Decoding per store (a live session and each imported one), made when first asked.
const decodings = new WeakMap<SessionStore, Decoding>();

export function decodingOf(store: SessionStore): Decoding {
  let d = decodings.get(store);
  if (!d) decodings.set(store, (d = new Decoding(store)));
  return d;
}
