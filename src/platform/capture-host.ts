// The capture host of an inspected tab, whichever way this browser captures: the debugger (Chrome) or the page hooks
// with webRequest (Firefox, which gives extensions no debugger). A host writes batches and status to the panel it is
// linked to: directly when both live in one page, through src/platform/chrome/devtools-link.ts otherwise.
import { DebuggerHost } from './chrome/debugger-host';
import { HookHost } from './firefox/hook-host';
import { FIREFOX_BUILD } from './build';
import type { HostStatus, HostToPanel, PanelToHost } from '../protocol';

/** Where a host posts what the panel should see. */
export interface PanelLink {
  post(msg: HostToPanel): void;
}

export interface Host {
  readonly tabId: number;
  onStatus?: (status: HostStatus) => void;
  start(): Promise<void>;
  handle(msg: PanelToHost): void;
  connectPanel(link: PanelLink): void;
  disconnectPanel(link: PanelLink): void;
  dispose(): void;
}

export function createHost(tabId: number): Host {
  return FIREFOX_BUILD ? new HookHost(tabId) : new DebuggerHost(tabId);
}

/** What the panel uses to talk to its host. */
export interface HostConnection {
  send(msg: PanelToHost): void;
}

/**
 * The host lives in the panel's own page (Firefox, or the panel opened as a tab): messages are handed over as they
 * are, batches included (no copy); each in a microtask of its own, as a port would deliver it.
 */
export function localHost(host: Host, onMessage: (m: HostToPanel) => void): HostConnection {
  host.connectPanel({ post: (m) => queueMicrotask(() => onMessage(m)) });
  return { send: (msg) => host.handle(msg) };
}
