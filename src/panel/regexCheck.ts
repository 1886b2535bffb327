// Before a query with regular expressions runs over the store, try them in a worker on stored texts (the longest, and
// some spread over the session); a regex that does not finish there in time is stopped and refused
// (src/model/regex-probe.ts says why).
import type { SessionStore } from '../model/store';
import type { QueryRegex } from '../model/query';
import { formatBytes } from '../model/bytes';
import { PROBE_LONGEST, PROBE_SPREAD, PROBE_TEST_MS, pickSamples, type ProbeMessage } from '../model/regex-probe';

const WORKER_START_MS = 5000;

export interface SlowRegex {
  regex: QueryRegex;
  frameId: number;
  message: string;
}

/** The samples a query's regexes must pass, or none (no text is stored, or the query has no regex). */
export function samplesFor(store: SessionStore, regexes: QueryRegex[]): Array<{ id: number; text: string }> {
  if (!regexes.length) return [];
  const longest = store.longestTexts(PROBE_LONGEST, 1);
  return pickSamples(longest, store.spreadTexts(PROBE_SPREAD, new Set(longest.map((s) => s.id))));
}

/**
 * A worker that finished its last check, kept for the next: a check then costs a message round trip, not a worker's
 * start, so a regex filter applies about as soon as one without. One stopped mid-test is terminated, never kept.
 */
let idle: Worker | null = null;

function newWorker(): Worker | null {
  if (typeof Worker === 'undefined') return null;
  try {
    return new Worker(new URL('../entries/regex-worker.ts', import.meta.url), { type: 'module' });
  } catch {
    return null; // no worker here: queries then run unchecked, as they would over a store of no texts
  }
}

/** Start the worker ahead of the check (the user is typing a regex). */
export function warmRegexWorker(): void {
  if (idle) return;
  const w = (idle = newWorker());
  // One that fails to load is dropped: the check then makes its own.
  if (w)
    w.onerror = () => {
      if (idle === w) idle = null;
    };
}

/** `/source/flags`, cut short for a message. */
function shown(r: Pick<QueryRegex, 'source' | 'flags'>): string {
  const s = `/${r.source}/${r.flags}`;
  return s.length > 48 ? `${s.slice(0, 47)}…` : s;
}

/**
 * Try `regexes` on `samples` in a worker. Resolves null when all finish within the time limit, or the regex and the
 * frame it was stopped on. `cancel()` stops the check (the user typed on).
 */
export function checkRegexes(
  regexes: QueryRegex[],
  samples: Array<{ id: number; text: string }>,
  testMs = PROBE_TEST_MS,
): { result: Promise<SlowRegex | null>; cancel: () => void } {
  const worker = idle ?? newWorker();
  idle = null;
  if (!worker) return { result: Promise.resolve(null), cancel: () => {} };
  let at = { r: 0, t: 0 };
  let settle: (v: SlowRegex | null) => void = () => {};
  const result = new Promise<SlowRegex | null>((resolve) => (settle = resolve));
  let settled = false;
  const stop = (v: SlowRegex | null, reusable = false) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    worker.onmessage = null;
    worker.onerror = null;
    if (reusable && !idle) idle = worker;
    else worker.terminate();
    settle(v);
  };
  // Each test gets `testMs` from the moment it is announced; past it the worker is terminated, test and all.
  const slow = () => {
    const regex = regexes[at.r];
    const sample = samples[at.t];
    stop({
      regex,
      frameId: sample.id,
      message: `This regular expression (${shown(regex)}) ran for over ${testMs / 1000} s on one stored payload (frame ${sample.id}, ${formatBytes(sample.text.length)}) without finishing, so Frameline stopped it and will not run it over the stored frames, where one test cannot be interrupted and would hang the panel. Anchor it (^…), or narrow its repetitions (.* → [^"]*).`,
    });
  };
  // A worker that has not started after WORKER_START_MS (it should always start at once) must not block filtering:
  // the query then runs as it would without the check (in slices).
  let timer = setTimeout(() => stop(null), WORKER_START_MS);
  worker.onmessage = (e: MessageEvent<ProbeMessage>) => {
    clearTimeout(timer);
    if (e.data.kind === 'done') return stop(null, true);
    at = { r: e.data.r, t: e.data.t };
    timer = setTimeout(slow, testMs);
  };
  // Nor must a worker that fails.
  worker.onerror = () => stop(null);
  worker.postMessage({ regexes: regexes.map(({ source, flags }) => ({ source, flags })), texts: samples.map((s) => s.text) });
  return { result, cancel: () => stop(null) };
}
