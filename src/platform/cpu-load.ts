// How busy the machine is: the idle share of all processors over the last interval, from chrome.system.cpu (Chrome;
// Firefox has no such API, and there the answer is always "unknown"). The panel's render governor reads it so the
// live tail yields to the inspected page when the machine has no CPU to spare (see src/panel/schedule.ts).

export interface CpuLoad {
  /** Idle share of all processors (0–1) over the last sampling interval, or undefined while unknown. */
  idle: () => number | undefined;
  stop(): void;
}

type CpuInfo = { processors: Array<{ usage: { idle: number; total: number } }> };

/**
 * A reading older than this is no longer believed (the platform stopped answering): the idle share is unknown. The
 * answer comes from the browser process, which a saturating stream keeps busiest (it dispatches the debugger's
 * events), so it is late exactly when it matters most: a late answer must not turn a busy machine into an unknown one
 * (the tail would then render at full rate and take the page's CPU): late answers of over a second were seen.
 */
export const STALE_MS = 5000;

export function sampleCpuLoad(everyMs = 100): CpuLoad {
  const api = (globalThis as { chrome?: { system?: { cpu?: { getInfo?: (cb: (info: CpuInfo) => void) => void } } } }).chrome
    ?.system?.cpu;
  if (typeof api?.getInfo !== 'function') return { idle: () => undefined, stop() {} };
  const getInfo = api.getInfo.bind(api);
  let last: { idle: number; total: number } | undefined;
  let idle: number | undefined;
  let at = 0;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const read = () => {
    timer = undefined;
    try {
      getInfo((info) => {
        if (stopped) return;
        const now = { idle: 0, total: 0 };
        for (const p of info?.processors ?? []) {
          now.idle += p.usage.idle;
          now.total += p.usage.total;
        }
        if (last && now.total > last.total) {
          idle = Math.min(1, Math.max(0, (now.idle - last.idle) / (now.total - last.total)));
          at = Date.now();
        }
        last = now;
        timer = setTimeout(read, everyMs);
      });
    } catch {
      idle = undefined; // the permission is missing, or the API went away: the governor works without it
    }
  };
  read();
  return {
    idle: () => (idle !== undefined && Date.now() - at <= STALE_MS ? idle : undefined),
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
