import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../../src/model/query';
import { pickSamples, PROBE_MAX_CHARS, runProbe, type ProbeMessage } from '../../../src/model/regex-probe';
import { SessionStore } from '../../../src/model/store';
import type { CaptureRecord } from '../../../src/model/types';

describe('regex check before a query runs', () => {
  it('lists the regexes the user wrote, with where each starts (not the escaped free text)', () => {
    const q = parseQuery('acme /a.*b/i $.user.name ~ /^bo+/ "x.y"');
    expect(q.regexes).toEqual([
      { source: 'a.*b', flags: 'i', pos: 5 },
      { source: '^bo+', flags: '', pos: 27 },
    ]);
    expect(parseQuery('dir:sent acme').regexes).toEqual([]);
  });

  it('tries every regex on every sample, announcing each test before it runs', () => {
    const seen: ProbeMessage[] = [];
    runProbe({ regexes: [{ source: 'a', flags: 'g' }, { source: 'b', flags: 'i' }], texts: ['x', 'y', 'z'] }, (m) => seen.push(m));
    expect(seen).toHaveLength(7);
    expect(seen.slice(0, 4)).toEqual([
      { kind: 'start', r: 0, t: 0 },
      { kind: 'start', r: 0, t: 1 },
      { kind: 'start', r: 0, t: 2 },
      { kind: 'start', r: 1, t: 0 },
    ]);
    expect(seen.at(-1)).toEqual({ kind: 'done' });
  });

  it('samples the longest stored texts, longest first, skipping short and binary payloads', () => {
    const s = new SessionStore({ chunkBits: 2 }); // small chunks: the scan crosses their boundaries
    const recs: CaptureRecord[] = [{ t: 'conn', conn: { id: 1, url: 'ws://h/', state: 'open', openedBeforeCapture: false, target: { type: 'page' } } }];
    const lengths = [10, 5000, 300, 9000, 4096, 7000, 20, 6000];
    lengths.forEach((n, i) => recs.push({ t: 'frame', frame: { id: i + 1, conn: 1, dir: 'received', opcode: 1, ts: i, size: n, text: 'x'.repeat(n) } }));
    recs.push({ t: 'frame', frame: { id: 99, conn: 1, dir: 'received', opcode: 2, ts: 9, size: 50_000, b64: btoa('y'.repeat(50_000)) } });
    s.apply(recs);
    expect(s.longestTexts(3, 4096).map((x) => [x.id, x.text.length])).toEqual([
      [4, 9000],
      [6, 7000],
      [8, 6000],
    ]);
    expect(s.longestTexts(10, 4096).map((x) => x.id)).toEqual([4, 6, 8, 2, 5]);
    expect(s.longestTexts(10, 100_000)).toEqual([]);
  });

  it('keeps the samples within the character limit (the longest one always)', () => {
    const big = { id: 1, text: { length: PROBE_MAX_CHARS - 10 } as string };
    const picked = pickSamples([big, { id: 2, text: 'x'.repeat(20) }, { id: 3, text: 'x'.repeat(5) }]);
    expect(picked.map((p) => p.id)).toEqual([1, 3]);
  });
});
