// Replay through the Firefox page hook (src/capture/firefox/replay.ts): send, inject and fresh, named by document and
// socket number, answered once, and the frames reported with their mark.
import { describe, expect, it } from 'vitest';
import type { HookReplay, HookReplayResult } from '../../../../src/capture/firefox/hook-protocol';
import { arm, batches, events, hookedPage, type Relay, type World } from './world';

const T = 1_700_000_000_000 + 1000;

/** An armed page with one open socket (number 1); `replay` sends a request and returns the answers so far. */
function page() {
  const { w, relay } = hookedPage();
  arm(w, relay);
  const ws = new w.g.WebSocket('wss://echo.test/s');
  w.open(ws);
  const doc = batches(relay)[0].doc;
  const replay = (req: HookReplay, forDoc = doc) => {
    relay.command({ k: 'replay', doc: forDoc, req });
    w.run();
    return results(relay);
  };
  return { w, relay, ws, replay };
}

function results(relay: Relay): HookReplayResult[] {
  return relay.received.filter((m) => (m as { k?: unknown }).k === 'replay-result').map((m) => (m as { result: HookReplayResult }).result);
}

const frames = (w: World, relay: Relay) => {
  w.advance(16);
  return events(relay).filter((e) => e.k === 'frame');
};

describe('Firefox page hook: replay', () => {
  it('sends text or bytes on the named socket and reports the frame as replayed', () => {
    const { w, relay, ws, replay } = page();
    expect(replay({ id: 1, s: 1, mode: 'send', text: 'again' })).toEqual([{ id: 1, ok: true }]);
    expect(replay({ id: 2, s: 1, mode: 'send', b64: 'AQI=' })).toEqual([{ id: 1, ok: true }, { id: 2, ok: true }]);
    expect(w.wire(ws)).toEqual(['again', new Uint8Array([1, 2])]);
    ws.send('by the page');
    expect(frames(w, relay)).toEqual([
      { k: 'frame', s: 1, t: T, dir: 'sent', text: 'again', mark: 'replayed' },
      { k: 'frame', s: 1, t: T, dir: 'sent', b64: 'AQI=', mark: 'replayed' },
      { k: 'frame', s: 1, t: T, dir: 'sent', text: 'by the page' },
    ]);
  });

  it("injects a frame into the page's listeners, in the socket's binaryType, reported as injected", () => {
    const { w, relay, ws, replay } = page();
    const got: unknown[] = [];
    ws.addEventListener('message', (e) => got.push(e.data));
    ws.binaryType = 'arraybuffer';
    expect(replay({ id: 1, s: 1, mode: 'inject', text: 'pushed' })).toEqual([{ id: 1, ok: true }]);
    replay({ id: 2, s: 1, mode: 'inject', b64: 'AP8=' });
    expect(got[0]).toBe('pushed');
    expect(new Uint8Array(got[1] as ArrayBuffer)).toEqual(new Uint8Array([0, 255]));
    w.receive(ws, 'from the server');
    expect(frames(w, relay)).toEqual([
      { k: 'frame', s: 1, t: T, dir: 'received', text: 'pushed', mark: 'injected' },
      { k: 'frame', s: 1, t: T, dir: 'received', b64: 'AP8=', mark: 'injected' },
      { k: 'frame', s: 1, t: T, dir: 'received', text: 'from the server' },
    ]);
  });

  it('answers not-found, state and invalid base64, and ignores a request for another document', () => {
    const { w, replay } = page();
    expect(replay({ id: 1, s: 9, mode: 'send', text: 'x' }).at(-1)).toEqual({ id: 1, ok: false, error: 'not-found' });
    new w.g.WebSocket('ws://a.test/connecting'); // socket 2, not open yet
    expect(replay({ id: 2, s: 2, mode: 'send', text: 'x' }).at(-1)).toEqual({ id: 2, ok: false, error: 'state', readyState: 0 });
    expect(replay({ id: 3, s: 1, mode: 'send', b64: '%%%' }).at(-1)).toEqual({ id: 3, ok: false, error: 'threw', message: 'invalid base64' });
    expect(replay({ id: 4, s: 1, mode: 'send', text: 'x' }, 'zzzzzzzzzzzz')).toHaveLength(3);
    expect(replay({ id: 5, s: 1, mode: 'send' }).at(-1)).toEqual({ id: 5, ok: false, error: 'threw', message: 'malformed replay request' });
  });

  it('opens a fresh connection, sends once it is open, and reports it as a socket of the page', () => {
    const { w, relay, replay } = page();
    expect(replay({ id: 1, mode: 'fresh', url: 'wss://echo.test/fresh', protocols: ['p'], text: 'first' })).toEqual([]);
    const fresh = w.made[1];
    expect(fresh.url).toBe('wss://echo.test/fresh');
    expect(fresh.binaryType).toBe('arraybuffer');
    w.open(fresh, 'p');
    w.run();
    expect(results(relay)).toEqual([{ id: 1, ok: true }]);
    expect(w.wire(fresh)).toEqual(['first']);
    w.advance(16);
    expect(events(relay).filter((e) => e.s === 2)).toEqual([
      expect.objectContaining({ k: 'socket', s: 2, url: 'wss://echo.test/fresh', protocols: ['p'] }),
      expect.objectContaining({ k: 'open', s: 2, protocol: 'p' }),
      { k: 'frame', s: 2, t: T, dir: 'sent', text: 'first', mark: 'replayed' },
    ]);
  });

  it('answers a fresh connection that closes before opening, or never opens, exactly once', () => {
    const { w, relay, replay } = page();
    replay({ id: 1, mode: 'fresh', url: 'wss://echo.test/refused', text: 'x' });
    w.close(w.made[1], 1006, '', false);
    replay({ id: 2, mode: 'fresh', url: 'wss://echo.test/silent', text: 'x' });
    w.advance(15_000);
    w.close(w.made[2], 1006, '', false);
    expect(results(relay)).toEqual([
      { id: 1, ok: false, error: 'connect-failed', code: 1006 },
      { id: 2, ok: false, error: 'timeout' },
    ]);
  });
});
