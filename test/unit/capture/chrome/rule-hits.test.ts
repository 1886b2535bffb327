// What intercept rules did in the page, as the Chrome capture turns it into the store: marks on the frames the network
// carried, frames of their own where it carried none, and hits from a hostile page checked before anything is kept.
import { describe, expect, it } from 'vitest';
import { CdpCapture } from '../../../../src/capture/chrome/cdp-dispatcher';
import { SessionStore } from '../../../../src/model/store';
import type { CaptureRecord } from '../../../../src/model/types';
import type { RuleHit } from '../../../../src/model/intercept/types';
import { parseRuleHit } from '../../../../src/capture/rule-hits';
import { collectInto } from '../../support/records';

const WALL = 1_800_000_000; // seconds
const URL_ = 'ws://127.0.0.1:1/echo';

function session() {
  const records: CaptureRecord[] = [];
  const cap = new CdpCapture({ out: collectInto(records), now: () => WALL * 1000 + 5000 });
  const ev = (method: string, params: object) => cap.handle(undefined, method, params);
  ev('Network.webSocketCreated', { requestId: 'a', url: URL_ });
  ev('Network.webSocketWillSendHandshakeRequest', { requestId: 'a', timestamp: 100, wallTime: WALL, request: { headers: {} } });
  ev('Network.webSocketHandshakeResponseReceived', { requestId: 'a', timestamp: 100.01, response: { status: 101, statusText: '', headers: {} } });
  const frame = (dir: 'Sent' | 'Received', ts: number, payloadData: string) =>
    ev(`Network.webSocketFrame${dir}`, { requestId: 'a', timestamp: ts, response: { opcode: 1, mask: dir === 'Sent', payloadData } });
  const store = new SessionStore();
  const flush = () => {
    store.apply(records.splice(0));
  };
  const hit = (h: Partial<RuleHit>): RuleHit => ({
    rule: 'r1', action: 'rewritten', dir: 'sent', url: URL_, created: WALL * 1000, t: WALL * 1000 + 1000, original: { text: 'x' }, ...h,
  });
  return { cap, frame, store, flush, hit };
}

const marked = (store: SessionStore) =>
  Array.from({ length: store.frameCount }, (_, i) => store.frameAt(i)!).map((f) => ({ dir: f.dir, text: f.text, mark: f.mark, action: store.ruleMarks.of(f.id)?.action }));

describe('rule hits from the page (Chrome)', () => {
  it('marks the frame the network carried: a rewritten send by what went out, a received one by what came in', () => {
    const { cap, frame, store, flush, hit } = session();
    frame('Sent', 101, 'HELLO');
    frame('Received', 101.1, '{"p":1}');
    cap.ruleHits(undefined, [
      hit({ original: { text: 'hello' }, delivered: { text: 'HELLO' } }),
      hit({ dir: 'received', original: { text: '{"p":1}' }, delivered: { text: '{"p":9}' } }),
    ]);
    flush();
    expect(marked(store)).toEqual([
      { dir: 'sent', text: 'HELLO', mark: undefined, action: 'rewritten' },
      { dir: 'received', text: '{"p":1}', mark: undefined, action: 'rewritten' },
    ]);
    expect(store.ruleMarks.of(store.frameAt(1)!.id)?.delivered).toEqual({ text: '{"p":9}' });
    expect(store.ruleMarks.hits.get('r1')).toBe(2);
  });

  it('keeps what the network never carried as frames of their own: a blocked send, a mock and its reply, a dropped delay', () => {
    const { cap, store, flush, hit } = session();
    cap.ruleHits(undefined, [
      hit({ action: 'blocked', original: { text: 'secret' } }),
      hit({ rule: 'm', action: 'mocked', original: { text: 'get' }, delivered: { text: '{"mock":1}' }, forwarded: false }),
      hit({ rule: 'd', action: 'delayed', original: { text: 'late' }, waited: 500 }),
    ]);
    flush();
    expect(marked(store)).toEqual([
      { dir: 'sent', text: 'secret', mark: 'intercepted', action: 'blocked' },
      { dir: 'sent', text: 'get', mark: 'intercepted', action: 'mocked' },
      { dir: 'received', text: '{"mock":1}', mark: 'intercepted', action: 'mocked' },
      { dir: 'sent', text: 'late', mark: 'intercepted', action: 'delayed' },
    ]);
  });

  it('a breakpoint marks the frame as it went, found by its own payload', () => {
    const { cap, frame, store, flush, hit } = session();
    frame('Sent', 101, 'watch');
    cap.ruleHits(undefined, [hit({ action: 'paused', original: { text: 'watch' } })]);
    flush();
    expect(marked(store)).toEqual([{ dir: 'sent', text: 'watch', mark: undefined, action: 'paused' }]);
  });

  it('drops and counts what a page could forge: bad shapes; hits of no known socket are counted apart', () => {
    const { cap, store, flush, hit } = session();
    const before = cap.malformed;
    cap.ruleHits(undefined, [
      { rule: 'r', action: 'exploded', dir: 'sent', url: URL_, created: null, t: 1, original: { text: 'x' } },
      { ...hit({}), original: { b64: 'not base64!' } },
      { ...hit({}), t: 'soon' },
      null,
      hit({ url: 'ws://elsewhere/', action: 'blocked' }),
    ]);
    flush();
    expect(cap.malformed - before).toBe(4);
    expect(cap.unplacedHits).toBe(1);
    expect(store.frameCount).toBe(0);
  });

  it('a held frame: released unchanged marks the frame it went as; one dropped for a closed socket is a frame of its own', () => {
    const { cap, frame, store, flush, hit } = session();
    frame('Sent', 101, 'held');
    cap.ruleHits(undefined, [
      hit({ action: 'released', original: { text: 'held' }, delivered: { text: 'held' }, held: 1, waited: 800 }),
      hit({ action: 'released', original: { text: 'gone' }, held: 2, waited: 30_000, reason: 'timeout' }),
    ]);
    flush();
    expect(marked(store)).toEqual([
      { dir: 'sent', text: 'held', mark: undefined, action: 'released' },
      { dir: 'sent', text: 'gone', mark: 'intercepted', action: 'released' },
    ]);
    expect(store.ruleMarks.of(store.frameAt(1)!.id)).toMatchObject({ reason: 'timeout', waited: 30_000 });
  });

  it('parseRuleHit keeps a held frame’s id and why the page released it, and nothing else it does not know', () => {
    const base = { rule: 'r', action: 'released', dir: 'sent', url: URL_, created: null, t: 5, original: { text: 'x' } };
    expect(parseRuleHit({ ...base, held: 7, reason: 'lease', waited: 3 })).toEqual({ ...base, held: 7, reason: 'lease', waited: 3 });
    expect(parseRuleHit({ ...base, held: 'x', reason: 'whim' })).toEqual(base);
  });

  it('parseRuleHit copies only the known fields', () => {
    const h = parseRuleHit({ rule: 'r', action: 'blocked', dir: 'received', url: URL_, created: null, t: 5, original: { b64: 'AAE=' }, extra: 1, waited: 'x' });
    expect(h).toEqual({ rule: 'r', action: 'blocked', dir: 'received', url: URL_, created: null, t: 5, original: { b64: 'AAE=' } });
  });
});
