// The frames hold rules keep in the page (manual intercept), as the host knows them: one list for the panel, across
// every context that reports (Chrome: a debugger session's registries; Firefox: a frame's document). Each listing
// replaces its scope's entries; a payload is sent by the page once and kept here while the frame is held. Pure.
import type { HeldFrame } from '../model/intercept/types';
import { parseHeld } from './rule-hits';

type Entry = HeldFrame & { id: number; scope: string; ctx: string };

export class HeldBook {
  private readonly byKey = new Map<string, Entry>();
  /** Per scope: frames its hold rules matched past the page's limit, let through (as the page counts them). */
  private readonly overflowOf = new Map<string, number>();
  /** Listed entries of a wrong shape, dropped. */
  bad = 0;
  private version = 0;
  /** What the panel was last told (see news); a panel starts with nothing held. */
  private told = { version: 0, overflow: 0 };

  /**
   * What `scope`'s contexts hold now (`ctx` names a context within the scope; each raw entry is the page's). Entries of
   * the scope not listed are gone (forwarded or dropped). Returns whether the panel's list changed.
   */
  set(scope: string, listed: readonly { ctx: string; raw: unknown }[], overflow = 0): boolean {
    if (overflow > 0) this.overflowOf.set(scope, overflow);
    else this.overflowOf.delete(scope);
    const now = new Set<string>();
    let changed = false;
    for (const { ctx, raw } of listed) {
      const id = (raw as { id?: unknown } | null)?.id;
      const key = `${scope}|${ctx}#${String(id)}`;
      const had = this.byKey.get(key);
      const e = parseHeld(raw, key);
      if (!e) {
        this.bad++;
        continue;
      }
      now.add(key);
      if (had) {
        if (!had.original && e.original) {
          had.original = e.original;
          changed = true;
        }
        continue;
      }
      this.byKey.set(key, { ...e, scope, ctx });
      changed = true;
    }
    for (const [key, e] of this.byKey) {
      if (e.scope === scope && !now.has(key)) {
        this.byKey.delete(key);
        changed = true;
      }
    }
    if (changed) this.version++;
    return changed;
  }

  /** A scope is gone (its session detached, its document unloaded): its frames went on with it. */
  drop(scope: string): boolean {
    return this.set(scope, [], 0);
  }

  /** Frames let through past the page's limit, over every scope. */
  get overflow(): number {
    let n = 0;
    for (const v of this.overflowOf.values()) n += v;
    return n;
  }

  /** The list and overflow to tell the panel, if they changed since it was last told (`force`: a panel that just
   *  connected); null when it knows them already. */
  news(force = false): { held: HeldFrame[]; overflow: number } | null {
    const overflow = this.overflow;
    if (!force && this.told.version === this.version && this.told.overflow === overflow) return null;
    this.told = { version: this.version, overflow };
    return { held: this.list(), overflow };
  }

  /** Per context of `scope`: the highest held id whose payload is here (the page need not send it again). */
  seen(scope: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.byKey.values()) if (e.scope === scope && e.original && e.id > (out[e.ctx] ?? 0)) out[e.ctx] = e.id;
    return out;
  }

  /** Where a key's frame is held, or undefined if it is no longer held. */
  locate(key: string): { scope: string; ctx: string; id: number } | undefined {
    const e = this.byKey.get(key);
    return e && { scope: e.scope, ctx: e.ctx, id: e.id };
  }

  /** Every held frame, oldest first (as the panel lists them). */
  list(): HeldFrame[] {
    return [...this.byKey.values()]
      .sort((a, b) => a.t - b.t || (a.key < b.key ? -1 : 1))
      .map(({ key, rule, dir, url, created, t, due, original }) => ({ key, rule, dir, url, created, t, due, original }));
  }

  get size(): number {
    return this.byKey.size;
  }

  /** Changes whenever the list does. */
  get revision(): number {
    return this.version;
  }
}
