// Manual intercept (the toolbar's Intercept switch): while on, frames that match its query are held in the page and
// listed here for the user to forward (as they were, or edited) or drop. It is a hold rule put before the user's own
// rules; switching it off forwards everything held. The page forwards a held frame on its own after the longest hold,
// and everything once the panel is gone (the lease ends), so the page is never wedged.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { toPageRules, validateRule } from '../model/intercept/rules';
import type { HoldDecision, PageRule } from '../model/intercept/types';
import type { HeldState, PanelHost } from './host';

/** The hold rule's id: its hits and marks name it. */
export const INTERCEPT_RULE_ID = 'frameline-intercept';
export const DEFAULT_HOLD_S = 60;
const MAX_HOLD_S = 600;

export interface ManualIntercept {
  on: boolean;
  setOn: (on: boolean) => void;
  /** Which frames are held (the query language; empty: every frame, both ways). */
  query: string;
  setQuery: (q: string) => void;
  /** Why the query or the limit cannot be used (the rule is not sent while this is set). */
  error: string | null;
  /** After this long a held frame goes on unchanged, with a notice (whole seconds, 1..600). */
  holdSeconds: string;
  setHoldSeconds: (s: string) => void;
  /** The rule the page runs first, or none. */
  rule: PageRule | null;
  held: HeldState;
  release: (key: string, decision: HoldDecision) => void;
  releaseAll: () => void;
}

export function useManualIntercept(host: PanelHost): ManualIntercept {
  const [on, setOnState] = useState(false);
  const [query, setQuery] = useState('');
  const [holdSeconds, setHoldSeconds] = useState(String(DEFAULT_HOLD_S));
  const [held, setHeld] = useState<HeldState>(host.held());
  useEffect(() => {
    setHeld(host.held());
    return host.onHeld(() => setHeld(host.held()));
  }, []);

  const { rule, error } = useMemo(() => {
    const s = holdSeconds.trim();
    if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > MAX_HOLD_S) return { rule: null, error: `The longest hold is a whole number of seconds from 1 to ${MAX_HOLD_S}` };
    const r = { id: INTERCEPT_RULE_ID, query, action: { kind: 'hold' as const, maxMs: Number(s) * 1000 }, enabled: true };
    const why = validateRule(r);
    if (why) return { rule: null, error: why };
    return { rule: toPageRules([r])[0] ?? null, error: null };
  }, [query, holdSeconds]);

  const setOn = (next: boolean) => {
    setOnState(next);
    // What is held goes on as it was: nothing waits on a switch that is off.
    if (!next) host.releaseAll();
  };
  return {
    on,
    setOn,
    query,
    setQuery,
    error,
    holdSeconds,
    setHoldSeconds,
    rule: on ? rule : null,
    held,
    release: (key, decision) => host.release(key, decision),
    releaseAll: () => host.releaseAll(),
  };
}
