// Firefox page-hook events and webRequest handshakes → normalized records (src/capture/hook.ts), and the checks that
// keep what the page sends from being trusted (src/capture/firefox/hook-protocol.ts).
import { describe, expect, it } from 'vitest';
import { HookCapture, UNTRUSTED, parseFirefoxStack, type WsHandshake } from '../../../../src/capture/firefox/hook-capture';
import { describeReplayError } from '../../../../src/platform/replay-errors';
import { checkHookBatch, checkHookEvent, checkHookReplayResult, type HookEvent } from '../../../../src/capture/firefox/hook-protocol';
import { SessionStore } from '../../../../src/model/store';
import type { CaptureRecord, Connection } from '../../../../src/model/types';
import { collectInto } from '../../support/records';

const T0 = 1_795_000_000_000; // wall-clock ms
const URL1 = 'ws://127.0.0.1:5170/chat';

function setup(startedAt = T0 - 1000) {
  const records: CaptureRecord[] = [];
  const cap = new HookCapture(collectInto(records), startedAt);
  const store = new SessionStore();
  const batch = (frameId: number, events: HookEvent[], doc = 'docaaaa1111', href = 'http://127.0.0.1:5170/') => {
    cap.batch(frameId, { v: 1, doc, href, events });
    store.apply(records.splice(0));
  };
  const hs = (h: Partial<WsHandshake>) => {
    cap.handshake({ phase: 'request', requestId: '1', frameId: 0, url: URL1, t: T0, ...h });
    store.apply(records.splice(0));
  };
  store.apply(records.splice(0));
  const conn = (id = 1) => store.connections.get(id) as Connection;
  return { cap, store, batch, hs, conn };
}

const socket = (s: number, extra: Partial<Extract<HookEvent, { k: 'socket' }>> = {}): HookEvent => ({
  k: 'socket', s, url: URL1, protocols: [], t: T0, pre: false, state: 0, protocol: '', extensions: '', ...extra,
});

describe('HookCapture', () => {
  it('turns a socket, its open, frames and close into a connection and frames, times in wall-clock seconds', () => {
    const { store, batch, conn } = setup();
    batch(0, [
      socket(1, { protocols: ['chat'] }),
      { k: 'open', s: 1, t: T0 + 20, protocol: 'chat', extensions: 'permessage-deflate' },
      { k: 'frame', s: 1, t: T0 + 30, dir: 'sent', text: 'héllo' },
      { k: 'frame', s: 1, t: T0 + 40, dir: 'received', b64: 'AAEC/w==' },
      { k: 'close', s: 1, t: T0 + 50, code: 4001, reason: 'bye', wasClean: true },
    ]);
    expect(conn()).toMatchObject({
      id: 1, url: URL1, state: 'closed', openedBeforeCapture: false, protocol: 'chat', extensions: 'permessage-deflate',
      target: { type: 'page', url: 'http://127.0.0.1:5170/' }, closeCode: 4001, closeReason: 'bye', wasClean: true,
    });
    expect(store.anchor).toBe(0);
    expect(store.wallMs(conn().openTs!)).toBe(T0 + 20);
    const [a, b] = [store.frameAt(0)!, store.frameAt(1)!];
    expect(a).toMatchObject({ dir: 'sent', opcode: 1, text: 'héllo', size: 6 }); // UTF-8 bytes
    expect(b).toMatchObject({ dir: 'received', opcode: 2, size: 4 });
    expect([...b.bytes!]).toEqual([0, 1, 2, 255]);
    expect(store.wallMs(a.ts)).toBe(T0 + 30);
  });

  it('keeps the same hook socket number apart across frames and documents', () => {
    const { store, batch } = setup();
    batch(0, [socket(1)], 'docaaaa1111');
    batch(3, [socket(1)], 'docbbbb2222', 'http://other.example/frame.html');
    batch(0, [{ k: 'frame', s: 1, t: T0, dir: 'sent', text: 'top' }], 'docaaaa1111');
    batch(3, [{ k: 'frame', s: 1, t: T0, dir: 'sent', text: 'iframe' }], 'docbbbb2222', 'http://other.example/frame.html');
    expect(store.connections.size).toBe(2);
    expect(store.connections.get(2)!.target).toEqual({ type: 'iframe', url: 'http://other.example/frame.html' });
    expect([store.frameAt(0)!.conn, store.frameAt(1)!.conn]).toEqual([1, 2]);
  });

  it('pairs webRequest handshakes with sockets by frame and URL, whichever arrives first', () => {
    const { store, batch, hs, conn } = setup();
    // Handshake first, then the socket.
    hs({ requestId: '7', headers: [{ name: 'Sec-WebSocket-Key', value: 'k' }] });
    hs({ requestId: '7', phase: 'response', status: 101, statusLine: 'HTTP/1.1 101 Switching Protocols', headers: [{ name: 'Sec-WebSocket-Protocol', value: 'v2' }] });
    batch(0, [socket(1)]);
    expect(conn(1).request).toEqual({ headers: [{ name: 'Sec-WebSocket-Key', value: 'k' }], reportedByBrowser: true });
    expect(conn(1).response).toMatchObject({ status: 101, statusText: 'Switching Protocols' });
    expect(conn(1).protocol).toBe('v2');
    // Socket first, then its handshake; a same-URL socket in another frame is not confused with it.
    batch(0, [socket(2)]);
    batch(5, [socket(1)], 'docccccc3333');
    hs({ requestId: '9', frameId: 5 });
    hs({ requestId: '9', frameId: 5, phase: 'response', status: 101, statusLine: 'HTTP/1.1 101 Switching Protocols', headers: [] });
    expect(store.connections.get(3)!.response?.status).toBe(101);
    expect(store.connections.get(2)!.response).toBeUndefined();
  });

  it('reports a refused handshake and a socket error', () => {
    const { batch, hs, conn, store } = setup();
    batch(0, [socket(1)]);
    hs({ requestId: '3' });
    hs({ requestId: '3', phase: 'response', status: 404, statusLine: 'HTTP/1.1 404 Not Found', headers: [] });
    batch(0, [{ k: 'error', s: 1, t: T0 + 5 }, { k: 'close', s: 1, t: T0 + 6, code: 1006, reason: '', wasClean: false }]);
    expect(conn().error).toBe('Handshake failed: the server answered 404 Not Found.');
    expect(conn().state).toBe('closed');
    expect(store.frameAt(0)).toMatchObject({ opcode: -1, text: conn().error });
  });

  it('marks sockets from before capture (adopted on send, or made before the panel opened)', () => {
    const { store, batch } = setup(T0);
    batch(0, [socket(1, { pre: true, state: 1 }), socket(2, { t: T0 - 5000, state: 1 }), socket(3, { t: T0 + 5 })]);
    expect([1, 2, 3].map((id) => store.connections.get(id)!.openedBeforeCapture)).toEqual([true, true, false]);
    expect(store.connections.get(1)!.createdTs).toBeUndefined(); // an adopted socket's creation time is unknown
    expect(store.connections.get(2)!.state).toBe('open');
  });

  it('counts events of unknown sockets as malformed, and closes the sockets of a document that went away', () => {
    const { cap, batch } = setup();
    batch(0, [{ k: 'frame', s: 42, t: T0, dir: 'sent', text: 'x' }]);
    expect(cap.malformed).toBe(1);
    batch(0, [socket(1, { state: 1 })]);
    expect(cap.connection(1)!.state).toBe('open');
    cap.docGone(0, 'docaaaa1111');
    expect(cap.connection(1)!.state).toBe('closed');
    expect(cap.locate(1)).toEqual({ frameId: 0, doc: 'docaaaa1111', s: 1 });
  });

  it('marks the sockets of a document whose hook came late, until the frame has a new document', () => {
    const { cap } = setup();
    const late = (frameId: number, doc: string, events: HookEvent[]) => {
      cap.batch(frameId, { v: 1, doc, href: 'http://a/', events, late: true });
    };
    late(0, 'docaaaa1111', [socket(1)]);
    late(2, 'docbbbb2222', []);
    cap.batch(0, { v: 1, doc: 'docaaaa1111', href: 'http://a/', events: [socket(2)] }); // late sticks to its document
    expect([cap.reloadToTrust, cap.isLate(0, 'docaaaa1111'), cap.isLate(2, 'docbbbb2222')]).toEqual([true, true, true]);
    cap.batch(0, { v: 1, doc: 'docccccc3333', href: 'http://a/next', events: [socket(1)] }); // reloaded
    cap.docGone(2, 'docbbbb2222');
    expect([cap.reloadToTrust, cap.isLate(0, 'docaaaa1111')]).toEqual([false, false]);
    expect([1, 2].map((id) => cap.connection(id)!.untrusted)).toEqual([UNTRUSTED, UNTRUSTED]);
    expect(cap.connection(3)!.untrusted).toBeUndefined();
    expect(describeReplayError({ error: 'untrusted' }, 'inject')).toMatch(/after the page's own scripts.*Reload the page.*Nothing was injected\./);
  });

  it('emits a navigation when the top frame gets a new document', () => {
    const { store, batch } = setup();
    batch(0, [socket(1)], 'docaaaa1111');
    batch(2, [], 'docdddd4444');
    batch(0, [socket(1)], 'doceeee5555', 'http://127.0.0.1:5170/next');
    batch(0, [{ k: 'frame', s: 1, t: T0, dir: 'sent', text: 'after' }], 'doceeee5555', 'http://127.0.0.1:5170/next');
    expect([...store.navigationStarts.values()]).toEqual(['http://127.0.0.1:5170/next']);
  });

  it('takes the initiator from the stack, without the hook’s own frames', () => {
    const stack = 'Z@<anonymous code>:1:2852\nconstruct@<anonymous code>:1:3464\nconnect@http://127.0.0.1:5170/app.js:10:5\n@http://127.0.0.1:5170/:3:1\n';
    expect(parseFirefoxStack(stack)).toEqual([
      { functionName: 'connect', url: 'http://127.0.0.1:5170/app.js', lineNumber: 9, columnNumber: 4 },
      { functionName: '', url: 'http://127.0.0.1:5170/', lineNumber: 2, columnNumber: 0 },
    ]);
    const { batch, conn } = setup();
    batch(0, [socket(1, { stack })]);
    expect(conn().initiator).toMatchObject({ type: 'script', url: 'http://127.0.0.1:5170/app.js', lineNumber: 9 });
  });
});

describe('hook message checks (nothing from the page is trusted)', () => {
  it('copies valid events and refuses wrong shapes', () => {
    const ok = { k: 'frame', s: 1, t: T0, dir: 'sent', text: 'x', extra: 'dropped' };
    expect(checkHookEvent(ok)).toEqual({ k: 'frame', s: 1, t: T0, dir: 'sent', text: 'x' });
    for (const bad of [
      null, 'x', { k: 'frame', s: 1, t: T0, dir: 'up', text: 'x' }, { k: 'frame', s: 1, t: T0, dir: 'sent' },
      { k: 'frame', s: 1, t: T0, dir: 'sent', text: 'x', b64: 'AA==' }, { k: 'frame', s: 1, t: T0, dir: 'sent', b64: '<script>' },
      { k: 'frame', s: -1, t: T0, dir: 'sent', text: 'x' }, { k: 'frame', s: 1.5, t: T0, dir: 'sent', text: 'x' },
      { k: 'frame', s: 1, t: NaN, dir: 'sent', text: 'x' }, { k: 'socket', s: 1, t: T0, url: 5, protocols: [], state: 0 },
      { k: 'socket', s: 1, t: T0, url: 'ws://x/', protocols: [{}], state: 0 }, { k: 'boom', s: 1, t: T0 },
    ]) {
      expect(checkHookEvent(bad), JSON.stringify(bad)).toBeNull();
    }
  });

  it('drops bad events of a batch and counts them; refuses a bad envelope', () => {
    const r = checkHookBatch({ v: 1, doc: 'docaaaa1111', href: 'http://a/', events: [{ k: 'error', s: 1, t: 1 }, { k: 'nope' }] });
    expect(r).toEqual({ batch: { v: 1, doc: 'docaaaa1111', href: 'http://a/', events: [{ k: 'error', s: 1, t: 1 }] }, bad: 1 });
    expect(checkHookBatch({ v: 1, doc: 'docaaaa1111', href: '', events: [], lost: 2, discarded: 3.5, late: true })?.batch).toEqual({ v: 1, doc: 'docaaaa1111', href: '', events: [], lost: 2, discarded: 3, late: true });
    expect(checkHookBatch({ v: 1, doc: 'docaaaa1111', href: '', events: [], discarded: -1, late: 'yes' })?.batch).toEqual({ v: 1, doc: 'docaaaa1111', href: '', events: [] });
    expect(checkHookBatch({ v: 2, doc: 'docaaaa1111', events: [] })).toBeNull();
    expect(checkHookBatch({ v: 1, doc: 'x', events: [] })).toBeNull();
    expect(checkHookBatch({ v: 1, doc: 'docaaaa1111', events: 'no' })).toBeNull();
  });

  it('checks replay results', () => {
    expect(checkHookReplayResult({ id: 1, ok: false, error: 'state', readyState: 3, junk: 1 })).toEqual({ id: 1, ok: false, error: 'state', readyState: 3 });
    expect(checkHookReplayResult({ id: '1', ok: true })).toBeNull();
  });
});

describe('HookCapture: sockets no page hook sees (Firefox workers)', () => {
  it('shows a handshake whose socket never comes as a handshake-only connection, after a grace period', () => {
    const records: CaptureRecord[] = [];
    const cap = new HookCapture(collectInto(records), T0 - 10_000);
    const store = new SessionStore();
    const url = 'ws://127.0.0.1:5170/echo?from=worker';
    cap.handshake({ phase: 'request', requestId: '5', frameId: 0, url, t: T0, headers: [], originUrl: 'http://127.0.0.1:5170/worker.js' });
    cap.handshake({ phase: 'response', requestId: '5', frameId: 0, url, t: T0 + 3, status: 101, statusLine: 'HTTP/1.1 101 Switching Protocols', headers: [] });
    // An old handshake (before capture) is never shown on its own: its socket may simply be gone.
    cap.handshake({ phase: 'request', requestId: '4', frameId: 0, url, t: T0 - 20_000, headers: [] });
    cap.sweep(T0 + 1000);
    store.apply(records.splice(0));
    expect(store.connections.size).toBe(0);
    cap.sweep(T0 + 2500);
    store.apply(records.splice(0));
    expect([...store.connections.values()]).toMatchObject([
      { url, state: 'open', handshakeOnly: expect.stringContaining('worker'), target: { type: 'other', url: 'http://127.0.0.1:5170/worker.js' }, response: { status: 101 } },
    ]);
    cap.sweep(T0 + 60_000);
    store.apply(records.splice(0));
    expect(store.connections.size).toBe(1);
  });

  it('never shows a paired handshake on its own', () => {
    const records: CaptureRecord[] = [];
    const cap = new HookCapture(collectInto(records), T0 - 10_000);
    cap.handshake({ phase: 'request', requestId: '6', frameId: 0, url: URL1, t: T0, headers: [] });
    cap.batch(0, { v: 1, doc: 'docaaaa1111', href: 'http://a/', events: [socket(1)] });
    cap.sweep(T0 + 5000);
    expect(records.filter((r) => r.t === 'conn' && r.conn.handshakeOnly)).toEqual([]);
  });
});
