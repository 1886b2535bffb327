// Pairing as a store's views and queries read it: one Pairs per store (live session, each imported one), kept up to
// date with the store when asked (frames in, evictions, clears), started afresh when the user's decoder choices or
// pairing rules change. The user's rules are kept per origin of the socket URL.
import type { SessionStore } from '../store';
import { decoderChoicesVersion, decodingOf } from '../decode/decoding';
import { Pairs } from './pairs';
import { originOf, ruleLookup } from './rules';
import { pairSource } from './source';
import type { PairRule, PairsLookup } from './types';

let rules: Record<string, PairRule> = {};
let lookup = ruleLookup(rules);
let rulesVersion = 0;

/** The user's rules by origin (as loaded or saved); a rule that does not compile pairs nothing. */
export function setPairRules(all: Record<string, PairRule>): void {
  rules = all;
  lookup = ruleLookup(all);
  rulesVersion++;
}

/** The rule for a socket URL's origin, if the user made one. */
export function pairRuleFor(url: string): PairRule | undefined {
  const o = originOf(url);
  return o && Object.hasOwn(rules, o) && lookup(url) ? rules[o] : undefined;
}

/** Every rule, by origin (to be kept). */
export function pairRules(): Record<string, PairRule> {
  return rules;
}

export class StorePairs implements PairsLookup {
  readonly pairs: Pairs;
  private version = '';
  private appended = -1;
  private revision = -1;

  constructor(private readonly store: SessionStore) {
    const decoding = decodingOf(store);
    this.pairs = new Pairs(
      pairSource(decoding, (conn) => {
        if (rulesVersion === 0) return undefined;
        const c = store.connections.get(conn);
        return c ? lookup(c.url) : undefined;
      }),
    );
  }

  /** Brings pairing up to the store's frames; returns it. Cheap when nothing changed. */
  sync(): Pairs {
    const s = this.store;
    const version = `${decoderChoicesVersion()}:${rulesVersion}`;
    if (version !== this.version) {
      this.version = version;
      this.pairs.clear();
      this.appended = -1;
    }
    const appended = s.frameCount + s.stats.evicted;
    // Within a batch (a filter matching frames as they arrive) the revision stands still while frames are added.
    if (appended === this.appended && s.revision === this.revision) return this.pairs;
    this.appended = appended;
    this.revision = s.revision;
    this.pairs.sync(s);
    return this.pairs;
  }

  rowOf(frameId: number): number {
    return this.sync().rowOf(frameId);
  }
  flagsAt(row: number): number {
    return this.pairs.flagsAt(row);
  }
  minLatencyAt(row: number): number {
    return this.pairs.minLatencyAt(row);
  }
  maxLatencyAt(row: number): number {
    return this.pairs.maxLatencyAt(row);
  }
  hasExchangeName(row: number, test: (name: string) => boolean): boolean {
    return this.pairs.hasExchangeName(row, test);
  }
  get newestTs(): number {
    return this.pairs.newestTs;
  }
}

const all = new WeakMap<SessionStore, StorePairs>();

export function pairsOf(store: SessionStore): StorePairs {
  let p = all.get(store);
  if (!p) all.set(store, (p = new StorePairs(store)));
  return p;
}
