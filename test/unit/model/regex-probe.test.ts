import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../../src/model/query';
import { pickSamples, PROBE_LONGEST, PROBE_MAX_CHARS, PROBE_SPREAD, runProbe, type ProbeMessage } from '../../../src/model/regex-probe';
import { checkRegexes, samplesFor } from '../../../src/panel/regexCheck';
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

  it('spreads samples over the store: the first text at or after evenly spaced positions, none skipped twice', () => {
    const s = new SessionStore({ chunkBits: 2 });
    const recs: CaptureRecord[] = [{ t: 'conn', conn: { id: 1, url: 'ws://h/', state: 'open', openedBeforeCapture: false, target: { type: 'page' } } }];
    // 40 frames: every third binary, so some spread positions land on one and look on.
    for (let i = 1; i <= 40; i++) {
      const frame = i % 3 === 0 ? { id: i, conn: 1, dir: 'received' as const, opcode: 2, ts: i, size: 2, b64: btoa('yy') } : { id: i, conn: 1, dir: 'received' as const, opcode: 1, ts: i, size: 1, text: `${i}` };
      recs.push({ t: 'frame', frame });
    }
    s.apply(recs);
    expect(s.spreadTexts(4, new Set()).map((x) => x.id)).toEqual([7, 16, 26, 37]); // 6 and 36 are binary
    expect(s.spreadTexts(4, new Set([7, 16]))).toEqual([
      { id: 8, text: '8' },
      { id: 17, text: '17' },
      { id: 26, text: '26' },
      { id: 37, text: '37' },
    ]);
    expect(s.spreadTexts(100, new Set()).map((x) => x.id)).toEqual([...Array(40).keys()].map((i) => i + 1).filter((i) => i % 3));
    expect(new SessionStore().spreadTexts(4, new Set())).toEqual([]);
  });

  it('samples short payloads too: the longest few plus a spread, each once, within the character limit', () => {
    const s = new SessionStore({ chunkBits: 4 });
    const recs: CaptureRecord[] = [{ t: 'conn', conn: { id: 1, url: 'ws://h/', state: 'open', openedBeforeCapture: false, target: { type: 'page' } } }];
    for (let i = 1; i <= 200; i++) recs.push({ t: 'frame', frame: { id: i, conn: 1, dir: 'received', opcode: 1, ts: i, size: 10 + (i % 50), text: 'x'.repeat(10 + (i % 50)) } });
    s.apply(recs);
    const rx = [{ source: 'x', flags: '', pos: 0 }];
    const picked = samplesFor(s, rx);
    expect(picked).toHaveLength(PROBE_LONGEST + PROBE_SPREAD);
    expect(new Set(picked.map((p) => p.id)).size).toBe(picked.length);
    expect(picked.slice(0, PROBE_LONGEST).map((p) => p.text.length)).toEqual([59, 59, 59, 59, 58, 58, 58, 58]);
    expect(Math.max(...picked.slice(PROBE_LONGEST).map((p) => p.id)) - Math.min(...picked.slice(PROBE_LONGEST).map((p) => p.id))).toBeGreaterThan(150);
    expect(samplesFor(s, [])).toEqual([]);
    const spread = [{ id: 9, text: 'x'.repeat(PROBE_MAX_CHARS) }, { id: 1, text: 'dup' }, { id: 2, text: 'ok' }];
    expect(pickSamples([{ id: 1, text: 'a' }], spread).map((p) => p.id)).toEqual([1, 2]);
  });
});

describe('regex check in a worker (a stand-in for the browser worker)', () => {
  /** Runs the probe like the worker, except that a test of a regex with "hang" in it never finishes. */
  class FakeWorker {
    static made: FakeWorker[] = [];
    onmessage: ((e: { data: ProbeMessage }) => void) | null = null;
    onerror: (() => void) | null = null;
    terminated = false;
    constructor() {
      FakeWorker.made.push(this);
    }
    postMessage(req: { regexes: Array<{ source: string; flags: string }>; texts: string[] }) {
      const out: ProbeMessage[] = [];
      const hangs = req.regexes.findIndex((r) => r.source.includes('hang'));
      const safe = { regexes: req.regexes.map((r) => (r.source.includes('hang') ? { source: 'x', flags: '' } : r)), texts: req.texts };
      runProbe(safe, (m) => out.push(m));
      const cut = hangs < 0 ? out.length : out.findIndex((m) => m.kind === 'start' && m.r === hangs) + 1;
      setTimeout(() => out.slice(0, cut).forEach((m) => !this.terminated && this.onmessage?.({ data: m })), 0);
    }
    terminate() {
      this.terminated = true;
    }
  }

  it('stops and terminates a worker past its time limit, naming the regex and the frame; keeps one that finished', async () => {
    const real = (globalThis as { Worker?: unknown }).Worker;
    (globalThis as { Worker?: unknown }).Worker = FakeWorker;
    try {
      const samples = [
        { id: 7, text: 'a'.repeat(100) },
        { id: 8, text: 'b' },
      ];
      const ok = checkRegexes([{ source: 'a+', flags: '', pos: 0 }], samples, 30);
      expect(await ok.result).toBeNull();
      expect(FakeWorker.made[0].terminated).toBe(false); // kept for the next check
      const slow = await checkRegexes([{ source: 'b', flags: '', pos: 0 }, { source: '(hang)?a.*c', flags: 'i', pos: 9 }], samples, 30).result;
      expect(FakeWorker.made).toHaveLength(1); // the kept worker was used
      expect(FakeWorker.made[0].terminated).toBe(true);
      expect(slow?.regex.pos).toBe(9);
      expect(slow?.frameId).toBe(7);
      expect(slow?.message).toMatch(/^This regular expression \(\/\(hang\)\?a\.\*c\/i\) ran for over 0\.03 s on one stored payload \(frame 7, 100 B\) without finishing, so Frameline stopped it/);
      // The next check starts a fresh worker.
      expect(await checkRegexes([{ source: 'a', flags: '', pos: 0 }], samples, 30).result).toBeNull();
      expect(FakeWorker.made).toHaveLength(2);
    } finally {
      (globalThis as { Worker?: unknown }).Worker = real;
    }
  });
});
