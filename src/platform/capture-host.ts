// The capture host of an inspected tab, whichever way this browser captures: the debugger (Chrome) or the page hooks
// with webRequest (Firefox, which gives extensions no debugger). How hosts and panels are linked: host-link.ts.
import { DebuggerHost } from './chrome/debugger-host';
import { HookHost } from './firefox/hook-host';
import { FIREFOX_BUILD } from './build';
import type { Host } from './host-link';

export function createHost(tabId: number): Host {
  return FIREFOX_BUILD ? new HookHost(tabId) : new DebuggerHost(tabId);
}
