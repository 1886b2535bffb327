// User settings in extension storage.
import { DEFAULT_SETTINGS, type Settings } from '../protocol';
import { browser } from './browser';
import { emptySchemas, validSchemas, type ProtoSchemas } from '../model/decode/schemas';
import { validRules } from '../model/pairs/rules';
import type { PairRule } from '../model/pairs/types';
import { validateRule } from '../model/intercept/rules';
import type { InterceptRule } from '../model/intercept/types';

const KEY = 'frameline.settings';

export async function loadSettings(): Promise<Settings> {
  try {
    const got = await browser.storage.local.get(KEY);
    return { ...DEFAULT_SETTINGS, ...((got[KEY] as Partial<Settings> | undefined) ?? {}) };
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

/** Call `fn` with the settings whenever they change (in any of the extension's pages). */
export function onSettingsChanged(fn: (s: Settings) => void): void {
  browser.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && KEY in changes) void loadSettings().then(fn);
  });
}

// Saves run one after another: each reads what the previous one wrote, so quick successive changes are all kept.
let saving: Promise<unknown> = Promise.resolve();

export function saveSettings(patch: Partial<Settings>): Promise<Settings> {
  const done = saving.then(async () => {
    const next = { ...(await loadSettings()), ...patch };
    await browser.storage.local.set({ [KEY]: next });
    return next;
  });
  saving = done.catch(() => {});
  return done;
}

const HISTORY_KEY = 'frameline.queryHistory';
const HISTORY_MAX = 20;

/** The last valid queries, newest first. */
export async function loadQueryHistory(): Promise<string[]> {
  try {
    const got = await browser.storage.local.get(HISTORY_KEY);
    const list: unknown = got[HISTORY_KEY];
    return Array.isArray(list) ? list.filter((q): q is string => typeof q === 'string') : [];
  } catch {
    return [];
  }
}

export async function rememberQuery(q: string): Promise<string[]> {
  const list = [q, ...(await loadQueryHistory()).filter((x) => x !== q)].slice(0, HISTORY_MAX);
  try {
    await browser.storage.local.set({ [HISTORY_KEY]: list });
  } catch {
    /* storage unavailable: keep the list for this session only */
  }
  return list;
}

const DECODERS_KEY = 'frameline.decoders';

/** The decoder the user chose per connection URL ('raw': none). */
export async function loadDecoderChoices(): Promise<Record<string, string>> {
  try {
    const got: unknown = (await browser.storage.local.get(DECODERS_KEY))[DECODERS_KEY];
    if (!got || typeof got !== 'object') return {};
    return Object.fromEntries(Object.entries(got).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}

export async function saveDecoderChoices(all: Record<string, string>): Promise<void> {
  try {
    await browser.storage.local.set({ [DECODERS_KEY]: all });
  } catch {
    /* storage unavailable: the choice holds for this panel only */
  }
}

const SCHEMAS_KEY = 'frameline.protoSchemas';

/** The user's .proto files per origin and message types per connection URL (checked: anything malformed dropped). */
export async function loadProtoSchemas(): Promise<ProtoSchemas> {
  try {
    return validSchemas((await browser.storage.local.get(SCHEMAS_KEY))[SCHEMAS_KEY]);
  } catch {
    return emptySchemas();
  }
}

/** Keeps them; false when storage refused (over its quota, or unavailable): they hold for this panel only then. */
export async function saveProtoSchemas(s: ProtoSchemas): Promise<boolean> {
  try {
    await browser.storage.local.set({ [SCHEMAS_KEY]: s });
    return true;
  } catch {
    return false;
  }
}

const PAIR_RULES_KEY = 'frameline.pairRules';

/** The user's pairing rules per origin of the socket URL (checked: a malformed or uncompilable rule is dropped). */
export async function loadPairRules(): Promise<Record<string, PairRule>> {
  try {
    return validRules((await browser.storage.local.get(PAIR_RULES_KEY))[PAIR_RULES_KEY]);
  } catch {
    return {};
  }
}

export async function savePairRules(all: Record<string, PairRule>): Promise<void> {
  try {
    await browser.storage.local.set({ [PAIR_RULES_KEY]: all });
  } catch {
    /* storage unavailable: the rules hold for this panel only */
  }
}

const INTERCEPT_RULES_KEY = 'frameline.interceptRules';

/** A stored rule the page can still run, or null: a malformed or now-refused rule is dropped rather than sent. */
function keptRule(x: unknown): InterceptRule | null {
  if (!x || typeof x !== 'object') return null;
  const r = x as Partial<InterceptRule>;
  if (typeof r.id !== 'string' || !r.id || typeof r.query !== 'string' || typeof r.enabled !== 'boolean') return null;
  if (!r.action || typeof r.action !== 'object') return null;
  const rule: InterceptRule = { id: r.id, query: r.query, action: r.action, enabled: r.enabled };
  try {
    return validateRule(rule) === null ? rule : null;
  } catch {
    return null;
  }
}

async function allInterceptRules(): Promise<Record<string, unknown>> {
  const got: unknown = (await browser.storage.local.get(INTERCEPT_RULES_KEY))[INTERCEPT_RULES_KEY];
  return got && typeof got === 'object' && !Array.isArray(got) ? (got as Record<string, unknown>) : {};
}

/** The intercept rules kept for the inspected page's origin, in order (checked: malformed or invalid ones dropped). */
export async function loadInterceptRules(origin: string): Promise<InterceptRule[]> {
  try {
    const list = (await allInterceptRules())[origin];
    if (!Array.isArray(list)) return [];
    const ids = new Set<string>();
    const out: InterceptRule[] = [];
    for (const x of list) {
      const r = keptRule(x);
      if (r && !ids.has(r.id)) {
        ids.add(r.id);
        out.push(r);
      }
    }
    return out;
  } catch {
    return [];
  }
}

// Rule saves of several origins (several panels) each rewrite the one record: one after another, each on the last.
let savingRules: Promise<unknown> = Promise.resolve();

/** Keeps an origin's rules ([]: forgets the origin); false when storage refused (they hold for this panel only then). */
export function saveInterceptRules(origin: string, rules: InterceptRule[]): Promise<boolean> {
  const done = savingRules.then(async () => {
    try {
      const all = await allInterceptRules();
      if (rules.length) all[origin] = rules;
      else delete all[origin];
      await browser.storage.local.set({ [INTERCEPT_RULES_KEY]: all });
      return true;
    } catch {
      return false;
    }
  });
  savingRules = done;
  return done;
}
