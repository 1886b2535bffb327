// Capture normalization, replayed from CDP events recorded from real Chromium (test/fixtures/record-cdp.mjs).
import { describe, expect, it } from 'vitest';
import fixture from '../../../fixtures/cdp-events.json' with { type: 'json' };
import { CdpCapture } from '../../../../src/capture/chrome/cdp-dispatcher';
import { SessionStore } from '../../../../src/model/store';
import type { CaptureRecord, Connection } from '../../../../src/model/types';
import { toWallMs } from '../../../../src/model/time';
import { collectInto } from '../../support/records';

interface Recorded {
  sessionId?: string;
  method: string;
  params: unknown;
}
const events = fixture.events as Recorded[];

function replay(list: Recorded[] = events) {
  const records: CaptureRecord[] = [];
  const unannounced: Connection[] = [];
  const cap = new CdpCapture({
    out: collectInto(records),
    now: () => 1_800_000_000_000,
    host: { unannouncedSocket: (_s, c) => unannounced.push({ ...c }) },
  });
  for (const e of list) cap.handle(e.sessionId, e.method, e.params);
  const store = new SessionStore();
  store.apply(records);
  const conns = store.connectionOrder.map((id) => store.connections.get(id)!);
  const frames = Array.from({ length: store.frameCount }, (_, i) => store.frameAt(i)!);
  return { cap, records, store, conns, frames, unannounced };
}

const byUrl = (conns: Connection[], end: string) => conns.find((c) => c.url.endsWith(end))!;

describe('CDP capture from recorded Chromium events', () => {
  it('normalizes a full handshake: headers, status, subprotocol, initiator with stack, times', () => {
    const { conns, store } = replay();
    const c = byUrl(conns, '/hdr');
    expect(c.openedBeforeCapture).toBe(false);
    expect(c.state).toBe('closed');
    expect(c.response?.status).toBe(101);
    expect(c.response?.headers).toContainEqual({ name: 'X-Frameline-Test', value: 'custom-header' });
    expect(c.request?.headers.some((h) => h.name === 'Sec-WebSocket-Key')).toBe(true);
    expect(c.protocol).toBe('chat.v1');
    expect(c.extensions).toBe('');
    expect(c.initiator?.type).toBe('script');
    expect(c.initiator?.stack?.[0]).toMatchObject({ functionName: 'window.run', lineNumber: 5 });
    expect(c.createdTs).toBeLessThanOrEqual(c.openTs!);
    expect(c.openTs).toBeLessThanOrEqual(c.closeTs!);
    // The anchor comes from CDP's own wallTime: wall-clock times of the handshake are exact.
    const req = events.find((e) => e.method === 'Network.webSocketWillSendHandshakeRequest')!.params as {
      timestamp: number;
      wallTime: number;
    };
    expect(toWallMs(req.timestamp, store.anchor!)).toBeCloseTo(req.wallTime * 1000, 3);
  });

  it('takes the request headers from the handshake response when it has them (what CDP saw go out)', () => {
    const list = events.map((e) => {
      if (e.method !== 'Network.webSocketHandshakeResponseReceived') return e;
      const p = structuredClone(e.params) as { response: { requestHeaders: Record<string, string> } };
      p.response.requestHeaders.Cookie = 'session=abc';
      return { ...e, params: p };
    });
    const c = byUrl(replay(list).conns, '/hdr');
    expect(c.request?.headers).toContainEqual({ name: 'Cookie', value: 'session=abc' });
    expect(c.request?.headers.some((h) => h.name === 'Sec-WebSocket-Key')).toBe(true);
  });

  it('keeps text and binary frames with exact bytes and byte lengths, in order', () => {
    const { conns, frames } = replay();
    const c = byUrl(conns, '/hdr');
    const fs = frames.filter((f) => f.conn === c.id);
    expect(fs.map((f) => [f.dir, f.opcode])).toEqual([
      ['sent', 1],
      ['sent', 2],
      ['received', 1],
      ['received', 2],
    ]);
    expect(fs[0].text).toBe('text-1 héllo');
    expect(fs[0].size).toBe(13); // bytes, not characters: é is two bytes
    expect([...fs[1].bytes!]).toEqual([0, 1, 2, 254, 255]);
    expect(fs[1].size).toBe(5);
    expect(fs[3].bytes).toEqual(fs[1].bytes);
  });

  it('keeps frames of a socket opened before capture and marks it', () => {
    const { conns, frames, unannounced } = replay();
    const pre = conns.find((c) => c.openedBeforeCapture)!;
    expect(pre).toBeDefined();
    expect(pre.url).toBe('');
    expect(pre.state).toBe('open');
    expect(unannounced).toHaveLength(1);
    expect(frames.filter((f) => f.conn === pre.id).map((f) => [f.dir, f.text])).toEqual([
      ['sent', 'after-attach'],
      ['received', 'after-attach'],
    ]);
  });

  it('reports frame errors as error frames and the connection in error', () => {
    const { conns, frames } = replay();
    const bad = byUrl(conns, '/badframe');
    expect(bad.state).toBe('error');
    expect(bad.error).toBe('Unrecognized frame opcode: 3');
    expect(frames.find((f) => f.conn === bad.id && f.opcode === -1)?.text).toBe('Unrecognized frame opcode: 3');
    const refused = byUrl(conns, '/refused');
    expect(refused.state).toBe('error');
    expect(refused.error).toContain('ERR_UNSAFE_PORT');
    expect(refused.response).toBeUndefined();
  });

  it('captures sockets of child targets (worker, out-of-process iframe) with their context', () => {
    const { conns, frames } = replay();
    const worker = byUrl(conns, 'from=worker');
    expect(worker.target.type).toBe('worker');
    expect(worker.state).toBe('open');
    const iframe = byUrl(conns, 'from=iframe');
    expect(iframe.target.type).toBe('iframe');
    expect(frames.filter((f) => f.conn === iframe.id).map((f) => f.text)).toEqual(['from-iframe', 'from-iframe']);
  });

  it('does not count error frames as traffic; counts bytes per direction', () => {
    const { store, frames } = replay();
    const data = frames.filter((f) => f.opcode !== -1);
    expect(store.stats.framesSent + store.stats.framesReceived).toBe(data.length);
    expect(store.stats.bytesSent).toBe(data.filter((f) => f.dir === 'sent').reduce((n, f) => n + f.size, 0));
  });

  it('accepts any event order: frames and close before the handshake, handshake before creation', () => {
    const shuffled = [...events].reverse();
    const { conns, frames } = replay(shuffled);
    expect(frames).toHaveLength(replay().frames.length);
    const hdr = byUrl(conns, '/hdr');
    expect(hdr.response?.status).toBe(101);
    // Its frames arrived first, so it looked like a socket opened before capture — until webSocketCreated came.
    expect(hdr.openedBeforeCapture).toBe(false);
  });

  it('writes the live connections again on request (a reloaded panel), not the closed ones', () => {
    const { cap, conns, records } = replay();
    const open = conns.filter((c) => c.state === 'open' || c.state === 'connecting' || c.state === 'closing');
    expect(open.length).toBeGreaterThan(0);
    expect(open.length).toBeLessThan(conns.length);
    records.length = 0; // what capture writes from here on: the snapshot
    cap.snapshot();
    expect(records[0].t).toBe('anchor');
    const snap = records.filter((r) => r.t === 'conn').map((r) => (r as { conn: Connection }).conn);
    expect(snap.map((c) => c.id)).toEqual(open.map((c) => c.id));
    const store = new SessionStore();
    store.apply(records);
    for (const c of open) expect(store.connections.get(c.id)).toEqual(c);
  });

  it('marks live sockets unknown on a detach, and tells them apart again on re-attach or on their next frame', () => {
    const records: CaptureRecord[] = [];
    const cap = new CdpCapture({ out: collectInto(records), now: () => 1_800_000_000_000 });
    // Four open sockets: a and b on URLs of their own, two on a shared URL; one closed before the detach.
    const open = (requestId: string, url: string) => {
      cap.handle(undefined, 'Network.webSocketCreated', { requestId, url });
      cap.handle(undefined, 'Network.webSocketHandshakeResponseReceived', { requestId, timestamp: 1, response: { status: 101, statusText: '', headers: {} } });
    };
    open('a', 'ws://h/a');
    open('b', 'ws://h/b');
    open('s1', 'ws://h/shared');
    open('s2', 'ws://h/shared');
    open('c', 'ws://h/c');
    cap.handle(undefined, 'Network.webSocketClosed', { requestId: 'c', timestamp: 2 });
    const store = new SessionStore();
    store.apply(records);
    const id = (url: string) => store.connectionOrder.filter((i) => store.connections.get(i)!.url === url);
    cap.detached();
    store.apply(records.splice(0));
    expect(store.connectionOrder.map((i) => store.connections.get(i)!.state)).toEqual(['unknown', 'unknown', 'unknown', 'unknown', 'closed']);

    // Re-attached: the page still has a, one socket of the shared URL, and not b.
    cap.reconcile(undefined, [{ url: 'ws://h/a', readyState: 1 }, { url: 'ws://h/shared', readyState: 1 }, { url: 'ws://h/c', readyState: 3 }]);
    store.apply(records.splice(0));
    const state = (url: string) => id(url).map((i) => store.connections.get(i)!.state);
    expect(state('ws://h/a')).toEqual(['open']);
    expect(state('ws://h/b')).toEqual(['closed']);
    expect(store.connections.get(id('ws://h/b')[0])?.stateNote).toMatch(/closed while the debugger was detached/i);
    expect(state('ws://h/shared')).toEqual(['unknown', 'unknown']); // one of the two closed: which, nobody can tell
    expect(state('ws://h/c')).toEqual(['closed']);
  });

  it('a frame of a socket of unknown state says it is open', () => {
    const records: CaptureRecord[] = [];
    const sink = new CdpCapture({ out: collectInto(records), now: () => 1_800_000_000_000 });
    const frame = { requestId: 'r1', timestamp: 10, response: { opcode: 1, mask: false, payloadData: 'x' } };
    sink.handle(undefined, 'Network.webSocketFrameReceived', frame);
    sink.detached();
    sink.handle(undefined, 'Network.webSocketFrameReceived', { ...frame, timestamp: 11 });
    const store = new SessionStore();
    store.apply(records);
    expect(store.connections.get(1)?.state).toBe('open');
    expect(store.frameCount).toBe(2);
  });

  it('ignores malformed events without throwing, and counts them', () => {
    const cap = new CdpCapture({ out: collectInto([]) });
    const bad: Array<[string, unknown]> = [
      ['Network.webSocketCreated', null],
      ['Network.webSocketCreated', { requestId: 1, url: 'ws://x' }],
      ['Network.webSocketFrameSent', { requestId: 'a', timestamp: 'now', response: {} }],
      ['Network.webSocketFrameReceived', { requestId: 'a', timestamp: 1, response: { payloadData: 42 } }],
      ['Network.webSocketFrameReceived', 'garbage'],
      ['Network.webSocketHandshakeResponseReceived', { requestId: 'a', timestamp: 1 }],
      ['Network.webSocketWillSendHandshakeRequest', { requestId: 'a', timestamp: 1, request: [] }],
      ['Network.webSocketClosed', {}],
      ['Network.webSocketFrameError', { timestamp: 1 }],
      ['Target.attachedToTarget', { sessionId: 'x' }],
    ];
    for (const [m, p] of bad) expect(() => cap.handle(undefined, m, p)).not.toThrow();
    expect(cap.malformed).toBeGreaterThanOrEqual(bad.length - 1);
    expect(() => cap.handle(undefined, 'Network.somethingNew', { x: 1 })).not.toThrow();
  });

  it('resolves the URL of an unannounced socket, or lists candidates when it cannot tell', () => {
    const { cap, records } = replay();
    const pre = cap.connectionsOf(undefined).find((c) => c.openedBeforeCapture)!;
    cap.resolveUrl(pre.id, ['ws://a/1', 'ws://a/2']);
    expect(cap.connectionsOf(undefined).find((c) => c.id === pre.id)!.urlCandidates).toEqual(['ws://a/1', 'ws://a/2']);
    cap.resolveUrl(pre.id, ['ws://a/1', 'ws://a/1']);
    const last = records.filter((r) => r.t === 'conn' && r.conn.id === pre.id).at(-1);
    expect(last?.t === 'conn' && last.conn.url).toBe('ws://a/1');
  });

  it('captures a service worker attached by id (the host announces it under a session key of its own) as such', () => {
    const sid = (events.find((e) => (e.params as any)?.targetInfo?.type === 'worker')!.params as { sessionId: string }).sessionId;
    const key = 'target:SW1';
    const asServiceWorker = events.map((e) => {
      if (e.method === 'Target.attachedToTarget' && (e.params as any).sessionId === sid) {
        return { method: e.method, sessionId: undefined, params: { sessionId: key, targetInfo: { ...(e.params as any).targetInfo, type: 'service_worker' } } };
      }
      return e.sessionId === sid ? { ...e, sessionId: key } : e;
    });
    const { conns, frames, cap } = replay(asServiceWorker);
    const worker = byUrl(conns, 'from=worker');
    expect(worker.target.type).toBe('service_worker');
    expect(frames.some((f) => f.conn === worker.id)).toBe(true);
    cap.handle(undefined, 'Target.detachedFromTarget', { sessionId: key });
    expect(cap.connectionsOf(key).every((c) => c.state === 'closed')).toBe(true);
  });

  it('marks sockets of a worker that went away as closed', () => {
    const { cap } = replay();
    const sid = events.find((e) => (e.params as any)?.targetInfo?.type === 'worker')!.params as { sessionId: string };
    cap.handle(undefined, 'Target.detachedFromTarget', { sessionId: sid.sessionId });
    expect(cap.connectionsOf(sid.sessionId).every((c) => c.state === 'closed')).toBe(true);
  });
});
