// The page hook's private channel (src/capture/firefox/channel.ts): offered with a window message until the isolated
// script acknowledges one; everything after travels over it.
import { describe, expect, it } from 'vitest';
import { HELLO_TYPE, HOOK_VERSION } from '../../../../src/capture/firefox/hook-protocol';
import { installHook } from '../../../../src/capture/firefox/page-hook';
import { arm, batches, makeWorld, standInRelay, type World } from './world';

/** Counts the hook's hellos seen on the window, without taking them. */
function countHellos(w: World): { n: number; docs: Set<unknown> } {
  const seen = { n: 0, docs: new Set<unknown>() };
  w.g.addEventListener('message', (e) => {
    const d = e.data as { type?: unknown; v?: unknown; doc?: unknown };
    if (d?.type !== HELLO_TYPE) return;
    expect(d.v).toBe(HOOK_VERSION);
    seen.n++;
    seen.docs.add(d.doc);
  });
  return seen;
}

describe('Firefox page hook: private channel', () => {
  it('offers a new channel every 50 ms while none is acknowledged (scripts injected late), then stops', () => {
    const w = makeWorld();
    installHook(w.g);
    const seen = countHellos(w);
    w.advance(200);
    expect(seen.n).toBe(5); // at 0, 50, 100, 150 and 200 ms
    expect(seen.docs.size).toBe(1); // one document, one id
    const relay = standInRelay(w); // the isolated script, late
    w.advance(50);
    expect(relay.connected()).toBe(true);
    const offered = seen.n;
    w.advance(1000);
    expect(seen.n).toBe(offered); // acknowledged: no more offers
    expect(relay.hellos).toBe(1);
    arm(w, relay);
    expect(batches(relay)).toHaveLength(1);
    expect(batches(relay)[0].doc).toBe([...seen.docs][0]);
  });

  it('gives up after 5 s of offers', () => {
    const w = makeWorld();
    installHook(w.g);
    const seen = countHellos(w);
    w.advance(60_000);
    expect(seen.n).toBe(101);
    expect(w.pendingTimers()).toBe(0);
  });

  it('takes only an ack on its own port as the channel; any other message there is ignored', () => {
    const w = makeWorld();
    installHook(w.g);
    let port: { postMessage(m: unknown): void; onmessage: ((e: { data: unknown }) => void) | null } | null = null;
    const got: unknown[] = [];
    w.g.addEventListener('message', (ev) => {
      if (port || (ev.data as { type?: unknown }).type !== HELLO_TYPE) return;
      port = w.isolatedPort(ev.ports[0]);
      port.onmessage = (m) => got.push(m.data);
      port.postMessage({ k: 'arm', on: true }); // not an ack: the hook does not take this channel
    }, true);
    w.run();
    expect(got).toEqual([]);
    port!.postMessage({ k: 'ack' });
    port!.postMessage({ k: 'arm', on: true });
    w.run();
    expect(got).toEqual([expect.objectContaining({ k: 'batch' })]);
  });
});
