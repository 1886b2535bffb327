// A page that never answers a call into it (busy, paused, or hostile) leaves Frameline waiting a bounded time: replay
// says it cannot tell what happened, reads give nothing, and the next call is tried afresh.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PAGE_CALL_MS, PageProbe, type PageReplay } from '../../../../src/platform/chrome/page-probe';
import type { CdpSend } from '../../../../src/platform/chrome/debugger';
import { describeReplayError } from '../../../../src/platform/replay-errors';

const REQ: PageReplay = { mode: 'send', url: 'ws://h/x', created: 1, pre: false, keys: [], protocols: [], text: 'hi' };

/** CDP where the registry is found at once and every function called on it hangs. */
function hangingPage(): { send: CdpSend; calls: string[] } {
  const calls: string[] = [];
  const send = ((_session: string | undefined, method: string) => {
    calls.push(method);
    if (method === 'Runtime.evaluate') return Promise.resolve({ result: { type: 'object', objectId: 'reg-1' } });
    return new Promise(() => {});
  }) as unknown as CdpSend;
  return { send, calls };
}

describe('PageProbe against a page that never answers', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a replay gives up after the page-call limit and says it cannot tell whether it went out', async () => {
    const { send } = hangingPage();
    const probe = new PageProbe(send);
    const out = probe.replay(undefined, REQ);
    await vi.advanceTimersByTimeAsync(PAGE_CALL_MS + 10);
    const r = await out;
    expect(r).toMatchObject({ error: 'no-answer' });
    expect(describeReplayError(r, 'send')).toMatch(/did not answer.*cannot tell whether it was sent/);
  });

  it('a fresh connection waits longer than its own 15 s limit in the page, then gives up too', async () => {
    const { send } = hangingPage();
    const probe = new PageProbe(send);
    let settled = false;
    const out = probe.replay(undefined, { ...REQ, mode: 'fresh' }).finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(16_000);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await out).toMatchObject({ error: 'no-answer' });
  });

  it('reads (close codes, rules) come back empty, and the registry is kept for the next call', async () => {
    const { send, calls } = hangingPage();
    const probe = new PageProbe(send);
    const closes = probe.takeCloses(undefined);
    const rules = probe.setRules(undefined, [], Date.now() + 1000);
    await vi.advanceTimersByTimeAsync(PAGE_CALL_MS + 10);
    expect(await closes).toEqual([]);
    expect(await rules).toBeNull();
    const evaluations = calls.filter((m) => m === 'Runtime.evaluate').length;
    void probe.takeCloses(undefined);
    await vi.advanceTimersByTimeAsync(PAGE_CALL_MS + 10);
    expect(calls.filter((m) => m === 'Runtime.evaluate').length).toBe(evaluations); // the same registry, not a new one
  });
});
