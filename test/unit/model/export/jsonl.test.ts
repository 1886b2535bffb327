import { describe, expect, it } from 'vitest';
import type { Frame } from '../../../../src/model/types';
import { OPCODE } from '../../../../src/model/types';
import { COPY_LIMIT_BYTES, estimateJsonl, estimateJsonlBytes, jsonlChunks, jsonlText } from '../../../../src/model/export/jsonl';
import { binary, HOSTILE_TEXTS, text } from './helpers';

// Monotonic 100 s is 2026-01-02T03:04:05.678Z on the wall clock.
const WALL_S = Date.UTC(2026, 0, 2, 3, 4, 5, 678) / 1000;
const anchor = WALL_S - 100;
const urls = new Map([[7, 'wss://a.example/s?x="1"'], [8, 'ws://b.example/ü']]);
const opts = { anchor, connUrl: (id: number) => urls.get(id) };
const utf8Length = (s: string) => new TextEncoder().encode(s).length;

describe('JSON Lines export', () => {
  it('writes one object a line with wall-clock time, direction, connection, URL, opcode name and data', () => {
    const out = jsonlText([text('sent', 100, 'hello'), binary('received', 100.25, [0, 1, 2, 254, 255], 8)], opts);
    expect(out.endsWith('\n')).toBe(true);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0])).toEqual({ time: '2026-01-02T03:04:05.678Z', dir: 'sent', conn: 7, url: 'wss://a.example/s?x="1"', opcode: 'text', data: 'hello' });
    expect(JSON.parse(lines[1])).toEqual({ time: '2026-01-02T03:04:05.928Z', dir: 'received', conn: 8, url: 'ws://b.example/ü', opcode: 'binary', data: 'AAEC/v8=', encoding: 'base64' });
    expect(Object.keys(JSON.parse(lines[0]))).toEqual(['time', 'dir', 'conn', 'url', 'opcode', 'data']);
  });

  it('keeps hostile text intact, one line per frame whatever the text holds', () => {
    const out = jsonlText(HOSTILE_TEXTS.map((s, i) => text('received', 100 + i, s)), opts);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(HOSTILE_TEXTS.length);
    expect(lines.map((l) => (JSON.parse(l) as { data: string }).data)).toEqual(HOSTILE_TEXTS);
  });

  it('names opcodes, keeps error messages and marks replayed or injected frames', () => {
    const frames: Frame[] = [
      { id: 1, conn: 7, dir: 'received', opcode: OPCODE.error, ts: 100, size: 0, text: 'Invalid frame header' },
      { id: 2, conn: 7, dir: 'sent', opcode: OPCODE.close, ts: 100, size: 0 },
      { id: 3, conn: 7, dir: 'sent', opcode: OPCODE.ping, ts: 100, size: 0 },
      { id: 4, conn: 7, dir: 'received', opcode: OPCODE.pong, ts: 100, size: 0 },
      { ...text('sent', 100, 'again'), mark: 'replayed' },
      { ...text('received', 100, 'fake'), mark: 'injected' },
    ];
    const rows = jsonlText(frames, opts).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r) => r.opcode)).toEqual(['error', 'close', 'ping', 'pong', 'text', 'text']);
    expect(rows[0].data).toBe('Invalid frame header');
    expect(rows[1].data).toBe('');
    expect(rows.map((r) => r.mark)).toEqual([undefined, undefined, undefined, undefined, 'replayed', 'injected']);
  });

  it('writes time null when the session has no anchor, or the time has no calendar date', () => {
    expect(JSON.parse(jsonlText([text('sent', 1, 'x')], { ...opts, anchor: undefined })).time).toBeNull();
    expect(JSON.parse(jsonlText([text('sent', 1e15, 'x')], opts)).time).toBeNull();
    expect(JSON.parse(jsonlText([text('sent', 1, 'x')], { anchor, connUrl: () => undefined })).url).toBe('');
  });

  it('streams: reads frames from a generator one at a time and yields bounded chunks ending at line ends', () => {
    let made = 0;
    function* frames() {
      for (let i = 0; i < 5000; i++) {
        made++;
        yield text('sent', 100 + i, `message ${i}`);
      }
    }
    const gen = jsonlChunks(frames(), { ...opts, chunkChars: 10_000 });
    const first = gen.next();
    expect(first.done).toBe(false);
    expect(made).toBeLessThan(5000); // not everything was built up front
    const chunks = [first.value as string, ...gen];
    expect(chunks.length).toBeGreaterThan(10);
    for (const c of chunks) {
      expect(c.endsWith('\n')).toBe(true);
      expect(c.length).toBeLessThan(10_000 + 200);
    }
    expect(chunks.join('').split('\n')).toHaveLength(5001);
  });

  it('reads a cursor the store moves from row to row correctly', () => {
    const rows = [text('sent', 100, 'a'), binary('received', 101, [1, 2])];
    function* cursor() {
      const cur = { ...rows[0] };
      for (const r of rows) {
        for (const k of Object.keys(cur)) delete (cur as unknown as Record<string, unknown>)[k];
        Object.assign(cur, r);
        yield cur;
      }
    }
    expect(jsonlText(cursor(), opts)).toBe(jsonlText(rows, opts));
  });
});

describe('JSON Lines size estimate', () => {
  it('is exact for payloads JSON need not escape, text and binary, with or without anchor', () => {
    const frames = [
      text('sent', 100, 'hello'),
      text('received', 101, 'héllo 😀 日本'),
      binary('received', 102, [0, 1, 2, 3, 4], 8),
      binary('sent', 103, []),
      { ...text('sent', 104, 'r'), mark: 'replayed' as const },
      { id: 9, conn: 7, dir: 'received' as const, opcode: OPCODE.error, ts: 105, size: 0, text: 'boom' },
    ];
    for (const o of [opts, { ...opts, anchor: undefined }]) {
      expect(estimateJsonl(frames, o)).toEqual({ count: frames.length, bytes: utf8Length(jsonlText(frames, o)) });
    }
  });

  it('leaves out only the escapes: never above the real size, and close to it', () => {
    const frames = HOSTILE_TEXTS.map((s, i) => text('received', 100 + i, s));
    const real = utf8Length(jsonlText(frames, opts));
    const est = estimateJsonlBytes(frames, opts);
    expect(est).toBeLessThanOrEqual(real);
    expect(est).toBeGreaterThan(real * 0.8);
  });

  it('measures a huge selection without building it, and tells when to offer Save', () => {
    const big = new Uint8Array(3 * 1024 * 1024);
    function* frames() {
      for (let i = 0; i < 100_000; i++) yield text('sent', 100, 'x'.repeat(40));
      yield binary('received', 100, big);
    }
    const t0 = performance.now();
    const est = estimateJsonl(frames(), opts);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(est.count).toBe(100_001);
    expect(est.bytes).toBeGreaterThan(COPY_LIMIT_BYTES);
    expect(COPY_LIMIT_BYTES).toBe(4 * 1024 * 1024);
  });
});
