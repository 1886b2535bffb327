import { afterEach, describe, expect, it, vi } from 'vitest';
import { STALE_MS, sampleCpuLoad } from '../../../src/platform/cpu-load';

const g = globalThis as { chrome?: unknown };
afterEach(() => {
  delete g.chrome;
  vi.useRealTimers();
});

describe('machine idle share (chrome.system.cpu)', () => {
  it('is unknown where the platform has no such API (Firefox)', () => {
    const load = sampleCpuLoad();
    expect(load.idle()).toBeUndefined();
    load.stop();
  });

  it('is the idle share of all processors between two samples', () => {
    vi.useFakeTimers();
    // Two processors: cumulative idle/total counters, as chrome.system.cpu reports them.
    const samples = [
      [{ idle: 100, total: 200 }, { idle: 50, total: 200 }],
      [{ idle: 110, total: 300 }, { idle: 80, total: 300 }], // +40 idle of +200: 20 %
      [{ idle: 210, total: 400 }, { idle: 180, total: 400 }], // +200 of +200: 100 %
    ];
    let k = 0;
    g.chrome = { system: { cpu: { getInfo: (cb: (i: unknown) => void) => cb({ processors: samples[Math.min(k++, 2)].map((usage) => ({ usage })) }) } } };
    const load = sampleCpuLoad(250);
    expect(load.idle()).toBeUndefined(); // one sample tells nothing yet
    vi.advanceTimersByTime(250);
    expect(load.idle()).toBeCloseTo(0.2);
    vi.advanceTimersByTime(250);
    expect(load.idle()).toBeCloseTo(1);
    load.stop();
    vi.advanceTimersByTime(1000);
    expect(k).toBe(3); // stopped: no more samples
  });

  it('is unknown again when the platform stops answering (a stale reading would throttle the tail for good)', () => {
    vi.useFakeTimers();
    let answer = true;
    let total = 0;
    g.chrome = {
      system: { cpu: { getInfo: (cb: (i: unknown) => void) => answer && cb({ processors: [{ usage: { idle: (total += 100) / 2, total } }] }) } },
    };
    const load = sampleCpuLoad(100);
    vi.advanceTimersByTime(100);
    expect(load.idle()).toBeCloseTo(0.5);
    answer = false;
    vi.advanceTimersByTime(100); // one last sample was asked for; no answer comes
    vi.advanceTimersByTime(STALE_MS + 500);
    expect(load.idle()).toBeUndefined();
    load.stop();
  });

  it('keeps the last reading while a late answer is on its way (a saturated browser answers late)', () => {
    vi.useFakeTimers();
    let total = 0;
    const pending: Array<() => void> = [];
    g.chrome = {
      system: { cpu: { getInfo: (cb: (i: unknown) => void) => pending.push(() => cb({ processors: [{ usage: { idle: (total += 100) / 20, total } }] })) } },
    };
    const load = sampleCpuLoad(100);
    pending.shift()!();
    vi.advanceTimersByTime(100);
    pending.shift()!();
    expect(load.idle()).toBeCloseTo(0.05); // busy
    vi.advanceTimersByTime(100); // the next sample is asked for; its answer takes 2.5 s
    vi.advanceTimersByTime(2500);
    expect(load.idle()).toBeCloseTo(0.05); // still busy, not unknown
    pending.shift()!();
    expect(load.idle()).toBeCloseTo(0.05);
    load.stop();
  });
});
