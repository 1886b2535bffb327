// What a capture host does with a panel's message, the same for both hosts (chrome.debugger and the Firefox hook).
import { PROTOCOL_VERSION, type HostToPanel, type PanelToHost, type ReplayRequest, type ReplayResult } from '../protocol';
import type { HoldDecision, PageRule } from '../model/intercept/types';

export interface PanelRequests {
  start(): Promise<void>;
  reloadPage(): Promise<void>;
  replay(req: ReplayRequest): Promise<ReplayResult>;
  /** Tell a panel that just said hello of the live connections (records into the host's batcher). */
  snapshot(): void;
  /** Intercept rules in force from now on ([]: none). */
  setRules(rules: PageRule[]): void;
  /** Decide a held frame (manual intercept); one no longer held is ignored. */
  release(key: string, decision: HoldDecision): void;
  /** Forward every held frame as it was. */
  releaseAll(): void;
}

export function handlePanelMessage(host: PanelRequests, msg: PanelToHost, postStatus: () => void, reply: (m: HostToPanel) => void): void {
  switch (msg.type) {
    case 'hello':
      postStatus();
      host.snapshot();
      break;
    case 'attach':
      void host.start();
      break;
    case 'reload':
      void host.reloadPage();
      break;
    case 'replay':
      void host.replay(msg.req).then((result) => reply({ v: PROTOCOL_VERSION, type: 'replay-result', result }));
      break;
    case 'rules':
      host.setRules(msg.rules);
      break;
    case 'release':
      host.release(msg.key, msg.decision);
      break;
    case 'release-all':
      host.releaseAll();
      break;
  }
}
