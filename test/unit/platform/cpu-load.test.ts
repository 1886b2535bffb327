import { afterEach, describe, expect, it, vi } from 'vitest';
import { sampleCpuLoad } from '../../../src/platform/cpu-load';

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
    vi.advanceTimersByTime(1500);
    expect(load.idle()).toBeUndefined();
    load.stop();
  });
});
