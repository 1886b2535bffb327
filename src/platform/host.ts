// The capture host of an inspected tab, whichever way this browser captures: chrome.debugger (Chrome) or the page
// hook with webRequest (Firefox, which gives extensions no debugger).
import { CaptureHost, type PanelLink } from './capture-host';
import { HookHost } from './hook-host';
import { FIREFOX_BUILD } from './build';
import type { HostStatus, PanelToHost } from '../protocol';

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
  return FIREFOX_BUILD ? new HookHost(tabId) : new CaptureHost(tabId);
}
