// While any intercept rule is enabled the page does not run as it would on its own: a banner says so above the
// timeline, with how many frames the rules changed, and why they may not act (Firefox) or go unreported.
import type { SessionStore } from '../model/store';
import type { InterceptStatus } from '../protocol';
import { useStoreRevision } from './useStore';

const REFRESH_MS = 200;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export interface RulesBannerProps {
  /** Enabled rules. */
  active: number;
  /** The live session, whose marks count the frames changed. */
  store: SessionStore;
  intercept?: InterceptStatus;
  onOpen?: () => void;
}

export function RulesBanner({ active, store, intercept, onOpen }: RulesBannerProps) {
  useStoreRevision(store, REFRESH_MS);
  if (active === 0) return null;
  const changed = store.ruleMarks.size;
  const lost = intercept?.lost ?? 0;
  return (
    <div class="banner banner-rules" role="status" data-testid="rules-banner" data-active={active} data-changed={changed}>
      <span>
        {plural(active, 'rule')} active, {plural(changed, 'frame')} changed
      </span>
      {intercept?.note && (
        <span class="warn" data-testid="rules-note">
          {intercept.note}
        </span>
      )}
      {lost > 0 && (
        <span class="warn" data-testid="rules-lost" data-count={lost} title="The page's record of rule hits was full, or a hit's socket matched no connection">
          {plural(lost, 'hit')} not shown
        </span>
      )}
      {onOpen && (
        <button type="button" class="link" data-testid="rules-open" onClick={onOpen}>
          rules
        </button>
      )}
    </div>
  );
}
