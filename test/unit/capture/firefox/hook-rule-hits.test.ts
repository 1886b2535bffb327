// What intercept rules did in a Firefox document (hits from its page hook) → marks on the right connection
// (HookCapture.ruleHits), and the checks the relay applies to hits before they leave the page (checkHookHits).
import { describe, expect, it } from 'vitest';
import { HookCapture } from '../../../../src/capture/firefox/hook-capture';
import { MAX_HITS, checkHookHits, type HookEvent } from '../../../../src/capture/firefox/hook-protocol';
import type { RuleHit } from '../../../../src/model/intercept/types';
import type { CaptureRecord } from '../../../../src/model/types';
import { collectInto } from '../../support/records';

const T0 = 1_795_000_000_000;
const URL1 = 'wss://feed.test/live';
const DOC = 'docaaaa1111';

const socket = (s: number, t: number, url = URL1): HookEvent => ({ k: 'socket', s, url, protocols: [], t, pre: false, state: 1, protocol: '', extensions: '' });
const hit = (extra: Partial<RuleHit> = {}): RuleHit => ({
  rule: 'r1', action: 'rewritten', dir: 'sent', url: URL1, created: T0, t: T0 + 500, original: { text: 'a' }, delivered: { text: 'b' }, ...extra,
});

function setup() {
  const records: CaptureRecord[] = [];
  const cap = new HookCapture(collectInto(records), T0 - 1000);
  const marks = () => records.flatMap((r) => (r.t === 'ruled' ? [r.mark] : []));
  const made = () => records.flatMap((r) => (r.t === 'frame' ? [r.frame] : []));
  return { cap, marks, made };
}

describe('HookCapture.ruleHits', () => {
  it('marks the connection of the same document and URL made when the hit says, at the hit\'s wall-clock time', () => {
    const { cap, marks } = setup();
    cap.batch(0, { v: 1, doc: DOC, href: 'https://a.test/', events: [socket(1, T0), socket(2, T0 + 100), socket(3, T0 + 200, 'wss://other.test/')] });
    cap.batch(0, { v: 1, doc: 'docbbbb2222', href: 'https://a.test/', events: [socket(1, T0 + 100)] }); // another document
    cap.ruleHits(0, DOC, [hit({ created: T0 + 100 }), hit({ created: T0 }), hit({ created: T0 + 90 })]);
    expect(marks().map((m) => m.conn)).toEqual([2, 1, 2]);
    expect(marks()[0]).toMatchObject({ dir: 'sent', rule: 'r1', action: 'rewritten', ts: (T0 + 500) / 1000, find: { opcode: 1, payload: 'b', binary: false } });
    expect(cap.unplacedHits).toBe(0);
  });

  it('gives a blocked send a frame of its own, marked intercepted', () => {
    const { cap, marks, made } = setup();
    cap.batch(0, { v: 1, doc: DOC, href: 'https://a.test/', events: [socket(1, T0)] });
    cap.ruleHits(0, DOC, [hit({ action: 'blocked', delivered: undefined, original: { text: 'no' } })]);
    expect(made()).toEqual([expect.objectContaining({ conn: 1, dir: 'sent', text: 'no', mark: 'intercepted' })]);
    expect(marks()[0].frame).toBe(made()[0].id);
  });

  it('a hit that names no creation time goes to the latest live connection of its URL', () => {
    const { cap, marks } = setup();
    cap.batch(0, { v: 1, doc: DOC, href: 'https://a.test/', events: [socket(1, T0), socket(2, T0 + 10), { k: 'close', s: 2, t: T0 + 20, code: 1000, reason: '', wasClean: true }] });
    cap.ruleHits(0, DOC, [hit({ created: null })]);
    expect(marks().map((m) => m.conn)).toEqual([1]);
  });

  it('counts hits of no known connection, and drops and counts hits of a wrong shape', () => {
    const { cap, marks } = setup();
    cap.batch(0, { v: 1, doc: DOC, href: 'https://a.test/', events: [socket(1, T0)] });
    cap.ruleHits(0, 'docunknown1', [hit()]);
    cap.ruleHits(3, DOC, [hit()]);
    cap.ruleHits(0, DOC, [hit({ url: 'wss://elsewhere.test/' }), { rule: 'r1' }, null]);
    expect(marks()).toEqual([]);
    expect(cap.unplacedHits).toBe(3);
    expect(cap.malformed).toBe(2);
  });
});

describe('checkHookHits', () => {
  it('keeps validated copies, drops and counts bad ones, and adds what does not fit to lost', () => {
    const good = hit();
    const r = checkHookHits({ k: 'hits', hits: [good, { ...good, action: 'exploded' }, { ...good, original: { b64: 'not base64!' } }, 'x'], lost: 3 });
    expect(r).toEqual({ hits: [good], lost: 3, bad: 3 });
    expect(r!.hits[0]).not.toBe(good);
    const many = checkHookHits({ hits: Array.from({ length: MAX_HITS + 2 }, () => good), lost: 'many' });
    expect(many?.hits).toHaveLength(MAX_HITS);
    expect(many?.lost).toBe(2);
    expect(checkHookHits({ hits: 'none' })).toBeNull();
    expect(checkHookHits(null)).toBeNull();
  });
});
