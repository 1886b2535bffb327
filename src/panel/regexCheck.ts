// Before a query with regular expressions runs over the store, try them in a worker on the longest stored texts; a
// regex that does not finish there in time is refused (src/model/regex-probe.ts says why).
import type { SessionStore } from '../model/store';
import type { QueryRegex } from '../model/query';
import { formatBytes } from '../model/bytes';
import { PROBE_MIN_BYTES, PROBE_TEXTS, PROBE_TEST_MS, pickSamples, type ProbeMessage } from '../model/regex-probe';

const WORKER_START_MS = 5000;

export interface SlowRegex {
  regex: QueryRegex;
  frameId: number;
  message: string;
}

/** The samples a query's regexes must pass, or none (nothing long is stored, or the query has no regex). */
export function samplesFor(store: SessionStore, regexes: QueryRegex[]): Array<{ id: number; text: string }> {
  return regexes.length ? pickSamples(store.longestTexts(PROBE_TEXTS, PROBE_MIN_BYTES)) : [];
}

/**
 * Try `regexes` on `samples` in a worker. Resolves null when all finish within the time limit, or the regex and the
 * frame it was stopped on. `cancel()` stops the worker (the user typed on).
 */
export function checkRegexes(
  regexes: QueryRegex[],
  samples: Array<{ id: number; text: string }>,
  testMs = PROBE_TEST_MS,
): { result: Promise<SlowRegex | null>; cancel: () => void } {
  const worker = new Worker(new URL('../entries/regex-worker.ts', import.meta.url), { type: 'module' });
  let at = { r: 0, t: 0 };
  let settle: (v: SlowRegex | null) => void = () => {};
  const result = new Promise<SlowRegex | null>((resolve) => (settle = resolve));
  const stop = (v: SlowRegex | null) => {
    clearTimeout(timer);
    worker.terminate();
    settle(v);
  };
  // Each test gets `testMs` from the moment it is announced.
  const slow = () => {
    const regex = regexes[at.r];
    const sample = samples[at.t];
    stop({
      regex,
      frameId: sample.id,
      message: `This regular expression ran for over ${testMs / 1000} s on one stored payload (frame ${sample.id}, ${formatBytes(sample.text.length)}) without finishing, so Frameline will not run it over the stored frames. Anchor it (^…), or narrow its repetitions (.* → [^"]*).`,
    });
  };
  // A worker that has not started after WORKER_START_MS (it should always start at once) must not block filtering:
  // the query then runs as it would without the check (in slices).
  let timer = setTimeout(() => stop(null), WORKER_START_MS);
  worker.onmessage = (e: MessageEvent<ProbeMessage>) => {
    clearTimeout(timer);
    if (e.data.kind === 'done') return stop(null);
    at = { r: e.data.r, t: e.data.t };
    timer = setTimeout(slow, testMs);
  };
  // Nor must a worker that fails.
  worker.onerror = () => stop(null);
  worker.postMessage({ regexes: regexes.map(({ source, flags }) => ({ source, flags })), texts: samples.map((s) => s.text) });
  return { result, cancel: () => stop(null) };
}
