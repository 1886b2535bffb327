// Chrome: a debugger attachment outlives the DevTools page that made it, so the background detaches a tab once no
// page holds its attachment (a DevTools window closed before its own detach went out).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { attachPortName } from '../../../../src/protocol';

type Listener = (...a: unknown[]) => void;
interface FakePort { name: string; sender: { id: string }; posted: unknown[]; disconnected: boolean; msg: Listener[]; gone: Listener[]; postMessage(m: unknown): void; disconnect(): void; onMessage: { addListener(f: Listener): void }; onDisconnect: { addListener(f: Listener): void } }
const fake = vi.hoisted(() => ({ onConnect: [] as Array<(p: unknown) => void>, connected: [] as unknown[] }));
function port(name: string): FakePort {
  const p: FakePort = {
    name, sender: { id: 'frameline' }, posted: [], disconnected: false, msg: [], gone: [],
    postMessage(m) { p.posted.push(m); },
    disconnect() { p.disconnected = true; },
    onMessage: { addListener: (f) => p.msg.push(f) },
    onDisconnect: { addListener: (f) => p.gone.push(f) },
  };
  return p;
}
vi.mock('../../../../src/platform/browser', () => ({
  browser: {
    runtime: {
      id: 'frameline',
      onConnect: { addListener: (fn: (p: unknown) => void) => fake.onConnect.push(fn) },
      connect: ({ name }: { name: string }) => {
        const p = port(name);
        fake.connected.push(p);
        return p;
      },
    },
  },
}));
const { holdAttachment, watchAttachments } = await import('../../../../src/platform/chrome/attach-watch');

const detach = vi.fn(() => Promise.resolve());
beforeEach(() => {
  vi.useFakeTimers();
  fake.onConnect.length = 0;
  fake.connected.length = 0;
  detach.mockClear();
  (globalThis as unknown as { chrome: unknown }).chrome = { debugger: { detach } };
});
afterEach(() => vi.useRealTimers());

const pageGone = (p: FakePort) => p.gone.forEach((f) => f());

describe('background: attachments no page holds are detached', () => {
  it('detaches the tab once its page is gone', () => {
    watchAttachments();
    const p = port(attachPortName(5));
    fake.onConnect.forEach((fn) => fn(p));
    pageGone(p);
    expect(detach).not.toHaveBeenCalled(); // a moment's grace first
    vi.advanceTimersByTime(1000);
    expect(detach).toHaveBeenCalledWith({ tabId: 5 });
  });

  it('leaves the tab attached while a newer page holds it (DevTools reopened at once), and ignores other ports', () => {
    watchAttachments();
    const old = port(attachPortName(5));
    const other = port('frameline:hook-host:5');
    fake.onConnect.forEach((fn) => fn(old));
    fake.onConnect.forEach((fn) => fn(other));
    pageGone(old);
    const fresh = port(attachPortName(5));
    fake.onConnect.forEach((fn) => fn(fresh));
    vi.advanceTimersByTime(5000);
    expect(detach).not.toHaveBeenCalled();
  });
});

describe('background: workers attached by id', () => {
  it('detaches the workers a gone page held, unless a live page claims them; the tab only once no page holds it', () => {
    watchAttachments();
    const old = port(attachPortName(5));
    fake.onConnect.forEach((fn) => fn(old));
    old.msg.forEach((f) => f({ targets: ['sw', 'shared'] }));
    old.msg.forEach((f) => f(0)); // a ping leaves the list as it is
    pageGone(old);
    const fresh = port(attachPortName(5));
    fake.onConnect.forEach((fn) => fn(fresh));
    fresh.msg.forEach((f) => f({ targets: ['shared'] }));
    vi.advanceTimersByTime(1000);
    expect(detach.mock.calls).toEqual([[{ targetId: 'sw' }]]);
    pageGone(fresh);
    vi.advanceTimersByTime(1000);
    expect(detach.mock.calls.slice(1)).toEqual([[{ targetId: 'shared' }], [{ tabId: 5 }]]);
  });
});

describe('page: holding an attachment', () => {
  it('tells the background its workers, again after it reconnects', () => {
    const hold = holdAttachment(8);
    hold.targets(['sw']);
    const first = fake.connected[0] as FakePort;
    expect(first.posted).toEqual([{ targets: ['sw'] }]);
    pageGone(first);
    vi.advanceTimersByTime(100);
    expect((fake.connected[1] as FakePort).posted).toEqual([{ targets: ['sw'] }]);
    hold.release();
  });

  it('pings, connects again when the background stopped, and lets go on release', () => {
    const hold = holdAttachment(7);
    const first = fake.connected[0] as FakePort;
    expect(first.name).toBe(attachPortName(7));
    vi.advanceTimersByTime(20_000);
    expect(first.posted.length).toBe(1);
    pageGone(first); // the background was stopped
    vi.advanceTimersByTime(100);
    const second = fake.connected[1] as FakePort;
    expect(second.name).toBe(attachPortName(7));
    hold.release();
    expect(second.disconnected).toBe(true);
    vi.advanceTimersByTime(60_000);
    expect(fake.connected).toHaveLength(2);
  });
});
