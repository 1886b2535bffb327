// Pairing: requests matched with their answers by id, per connection, as frames arrive. Per frame it keeps a row only
// for frames that take part (flags, the latencies they answer with, the first exchange they open, answer and continue;
// the rare further ones they answer or continue, a batch's, in a map); per
// exchange a row (request frame, its time, its answer, latency, name, state). Both are typed-array columns dropped
// from the head as the store evicts frames, so memory follows the store.
//
// Rules: an answer pairs with the most recent open request of its id (and the request's direction); a request whose
// id is still open supersedes the earlier one, which is closed unanswered (it still counts as unanswered: its answer,
// if any, is credited to the later one); an id may be used again once its exchange ended; an answer with no open
// request is an orphan. A request evicted from the store is forgotten: an answer to it arriving later is an orphan.
// When what reads the keys changes (a decoder chosen, a rule edited), clear() then sync() reads the stored frames again.
import type { Frame } from '../types';
import type { SessionStore } from '../store';
import { Columns } from './columns';
import { summarize, type SummaryRow } from './summary';
import { PAIR_FLAG, PAIR_ROLE, type PairKey, type PairsLookup } from './types';

/** What pairing reads of a frame (read it during the call: the frame may be a cursor). */
export type PairSource = (f: Frame) => PairKey[] | null;

// Exchange states (bits).
export const ANSWERED = 1;
/** Ended, superseded or cancelled: no longer open to messages. */
export const CLOSED = 2;
export const SUPERSEDED = 4;
export const CANCELLED = 8;

const F = PAIR_FLAG;
const R = PAIR_ROLE;

const frameColumns = (n: number) => ({
  id: new Float64Array(n),
  flags: new Uint8Array(n),
  /** Requests of the frame still without an answer (superseded ones included). */
  open: new Uint16Array(n),
  /** The first exchange it opens / answers / continues (a later item, a follow-up, a cancel, the end), -1 none. */
  opens: new Float64Array(n),
  answers: new Float64Array(n),
  cont: new Float64Array(n),
  minLat: new Float64Array(n),
  maxLat: new Float64Array(n),
});

const pairColumns = (n: number) => ({
  reqRow: new Float64Array(n),
  reqId: new Float64Array(n),
  reqTs: new Float64Array(n),
  ansId: new Float64Array(n),
  latency: new Float64Array(n),
  name: new Int32Array(n),
  state: new Uint8Array(n),
});

export interface PairStats {
  requests: number;
  answered: number;
  unanswered: number;
  superseded: number;
  /** Answers with no open request, since the last clear (evicted ones included). */
  orphans: number;
}

/** One exchange a frame takes part in, for the details view. */
export interface PairInfo {
  name: string;
  requestId: number;
  /** NaN while unanswered. */
  answerId: number;
  latencyMs: number;
  state: 'open' | 'answered' | 'ended' | 'superseded' | 'cancelled';
}

export class Pairs implements PairsLookup {
  /** Goes up with every change: what is computed from pairs (the summary) is made afresh when it moved. */
  version = 0;
  newestTs = -Infinity;
  private readonly frames: Columns<ReturnType<typeof frameColumns>>;
  private readonly pairs: Columns<ReturnType<typeof pairColumns>>;
  /** The open exchanges by key, per connection and direction of the request (conn × 2, + 1 when sent). */
  private open = new Map<number, Map<string, number>>();
  private openCount = 0;
  /** Entries of `open` whose exchange was evicted: swept once they are many. */
  private stale = 0;
  private names: string[] = [];
  private nameIndex = new Map<string, number>();
  /** Absolute frame row → the exchanges it answers or continues besides its first of each (ascending rows). */
  private also = new Map<number, number[]>();
  /** What the last name test said of each name (0 not asked, 1 yes, 2 no): a query asks it of every frame. */
  private nameTest: ((name: string) => boolean) | null = null;
  private nameHits = new Uint8Array(0);
  private orphans = 0;
  private hint = 0;
  // What sync has read of the store: frames appended since its last clear, and the id of the last one.
  private seen = 0;
  private lastId = NaN;
  private summaryCache: { version: number; rows: SummaryRow[] } | null = null;

  /** `rows`: the columns' first size (they grow as needed). */
  constructor(
    private readonly source: PairSource,
    rows = 1024,
  ) {
    this.frames = new Columns(frameColumns, rows);
    this.pairs = new Columns(pairColumns, rows);
  }

  /** Reads the frames the store got since the last call; forgets what it evicted; starts afresh after a clear. */
  sync(store: SessionStore): void {
    const evicted = store.stats.evicted;
    const appended = store.frameCount + evicted;
    const last = this.seen - 1 - evicted;
    if (appended < this.seen || (last >= 0 && store.rowAt(last)?.id !== this.lastId)) this.clear();
    if (store.frameCount) this.evictBefore(store.rowAt(0)!.id);
    for (let i = Math.max(0, this.seen - evicted), n = store.frameCount; i < n; i++) this.add(store.rowAt(i)!);
    this.seen = appended;
  }

  /** Reads one frame (frames come in id order). */
  add(f: Frame): void {
    const id = f.id;
    const ts = f.ts;
    const conn = f.conn;
    const sent = f.dir === 'sent';
    this.lastId = id;
    if (ts > this.newestTs) this.newestTs = ts;
    const keys = this.source(f);
    if (keys === null || keys.length === 0) return;
    this.version++;
    const fr = this.frames;
    let row = -1; // this frame's slot, made when first needed
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const role = k.role;
      const reqSent = role === R.request || role === R.follow || role === R.cancel ? sent : !sent;
      const mk = k.key;
      const at = conn * 2 + (reqSent ? 1 : 0);
      let map = this.open.get(at);
      if (map === undefined) this.open.set(at, (map = new Map<string, number>()));
      if (role === R.request) {
        if (row < 0) row = this.rowFor(id);
        const prev = map.get(mk);
        if (prev !== undefined) this.supersede(prev);
        else this.openCount++;
        const p = this.openPair(row, id, ts, k.name ?? '');
        map.set(mk, p);
        continue;
      }
      const p = map.get(mk);
      if (p === undefined || p < this.pairs.head) {
        if (p !== undefined) {
          map.delete(mk);
          this.openCount--;
          this.stale--;
        }
        if (role === R.answer || role === R.item) {
          if (row < 0) row = this.rowFor(id);
          fr.cols.flags[row] |= F.orphan;
          this.orphans++;
        }
        continue;
      }
      const pc = this.pairs.cols;
      const ps = p - this.pairs.base;
      if (row < 0) row = this.rowFor(id);
      if (role === R.answer || role === R.item) {
        if (pc.state[ps] & ANSWERED) this.continues(row, p);
        else this.answer(ps, p, row, id, ts);
        if (role === R.answer) this.close(map, mk, ps);
      } else {
        this.continues(row, p);
        if (role === R.cancel) {
          if (!(pc.state[ps] & ANSWERED)) {
            pc.state[ps] |= CANCELLED;
            this.settleRequest(pc.reqRow[ps]);
          }
          this.close(map, mk, ps);
        }
      }
    }
  }

  /** A new row for this frame. */
  private rowFor(id: number): number {
    const fr = this.frames;
    const s = fr.push();
    const c = fr.cols;
    c.id[s] = id;
    c.opens[s] = -1;
    c.answers[s] = -1;
    c.cont[s] = -1;
    c.minLat[s] = NaN;
    c.maxLat[s] = NaN;
    return s;
  }

  private openPair(row: number, id: number, ts: number, name: string): number {
    let n = this.nameIndex.get(name);
    if (n === undefined) {
      n = this.names.length;
      this.names.push(name);
      this.nameIndex.set(name, n);
    }
    const fc = this.frames.cols;
    const s = this.pairs.push();
    const p = this.pairs.base + s;
    const c = this.pairs.cols;
    c.reqRow[s] = this.frames.base + row;
    c.reqId[s] = id;
    c.reqTs[s] = ts;
    c.ansId[s] = NaN;
    c.latency[s] = NaN;
    c.name[s] = n;
    c.state[s] = 0;
    fc.flags[row] |= F.request | F.unanswered;
    if (fc.open[row] < 0xffff) fc.open[row]++;
    if (fc.opens[row] < 0) fc.opens[row] = p;
    return p;
  }

  private answer(ps: number, p: number, row: number, id: number, ts: number): void {
    const c = this.pairs.cols;
    const fc = this.frames.cols;
    const lat = (ts - c.reqTs[ps]) * 1000;
    c.state[ps] |= ANSWERED;
    c.ansId[ps] = id;
    c.latency[ps] = lat;
    this.settleRequest(c.reqRow[ps]);
    fc.flags[row] |= F.answer;
    this.link('answers', row, p);
    if (!(fc.minLat[row] <= lat)) fc.minLat[row] = lat;
    if (!(fc.maxLat[row] >= lat)) fc.maxLat[row] = lat;
  }

  /** The frame carries a later message of exchange `p`. */
  private continues(row: number, p: number): void {
    this.frames.cols.flags[row] |= F.more;
    this.link('cont', row, p);
  }

  /** Links a frame to an exchange it answers or continues: the first of each in its column, others in `also`. */
  private link(col: 'answers' | 'cont', row: number, p: number): void {
    const c = this.frames.cols;
    if (c.answers[row] === p || c.cont[row] === p) return;
    if (c[col][row] < 0) {
      c[col][row] = p;
      return;
    }
    const r = this.frames.base + row;
    const list = this.also.get(r);
    if (list === undefined) this.also.set(r, [p]);
    else if (!list.includes(p)) list.push(p);
  }

  /** One request of the frame at absolute row `r` has its answer (or was cancelled). */
  private settleRequest(r: number): void {
    const fr = this.frames;
    if (r < fr.head) return;
    const s = r - fr.base;
    if (fr.cols.open[s] > 0 && --fr.cols.open[s] === 0) fr.cols.flags[s] &= ~F.unanswered;
  }

  private supersede(p: number): void {
    if (p < this.pairs.head) {
      this.stale--;
      return;
    }
    const ps = p - this.pairs.base;
    const c = this.pairs.cols;
    c.state[ps] |= SUPERSEDED | CLOSED;
    const r = c.reqRow[ps];
    if (r >= this.frames.head) this.frames.cols.flags[r - this.frames.base] |= F.superseded;
  }

  private close(map: Map<string, number>, mk: string, ps: number): void {
    map.delete(mk);
    this.openCount--;
    this.pairs.cols.state[ps] |= CLOSED;
  }

  /** Forgets the frames before `frameId` (the store evicted them) and the exchanges they opened. */
  evictBefore(frameId: number): void {
    const fr = this.frames;
    let h = fr.head;
    while (h < fr.tail && fr.cols.id[h - fr.base] < frameId) h++;
    const pr = this.pairs;
    let p = pr.head;
    while (p < pr.tail && pr.cols.reqId[p - pr.base] < frameId) {
      if (!(pr.cols.state[p - pr.base] & CLOSED)) this.stale++;
      p++;
    }
    if (h === fr.head && p === pr.head) return;
    this.version++;
    fr.dropBefore(h);
    pr.dropBefore(p);
    // Keys went in ascending: the evicted rows are the first ones.
    for (const r of this.also.keys()) {
      if (r >= fr.head) break;
      this.also.delete(r);
    }
    if (this.stale > 1024 && this.stale * 2 > this.openCount) this.sweep();
  }

  /** Drops the open entries of evicted exchanges. */
  private sweep(): void {
    const head = this.pairs.head;
    for (const map of this.open.values()) {
      for (const [k, p] of map) {
        if (p < head) {
          map.delete(k);
          this.openCount--;
        }
      }
    }
    this.stale = 0;
  }

  clear(): void {
    this.frames.clear();
    this.pairs.clear();
    this.open = new Map();
    this.openCount = this.stale = this.orphans = 0;
    this.names = [];
    this.nameIndex = new Map();
    this.also = new Map();
    this.nameTest = null;
    this.newestTs = -Infinity;
    this.seen = 0;
    this.lastId = NaN;
    this.hint = 0;
    this.version++;
  }

  // ---- Lookups ----

  rowOf(frameId: number): number {
    const fr = this.frames;
    const ids = fr.cols.id;
    const lo0 = fr.head - fr.base;
    const hi0 = fr.tail - fr.base - 1;
    if (hi0 < lo0) return -1;
    let h = this.hint - fr.base;
    if (h < lo0 || h > hi0) h = hi0;
    // Queries ask of frames in turn (up or down the store): the answer is at the hint or next to it.
    const x = ids[h];
    if (x === frameId) return h;
    if (frameId > x) {
      if (h === hi0 || frameId < ids[h + 1]) return -1;
      if (ids[h + 1] === frameId) return (this.hint = fr.base + h + 1) - fr.base;
    } else {
      if (h === lo0 || frameId > ids[h - 1]) return -1;
      if (ids[h - 1] === frameId) return (this.hint = fr.base + h - 1) - fr.base;
    }
    let lo = lo0;
    let hi = hi0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = ids[mid];
      if (v === frameId) {
        this.hint = fr.base + mid;
        return mid;
      }
      if (v < frameId) lo = mid + 1;
      else hi = mid - 1;
    }
    this.hint = fr.base + Math.min(Math.max(lo, lo0), hi0);
    return -1;
  }

  flagsAt(row: number): number {
    return this.frames.cols.flags[row];
  }

  minLatencyAt(row: number): number {
    return this.frames.cols.minLat[row];
  }

  maxLatencyAt(row: number): number {
    return this.frames.cols.maxLat[row];
  }

  hasExchangeName(row: number, test: (name: string) => boolean): boolean {
    const fc = this.frames.cols;
    const pr = this.pairs;
    const pc = pr.cols;
    const id = fc.id[row];
    // The exchanges a frame opens were made one after another: they follow its first.
    for (let p = fc.opens[row]; p >= pr.head && p < pr.tail && pc.reqId[p - pr.base] === id; p++) {
      if (this.nameHit(pc.name[p - pr.base], test)) return true;
    }
    if (this.exchangeHit(fc.answers[row], test) || this.exchangeHit(fc.cont[row], test)) return true;
    const more = this.also.size === 0 ? undefined : this.also.get(this.frames.base + row);
    if (more !== undefined) for (const p of more) if (this.exchangeHit(p, test)) return true;
    return false;
  }

  /** Whether exchange `p` is held and its name passes. */
  private exchangeHit(p: number, test: (name: string) => boolean): boolean {
    return p >= this.pairs.head && this.nameHit(this.pairs.cols.name[p - this.pairs.base], test);
  }

  private nameHit(n: number, test: (name: string) => boolean): boolean {
    if (test !== this.nameTest || n >= this.nameHits.length) {
      const hits = new Uint8Array(Math.max(16, this.names.length * 2));
      if (test === this.nameTest) hits.set(this.nameHits);
      this.nameTest = test;
      this.nameHits = hits;
    }
    let h = this.nameHits[n];
    if (h === 0) this.nameHits[n] = h = test(this.names[n]) ? 1 : 2;
    return h === 1;
  }

  /** PAIR_FLAG bits of a frame, 0 when it takes part in no exchange. */
  flagsOf(frameId: number): number {
    const r = this.rowOf(frameId);
    return r < 0 ? 0 : this.frames.cols.flags[r];
  }

  /** The frame on the other side: a request's answer, an answer's request; NaN when none is held. */
  partnerOf(frameId: number): number {
    const r = this.rowOf(frameId);
    if (r < 0) return NaN;
    const c = this.frames.cols;
    if (c.opens[r] >= 0) return c.opens[r] < this.pairs.head ? NaN : this.pairs.cols.ansId[c.opens[r] - this.pairs.base];
    return this.requestAt(r, frameId);
  }

  /** The request frame of the first held exchange a frame answers; NaN when it answers none held. */
  requestOf(frameId: number): number {
    const r = this.rowOf(frameId);
    return r < 0 ? NaN : this.requestAt(r, frameId);
  }

  /**
   * The name of the held exchange a frame answers or continues (graphql-ws `next` carries only an id: the operation
   * name is on the subscribe), undefined when it opens one or takes part in none held.
   */
  answeredNameOf(frameId: number): string | undefined {
    const r = this.rowOf(frameId);
    if (r < 0) return undefined;
    const c = this.frames.cols;
    if (c.opens[r] >= 0) return undefined;
    const head = this.pairs.head;
    let p = c.answers[r] >= head ? c.answers[r] : c.cont[r] >= head ? c.cont[r] : -1;
    if (p < 0) p = this.also.get(this.frames.base + r)?.find((q) => q >= head) ?? -1;
    return p < 0 ? undefined : this.names[this.pairs.cols.name[p - this.pairs.base]];
  }

  private requestAt(r: number, frameId: number): number {
    const pr = this.pairs;
    const a = this.frames.cols.answers[r];
    if (a >= pr.head) return pr.cols.reqId[a - pr.base];
    if (a < 0) return NaN;
    // Its first answered exchange was evicted: a batch answer may still answer later ones (`also` mixes in follow-ups).
    const more = this.also.get(this.frames.base + r);
    if (more !== undefined) for (const p of more) if (p >= pr.head && pr.cols.ansId[p - pr.base] === frameId) return pr.cols.reqId[p - pr.base];
    return NaN;
  }

  /** Exchanges held (requests seen and not evicted). */
  get exchanges(): number {
    return this.pairs.size;
  }

  /** Latency (ms) of the first answer a frame carries, or of its first request's answer; NaN when none. */
  latencyOf(frameId: number): number {
    const r = this.rowOf(frameId);
    if (r < 0) return NaN;
    const c = this.frames.cols;
    if (c.answers[r] < 0 && c.opens[r] >= this.pairs.head) return this.pairs.cols.latency[c.opens[r] - this.pairs.base];
    return c.answers[r] < 0 ? NaN : c.minLat[r];
  }

  /** The exchanges a frame opens or answers (held ones), oldest first. */
  pairsOf(frameId: number): PairInfo[] {
    const out: PairInfo[] = [];
    if (this.rowOf(frameId) < 0) return out;
    const pr = this.pairs;
    const c = pr.cols;
    // Exchanges open at most from their request on: look from the first held one whose request is not after the frame.
    for (let p = pr.head; p < pr.tail; p++) {
      const s = p - pr.base;
      if (c.reqId[s] > frameId) break;
      if (c.reqId[s] !== frameId && c.ansId[s] !== frameId) continue;
      const st = c.state[s];
      out.push({
        name: this.names[c.name[s]],
        requestId: c.reqId[s],
        answerId: c.ansId[s],
        latencyMs: c.latency[s],
        state: st & SUPERSEDED ? 'superseded' : st & CANCELLED ? 'cancelled' : st & ANSWERED ? (st & CLOSED ? 'ended' : 'answered') : 'open',
      });
    }
    return out;
  }

  get stats(): PairStats {
    const c = this.pairs.cols;
    let answered = 0;
    let superseded = 0;
    let cancelled = 0;
    for (let s = this.pairs.head - this.pairs.base, e = this.pairs.tail - this.pairs.base; s < e; s++) {
      const st = c.state[s];
      if (st & ANSWERED) answered++;
      else if (st & CANCELLED) cancelled++;
      if (st & SUPERSEDED) superseded++;
    }
    const requests = this.pairs.size;
    return { requests, answered, unanswered: requests - answered - cancelled, superseded, orphans: this.orphans };
  }

  /** Per request name: counts and latency percentiles over the exchanges held (made once per change). */
  summary(): SummaryRow[] {
    if (this.summaryCache?.version === this.version) return this.summaryCache.rows;
    const pr = this.pairs;
    const c = pr.cols;
    const rows = summarize(this.names, c.name, c.state, c.latency, pr.head - pr.base, pr.tail - pr.base);
    this.summaryCache = { version: this.version, rows };
    return rows;
  }
}
