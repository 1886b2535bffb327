// Chrome: keeps the shared workers of the inspected page's origin attached while capture runs (see
// capture/chrome/worker-targets.ts for which), so their sockets are captured like the page's.
import { workersToAttach, type WorkerPick } from '../../capture/chrome/worker-targets';
import { withTimeout } from '../timeout';

/** How often the browser's targets are listed: a worker's socket opened before it was found is still kept (opened before capture). */
const POLL_MS = 1000;
/** A worker that refused (another debugger holds it) is tried again after this long. */
const RETRY_MS = 5000;
const LIST_TIMEOUT_MS = 3000;

export interface WorkerTargetsHost {
  readonly tabId: number;
  /** Attach by id; the session key (throws with the browser's reason). */
  attach(targetId: string): Promise<string>;
  attached(): ReadonlySet<string>;
  /** A worker attached: capture it under `session`. */
  found(session: string, worker: WorkerPick): void;
}

export class WorkerTargets {
  private timer: ReturnType<typeof setInterval> | undefined;
  private busy = false;
  private readonly refused = new Map<string, number>();

  constructor(private readonly host: WorkerTargetsHost) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    void this.poll();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.refused.clear();
  }

  private async poll(): Promise<void> {
    if (this.busy || !this.timer) return;
    this.busy = true;
    try {
      const listed = await withTimeout(chrome.debugger.getTargets(), LIST_TIMEOUT_MS);
      const now = Date.now();
      const attached = this.host.attached();
      const skip = (id: string) => attached.has(id) || now < (this.refused.get(id) ?? 0);
      for (const w of workersToAttach(listed, this.host.tabId, skip)) {
        if (!this.timer) return;
        try {
          this.host.found(await this.host.attach(w.id), w);
          this.refused.delete(w.id);
        } catch {
          this.refused.set(w.id, now + RETRY_MS);
        }
      }
    } catch {
      /* the next poll tries again */
    } finally {
      this.busy = false;
    }
  }
}
