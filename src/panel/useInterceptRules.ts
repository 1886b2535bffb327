// The intercept rules of the inspected page's origin: loaded when the origin is known (and again when a navigation
// changes it), kept as they change, and pushed to the capture host whenever what the page would run changes.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { toPageRules } from '../model/intercept/rules';
import type { InterceptRule, PageRule } from '../model/intercept/types';
import { loadInterceptRules, saveInterceptRules } from '../platform/settings';
import type { PanelHost } from './host';

/** Follows the inspected page's origin: calls back now and after navigations (null: none, or not known). */
export type FollowOrigin = (fn: (origin: string | null) => void) => () => void;

export interface InterceptRulesState {
  rules: InterceptRule[];
  /** Where they are kept; null: nowhere (no origin known), they hold until the panel closes. */
  origin: string | null;
  /** False until the origin's rules were read (the section waits rather than show an empty list that is not). */
  loaded: boolean;
  /** Storage refused the last save. */
  unsaved: boolean;
  setRules: (rules: InterceptRule[]) => void;
}

/** `first`: a rule the page runs before the user's (manual intercept's hold rule), or null. */
export function useInterceptRules(host: PanelHost, followOrigin?: FollowOrigin, first: PageRule | null = null): InterceptRulesState {
  const [rules, setRulesState] = useState<InterceptRule[]>([]);
  const [origin, setOrigin] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(!followOrigin);
  const [unsaved, setUnsaved] = useState(false);
  const originRef = useRef<string | null | undefined>(undefined);
  const pushed = useRef<string | null>(null);

  useEffect(() => {
    if (!followOrigin) return;
    return followOrigin((o) => {
      if (o === originRef.current) return; // a reload of the same page keeps its rules acting from its first frame
      const had = originRef.current !== undefined;
      originRef.current = o;
      // Another site's rules must not act on this one while its own are read.
      if (had) {
        host.setRules([]);
        pushed.current = '[]';
      }
      setLoaded(false);
      setOrigin(o);
      void (o ? loadInterceptRules(o) : Promise.resolve([])).then((r) => {
        if (originRef.current !== o) return;
        setRulesState(r);
        setUnsaved(false);
        setLoaded(true);
      });
    });
  }, []);

  // Once loaded (the panel's first push, even of none: a host may hold a closed panel's rules), then on each change.
  useEffect(() => {
    if (!loaded) return;
    const page = first ? [first, ...toPageRules(rules)] : toPageRules(rules);
    const key = JSON.stringify(page);
    if (key === pushed.current) return;
    pushed.current = key;
    host.setRules(page);
  }, [rules, loaded, first]);

  const setRules = useCallback(
    (next: InterceptRule[]) => {
      setRulesState(next);
      const o = originRef.current;
      if (o) void saveInterceptRules(o, next).then((ok) => setUnsaved(!ok));
    },
    [],
  );
  return { rules, origin, loaded, unsaved, setRules };
}
