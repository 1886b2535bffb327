// Trying a query's regular expressions on the longest stored payloads before they run over the store. A backtracking
// regex cannot be interrupted inside one test, and the structural checks of the query parser (nested or overlapping
// repetitions) cannot see every slow pattern: a plain `/a.*b.*c/` is polynomial, harmless on 200 B and endless on a
// few megabytes. So the regexes are first tested in a worker on the longest texts, where the panel can stop them.
// Pure: the worker entry and the panel side wire it up.
import type { QueryRegex } from './query';

/** Texts shorter than this are not tried: no pattern the parser accepts is slow on them. */
export const PROBE_MIN_BYTES = 4096;
/** How many of the longest texts are tried, and at most how many characters in all. */
export const PROBE_TEXTS = 8;
export const PROBE_MAX_CHARS = 64 * 1024 * 1024;
/**
 * A regex still testing one sample after this long is refused: over the store that test would block the panel as
 * long (a slice cannot interrupt it), and a longer stored text longer still.
 */
export const PROBE_TEST_MS = 500;

export interface ProbeRequest {
  regexes: Array<Pick<QueryRegex, 'source' | 'flags'>>;
  texts: string[];
}

/** Worker → panel: `start` before each test (regex r on text t), `done` at the end. */
export type ProbeMessage = { kind: 'start'; r: number; t: number } | { kind: 'done' };

/**
 * Test every regex on every text, saying which test starts before running it. A global regex (export redaction) is
 * run as it will be used, replacing every match; any other is tested once, as filters do.
 */
export function runProbe(req: ProbeRequest, post: (m: ProbeMessage) => void): void {
  req.regexes.forEach((rx, r) => {
    const re = new RegExp(rx.source, rx.flags.replace(/y/g, ''));
    req.texts.forEach((text, t) => {
      post({ kind: 'start', r, t });
      if (re.global) text.replace(re, '');
      else re.test(text);
    });
  });
  post({ kind: 'done' });
}

/** The samples to try: the longest texts, longest first, within PROBE_MAX_CHARS. */
export function pickSamples(longest: Array<{ id: number; text: string }>): Array<{ id: number; text: string }> {
  const out: Array<{ id: number; text: string }> = [];
  let chars = 0;
  for (const s of longest) {
    if (chars + s.text.length > PROBE_MAX_CHARS && out.length) continue;
    out.push(s);
    chars += s.text.length;
  }
  return out;
}
