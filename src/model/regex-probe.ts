// Trying a query's regular expressions on stored payloads before they run over the store. A backtracking regex cannot
// be interrupted inside one test, and the structural checks of the query parser cannot see every slow pattern: a plain
// `/a.*b.*c/` is polynomial, harmless on 200 B and endless on a few megabytes, and a pattern the checks misjudge can be
// slow on a few hundred bytes. So the regexes are first tested in a worker, where the panel can stop them, on the
// longest texts and on texts spread over the session. Pure: the worker entry and the panel side wire it up.
import type { QueryRegex } from './query';

/** How many of the longest texts are tried (whatever their length), and how many more spread over the store. */
export const PROBE_LONGEST = 8;
export const PROBE_SPREAD = 24;
/** At most this many characters are tried in all (the longest text always). */
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

type Sample = { id: number; text: string };

/**
 * The samples to try: the longest texts (longest first), then the spread ones, within PROBE_MAX_CHARS in all; each id
 * once.
 */
export function pickSamples(longest: Sample[], spread: Sample[] = []): Sample[] {
  const out: Sample[] = [];
  const ids = new Set<number>();
  let chars = 0;
  for (const s of [...longest, ...spread]) {
    if (ids.has(s.id) || (chars + s.text.length > PROBE_MAX_CHARS && out.length)) continue;
    out.push(s);
    ids.add(s.id);
    chars += s.text.length;
  }
  return out;
}
