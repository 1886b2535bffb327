// The user's pairing rules, kept per origin of the socket URL (`wss://host:port`), as the .proto files are: a rule
// written for one connection holds for the others of its server. Pure: what was stored checked, rules compiled once.
import { originOf as urlOrigin } from '../decode/schemas';
import { compileRule, type CompiledRule } from './rule';
import type { PairRule } from './types';

/** `wss://host:port` of a socket URL; '' when it has none (a bad URL, or one with an opaque origin). */
export function originOf(url: string): string {
  const o = urlOrigin(url);
  return o === 'null' ? '' : o;
}

const optString = (v: unknown): v is string | undefined => v === undefined || typeof v === 'string';

/** A stored rule, checked field by field; null when anything is malformed or its paths do not compile. */
export function validRule(v: unknown): PairRule | null {
  if (!v || typeof v !== 'object') return null;
  const r = v as Record<string, unknown>;
  if (typeof r.requestId !== 'string' || typeof r.answerId !== 'string' || !optString(r.method)) return null;
  if (r.requestDir !== undefined && r.requestDir !== 'sent' && r.requestDir !== 'received') return null;
  const rule: PairRule = { requestId: r.requestId, answerId: r.answerId };
  if (r.method) rule.method = r.method;
  if (r.requestDir) rule.requestDir = r.requestDir;
  try {
    compileRule(rule);
  } catch {
    return null;
  }
  return rule;
}

/** What was stored: origin → rule, the malformed entries dropped. */
export function validRules(got: unknown): Record<string, PairRule> {
  const out: Record<string, PairRule> = {};
  if (!got || typeof got !== 'object' || Array.isArray(got)) return out;
  for (const [origin, v] of Object.entries(got)) {
    const rule = origin ? validRule(v) : null;
    if (rule) out[origin] = rule;
  }
  return out;
}

/** The rules with `origin`'s set to `rule`, or dropped when it is null (a new object: the old one is unchanged). */
export function withRule(all: Record<string, PairRule>, origin: string, rule: PairRule | null): Record<string, PairRule> {
  const out = { ...all };
  if (rule) out[origin] = rule;
  else delete out[origin];
  return out;
}

/**
 * The compiled rule of a connection URL, undefined when its origin has none: what pairSource's `ruleOf` asks per
 * frame, so each rule is compiled once and each URL's origin read once.
 */
export function ruleLookup(all: Record<string, PairRule>): (url: string) => CompiledRule | undefined {
  const compiled = new Map<string, CompiledRule | undefined>();
  const byUrl = new Map<string, CompiledRule | undefined>();
  return (url) => {
    if (byUrl.has(url)) return byUrl.get(url);
    const origin = originOf(url);
    if (!compiled.has(origin)) {
      const rule = origin && Object.hasOwn(all, origin) ? all[origin] : undefined;
      let c: CompiledRule | undefined;
      try {
        c = rule && compileRule(rule);
      } catch {
        c = undefined;
      }
      compiled.set(origin, c);
    }
    const c = compiled.get(origin);
    byUrl.set(url, c);
    return c;
  };
}
