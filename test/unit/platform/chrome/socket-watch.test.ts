// SocketWatch (Chrome): a socket opened before capture gets its URL from scans of its context, however the scans fall:
// one that finds nothing yet (a worker whose hook is not in), one that comes while another pass awaits the page.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SocketWatch } from '../../../../src/platform/chrome/socket-watch';
import type { CdpCapture } from '../../../../src/capture/chrome/cdp-dispatcher';
import type { LiveSocket } from '../../../../src/capture/chrome/resolve';
import type { PageProbe } from '../../../../src/platform/chrome/page-probe';
import type { Connection } from '../../../../src/model/types';

const SESSION = 'worker-1';

function setup() {
  const conns: Connection[] = [];
  let live: LiveSocket[] = [];
  let recentGate: Promise<void> = Promise.resolve();
  let keysKnown = true;
  const scans: number[] = [];
  const capture = {
    connectionsOf: () => conns,
    resolveUrl(id: number, urls: string[]) {
      const c = conns.find((x) => x.id === id)!;
      const unique = [...new Set(urls)];
      if (unique.length === 1 && !c.url) c.url = unique[0];
    },
    recentKeysOf: (id: number) => (id === 1 && keysKnown ? ['k1'] : []),
  } as unknown as CdpCapture;
  const probe = {
    isHooked: () => Promise.resolve(true),
    scan: () => {
      scans.push(Date.now());
      return Promise.resolve(live.slice());
    },
    recentMessages: () => recentGate.then(() => [{ url: 'ws://h/a', keys: ['k1'] }, { url: 'ws://h/b', keys: [] }]),
    takeCloses: () => Promise.resolve([]),
  } as unknown as PageProbe;
  const watch = new SocketWatch(capture, probe);
  const unannounced = (id: number) => {
    conns.push({ id, url: '', state: 'open', openedBeforeCapture: true, target: { type: 'shared_worker' } });
    watch.scheduleScan(SESSION, 50);
  };
  return {
    conns, scans, unannounced,
    setLive: (l: LiveSocket[]) => (live = l),
    setKeysKnown: (k: boolean) => (keysKnown = k),
    holdRecent: () => {
      let release!: () => void;
      recentGate = new Promise((r) => (release = r));
      return () => release();
    },
  };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('URLs of sockets opened before capture', () => {
  it('a scan that finds nothing yet is tried again with a fresh scan', async () => {
    const t = setup();
    t.unannounced(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(t.conns[0].url).toBe('');
    t.setLive([{ url: 'ws://h/echo?from=shared-old', readyState: 1 }]);
    await vi.advanceTimersByTimeAsync(1100);
    expect(t.conns[0].url).toBe('ws://h/echo?from=shared-old');
    const scanned = t.scans.length;
    await vi.advanceTimersByTimeAsync(5000);
    expect(t.scans.length).toBe(scanned); // resolved: no more scans
  });

  it('a socket seen while a pass awaits the page is resolved when that pass ends', async () => {
    const t = setup();
    // Two live sockets, one connection: the pass asks the page what each received, and waits for the answer.
    t.setLive([{ url: 'ws://h/a', readyState: 1 }, { url: 'ws://h/b', readyState: 1 }]);
    const release = t.holdRecent();
    t.unannounced(1);
    await vi.advanceTimersByTimeAsync(100);
    // Meanwhile the other socket shows its first frame: its scan comes while that pass runs.
    t.unannounced(2);
    await vi.advanceTimersByTimeAsync(100);
    release(); // what the page says names connection 1's socket: that pass ends with nothing pending of its own
    await vi.advanceTimersByTimeAsync(10);
    expect(t.conns.map((c) => c.url)).toEqual(['ws://h/a', 'ws://h/b']);
  });

  it('an ambiguous match waits for the frames to tell, without a heap walk each second', async () => {
    const t = setup();
    t.setKeysKnown(false);
    t.setLive([{ url: 'ws://h/a', readyState: 1 }, { url: 'ws://h/b', readyState: 1 }]);
    t.unannounced(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(t.conns[0].url).toBe('');
    expect(t.scans.length).toBe(1);
    t.setKeysKnown(true); // its next frames match what socket a received
    await vi.advanceTimersByTimeAsync(1100);
    expect(t.conns[0].url).toBe('ws://h/a');
  });

  it('gives up after its attempts when a socket stays unresolved', async () => {
    const t = setup();
    t.unannounced(1);
    await vi.advanceTimersByTimeAsync(60_000);
    const scanned = t.scans.length;
    expect(scanned).toBeGreaterThan(20);
    expect(scanned).toBeLessThan(40);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.scans.length).toBe(scanned);
  });
});
