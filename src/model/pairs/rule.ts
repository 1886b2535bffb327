// A user's pairing rule (JSON paths to the request id, the answer id and the name) made into a reader of pair keys,
// for connections no decoder pairs. The text is parsed: rules are for protocols Frameline does not know.
import type { Frame } from '../types';
import { MISSING, parsePath, resolve, type Segment } from '../query/json-path';
import { PAIR_ROLE, idKey, type PairKey, type PairRule } from './types';

export interface CompiledRule {
  keys(f: Frame): PairKey[] | null;
}

function path(p: string, what: string): Segment[] {
  const s = p.trim();
  if (s[0] !== '$') throw new Error(`The ${what} path must start with $: ${p}`);
  try {
    return parsePath(s, 0);
  } catch (e) {
    throw new Error(`The ${what} path ${p}: ${(e as Error).message}`, { cause: e });
  }
}

const idOf = (v: unknown): string | undefined =>
  typeof v === 'string' ? idKey(v) : typeof v === 'number' && Number.isFinite(v) ? idKey(v) : undefined;

/** Checks the rule's paths; throws an Error saying which is wrong. */
export function compileRule(rule: PairRule): CompiledRule {
  const req = path(rule.requestId, 'request id');
  const ans = path(rule.answerId, 'answer id');
  const method = rule.method ? path(rule.method, 'name') : null;
  const same = rule.requestId.trim() === rule.answerId.trim();
  const requestDir = rule.requestDir ?? 'sent';
  return {
    keys(f) {
      const t = f.text;
      if (t === undefined || t.length === 0) return null;
      let v: unknown;
      try {
        v = JSON.parse(t);
      } catch {
        return null;
      }
      const r = idOf(resolve(v, req));
      const m = method ? resolve(v, method) : MISSING;
      const name = typeof m === 'string' ? m : typeof m === 'number' ? String(m) : undefined;
      if (same) {
        if (r === undefined) return null;
        const isRequest = method ? name !== undefined : f.dir === requestDir;
        return [isRequest ? { role: PAIR_ROLE.request, key: r, name: name ?? 'request' } : { role: PAIR_ROLE.answer, key: r }];
      }
      const a = idOf(resolve(v, ans));
      const out: PairKey[] = [];
      if (a !== undefined) out.push({ role: PAIR_ROLE.answer, key: a });
      if (r !== undefined) out.push({ role: PAIR_ROLE.request, key: r, name: name ?? 'request' });
      return out.length ? out : null;
    },
  };
}
