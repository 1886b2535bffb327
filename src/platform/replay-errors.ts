// Words for a replay that did not go out, shared by both capture hosts. Every message says nothing was sent.
import type { PageReplayResult } from './chrome/page-probe';
import type { ReplayRequest } from '../protocol';

/** Why a Firefox page's records and replays are not vouched for. */
export const UNTRUSTED_PAGE =
  "Frameline's hook came into this page after the page's own scripts (the page was open when Frameline was installed " +
  'or updated), so the page may have tampered with what the hook relies on.';

/** The composer's message for a replay that did not go out. Every one says that nothing was sent. */
export function describeReplayError(r: PageReplayResult, mode: ReplayRequest['mode']): string {
  if (r.ok) return '';
  const nothing = mode === 'inject' ? 'Nothing was injected.' : 'Nothing was sent.';
  switch (r.error) {
    case 'state':
      return r.readyState === 0
        ? `The socket is still connecting. ${nothing}`
        : r.readyState === 2
          ? `The socket is closing. ${nothing} You can send it on a fresh connection to the same URL.`
          : `The socket is closed. ${nothing} You can send it on a fresh connection to the same URL.`;
    case 'not-found':
      return `This socket is no longer in the page (the page navigated, or the socket lives in a frame Frameline cannot reach; ${r.seen?.length ?? 0} other sockets seen there). ${nothing}`;
    case 'ambiguous':
      return `${r.count} sockets of the page have this URL and Frameline cannot tell which one this is. ${nothing}`;
    case 'threw':
      return `The page threw: ${r.message ?? 'unknown error'}. ${nothing}`;
    case 'csp':
      return `The page's Content-Security-Policy does not allow this connection (${r.message}). Nothing was sent.`;
    case 'timeout':
      return 'The fresh connection did not open within 15 s. Nothing was sent.';
    case 'connect-failed':
      return `The fresh connection failed to open${r.code ? ` (close code ${r.code})` : ''}. Nothing was sent.`;
    case 'no-answer':
      return `The page did not answer (${r.message ?? 'in time'}): Frameline cannot tell whether it was ${mode === 'inject' ? 'injected' : 'sent'}; the timeline shows a frame if the network carried one.`;
    case 'untrusted':
      return `${UNTRUSTED_PAGE} Reload the page, then try again. ${nothing}`;
    case 'detached':
      return `The debugger is detached from the tab (or the tab is closed). ${nothing}`;
    case 'gone':
    default:
      return `The page navigated or its context is gone. ${nothing}`;
  }
}
