// How a capture host and its panel are linked, whichever browser: the host's interface, the link it writes to, and a
// host in the panel's own page. Chrome's link between the DevTools page and the panel is in chrome/devtools-link.ts.
import type { HostStatus, HostToPanel, PanelToHost } from '../protocol';
import type { Batcher } from '../model/batcher';

/** Where a host posts what the panel should see. */
export interface PanelLink {
  post(msg: HostToPanel): void;
  /**
   * Links within the panel's renderer only: records are waiting. The panel then pulls them (Host.pull) at its next
   * animation frame and renders them in that frame, instead of the host's own batch coming at some other moment.
   */
  pending?(): void;
}

export interface Host {
  readonly tabId: number;
  onStatus?: (status: HostStatus) => void;
  start(): Promise<void>;
  handle(msg: PanelToHost): void;
  connectPanel(link: PanelLink): void;
  disconnectPanel(link: PanelLink): void;
  /** Hand what is waiting to the linked panel now (a link that pulls calls this at its animation frames). */
  pull(): void;
  /** The user's memory budget (bytes): what the host holds while no panel takes it stays within it. */
  setBudget(bytes: number): void;
  /** Frames a link could not deliver (counted in the status's `dropped`, never silent). */
  countLost(frames: number): void;
  dispose(): void;
}

/** A batcher's own flushes when its panel pulls: only for when the panel does not come (hidden, or busy). */
const PULLED_INTERVAL_MS = 48;
const OWN_INTERVAL_MS = 16;

/** Set a host's batcher up for its link: pulled by a panel in the same renderer, or flushing on its own. */
export function pullFrom(batcher: Batcher, link: PanelLink | null): void {
  const pending = link?.pending?.bind(link);
  batcher.onPending = pending;
  batcher.setInterval(pending ? PULLED_INTERVAL_MS : OWN_INTERVAL_MS);
}

/** What the panel uses to talk to its host. */
export interface HostConnection {
  send(msg: PanelToHost): void;
  /** Within one renderer: take what the host holds now (the panel calls it at its animation frames). */
  pull?(): void;
}

/** How a panel that pulls is told records are waiting (it asks for an animation frame). */
export type OnPending = () => void;

/**
 * The host lives in the panel's own page (Firefox, or the panel opened as a tab): messages are handed over as they
 * are, batches included (no copy). Batches are applied at once (a pull at an animation frame renders them in that
 * frame); other messages in a microtask of their own, as a port would deliver them.
 */
export function localHost(host: Host, onMessage: (m: HostToPanel) => void, onPending?: OnPending): HostConnection {
  host.connectPanel({
    post: (m) => (m.type === 'batch' ? onMessage(m) : queueMicrotask(() => onMessage(m))),
    ...(onPending ? { pending: onPending } : {}),
  });
  return { send: (msg) => host.handle(msg), pull: () => host.pull() };
}
