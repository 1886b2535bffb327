// Chrome: the host keeps the page's shared workers attached while capture runs, trying again later when one refuses.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WorkerTargets } from '../../../../src/platform/chrome/worker-targets';

const listed = [
  { id: 'page', type: 'page', url: 'https://app.example/', title: 'app', tabId: 3 },
  { id: 'shared', type: 'worker', url: 'https://app.example/shared.js', title: '' },
];
let getTargets: ReturnType<typeof vi.fn<() => Promise<typeof listed>>>;
beforeEach(() => {
  vi.useFakeTimers();
  getTargets = vi.fn(() => Promise.resolve(listed));
  (globalThis as unknown as { chrome: unknown }).chrome = { debugger: { getTargets } };
});
afterEach(() => vi.useRealTimers());

function host(refuse: number) {
  const attached = new Set<string>();
  const found: string[] = [];
  let refusals = refuse;
  const attach = vi.fn((id: string) => {
    if (refusals-- > 0) return Promise.reject(new Error('Another debugger is already attached'));
    attached.add(id);
    return Promise.resolve(`target:${id}`);
  });
  return { tabId: 3, attach, attached: () => attached, found: (session: string) => void found.push(session), sessions: found };
}

describe('WorkerTargets', () => {
  it('attaches a shared worker once, and tells the host its session', async () => {
    const h = host(0);
    const w = new WorkerTargets(h);
    w.start();
    await vi.advanceTimersByTimeAsync(3500);
    expect(h.attach).toHaveBeenCalledTimes(1);
    expect(h.sessions).toEqual(['target:shared']);
    w.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(getTargets).toHaveBeenCalledTimes(4);
  });

  it('tries a worker that refused again some seconds later, not every second', async () => {
    const h = host(1);
    const w = new WorkerTargets(h);
    w.start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(h.attach).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(h.attach).toHaveBeenCalledTimes(2);
    expect(h.sessions).toEqual(['target:shared']);
    w.stop();
  });

  it('goes on polling when listing the targets fails', async () => {
    getTargets.mockImplementationOnce(() => Promise.reject(new Error('boom')));
    const h = host(0);
    const w = new WorkerTargets(h);
    w.start();
    await vi.advanceTimersByTimeAsync(1500);
    expect(h.sessions).toEqual(['target:shared']);
    w.stop();
  });
});
