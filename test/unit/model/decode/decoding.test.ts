// Which decoder reads a connection, and the decodes the views and the query get: detection by the user's choice, the
// subprotocol, then content (sticky); siblings for framings that span frames; a failing decoder contained.
import { afterEach, describe, expect, it } from 'vitest';
import { SessionStore } from '../../../../src/model/store';
import type { CaptureRecord, Connection, Frame } from '../../../../src/model/types';
import { Decoding, overrideDecoder, resetDecoderOverrides, summaryOf } from '../../../../src/model/decode/decoding';
import { queryContextOf } from '../../../../src/model/query-context';
import type { Decoder } from '../../../../src/model/decode/types';
import { parseQuery, type QueryContext } from '../../../../src/model/query';

const conn = (id: number, extra: Partial<Connection> = {}): Connection => ({
  id, url: `ws://h/${id}?sid=${id}`, state: 'open', openedBeforeCapture: false, target: { type: 'page' }, ...extra,
});
let nextId = 1;
const frame = (c: number, text: string, dir: 'sent' | 'received' = 'received'): CaptureRecord => ({
  t: 'frame', frame: { id: nextId++, conn: c, dir, opcode: 1, ts: nextId, size: text.length, text },
});

/** `E:<name>` frames: an event called name. */
const events: Decoder = {
  id: 'events', label: 'Events', subprotocols: ['events.v1'],
  sniff: (f) => (f.text?.startsWith('E:') ? true : f.text?.startsWith('{') ? false : undefined),
  decode: (f) => ({ proto: 'events', messages: [{ summary: `EVENT ${f.text!.slice(2)}`, kind: 'EVENT', names: { event: f.text!.slice(2) }, value: { name: f.text!.slice(2), n: f.text!.length } }] }),
};
/** Says what the frame before it (same connection and direction) and after it were. */
const chained: Decoder = {
  id: 'chained', label: 'Chained', subprotocols: ['chained'],
  decode: (f, ctx) => ({ proto: 'chained', messages: [{ summary: `${ctx.sibling(-1)?.text ?? '-'} < ${f.text} > ${ctx.sibling(1)?.text ?? '-'}`, kind: 'x', value: null }] }),
};
const boom: Decoder = { id: 'boom', label: 'Boom', subprotocols: ['boom'], decode: () => { throw new Error('bad'); } };
const DECODERS = [events, chained, boom];

afterEach(() => resetDecoderOverrides());

function setup(records: CaptureRecord[]) {
  const s = new SessionStore();
  s.apply(records);
  return { s, d: new Decoding(s, DECODERS) };
}
const at = (s: SessionStore, i: number) => s.frameAt(i)!;

describe('decoding', () => {
  it('picks the decoder of the negotiated subprotocol at once, and decodes text frames only', () => {
    const { s, d } = setup([{ t: 'conn', conn: conn(1, { protocol: 'Events.V1' }) }, frame(1, 'E:chat'), frame(1, 'plain')]);
    expect(d.protoOf(1)).toBe('events');
    expect(summaryOf(d.decode(at(s, 0))!)).toBe('EVENT chat');
    expect(d.some).toBe(true);
    const close: Frame = { ...at(s, 1), opcode: 8 };
    expect(d.decode(close)).toBeNull();
  });

  it('detects by content on the first frames, and stays with what it found', () => {
    const { s, d } = setup([{ t: 'conn', conn: conn(1) }, frame(1, 'hello'), frame(1, 'E:join')]);
    expect(d.protoOf(1)).toBe('events');
    s.apply([frame(1, '{"json":1}')]);
    expect(d.protoOf(1)).toBe('events'); // sticky: a later frame that says otherwise changes nothing
  });

  it('settles on none once eight frames said nothing, or the socket is closed; keeps looking while it is live', () => {
    const { s, d } = setup([{ t: 'conn', conn: conn(1) }, { t: 'conn', conn: conn(2) }, frame(1, 'a'), frame(2, 'b')]);
    expect(d.protoOf(1)).toBe('raw');
    s.apply([frame(1, 'E:late')]);
    expect(d.protoOf(1)).toBe('events'); // still live with one frame: the next frames are read too
    for (let i = 0; i < 8; i++) s.apply([frame(2, `x${i}`)]);
    expect(d.protoOf(2)).toBe('raw');
    s.apply([frame(2, 'E:too-late')]);
    expect(d.protoOf(2)).toBe('raw');
    const { d: d2 } = setup([{ t: 'conn', conn: conn(3, { state: 'closed' }) }, frame(3, 'a')]);
    expect(d2.protoOf(3)).toBe('raw');
  });

  it("follows the user's choice per URL (without its query), 'raw' for none, null back to detection", () => {
    const { s, d } = setup([{ t: 'conn', conn: conn(1, { protocol: 'events.v1' }) }, frame(1, 'E:chat')]);
    overrideDecoder('ws://h/1?sid=other', 'raw');
    expect(d.protoOf(1)).toBe('raw');
    expect(d.decode(at(s, 0))).toBeNull();
    expect(d.chosenByUser(1)).toBe(true);
    expect(d.detected(1)?.id).toBe('events');
    overrideDecoder('ws://h/1', 'chained');
    expect(d.protoOf(1)).toBe('chained');
    overrideDecoder('ws://h/1', null);
    expect(d.protoOf(1)).toBe('events');
  });

  it('gives a decoder the frames of the same connection and direction around a frame', () => {
    const { s, d } = setup([
      { t: 'conn', conn: conn(1, { protocol: 'chained' }) }, { t: 'conn', conn: conn(2) },
      frame(1, 'a'), frame(2, 'other'), frame(1, 'in', 'sent'), frame(1, 'b'), frame(2, 'other'), frame(1, 'c'),
    ]);
    expect(d.decode(at(s, 3))!.messages[0].summary).toBe('a < b > c');
    expect(d.decode(at(s, 0))!.messages[0].summary).toBe('- < a > b');
    expect(d.decode(at(s, 2))!.messages[0].summary).toBe('- < in > -');
  });

  it('contains a decoder that throws: the frame says so, nothing else breaks', () => {
    const { s, d } = setup([{ t: 'conn', conn: conn(1, { protocol: 'boom' }) }, frame(1, 'x')]);
    const out = d.decode(at(s, 0))!;
    expect(out.messages).toEqual([]);
    expect(summaryOf(out)).toMatch(/^⚠ The Boom decoder failed/);
  });

  it('answers decoded terms and $. paths over decoded values in the query', () => {
    const { s, d } = setup([
      { t: 'conn', conn: conn(1, { protocol: 'events.v1' }) }, { t: 'conn', conn: conn(2) },
      frame(1, 'E:chat'), frame(1, 'E:join'), frame(1, 'E:chatter'), frame(2, '{"name":"chat","n":1}'),
    ]);
    const ctx: QueryContext = { startTs: 0, protoOf: (c) => d.protoOf(c), decode: (f) => d.decode(f), decoding: true };
    const matches = (q: string) => {
      const p = parseQuery(q).predicate!;
      const out: number[] = [];
      for (let i = 0; i < s.frameCount; i++) if (p(at(s, i), s.connections.get(at(s, i).conn), ctx)) out.push(i);
      return out;
    };
    expect(matches('event:chat')).toEqual([0]);
    expect(matches('event:CHAT*')).toEqual([0, 2]);
    expect(matches('proto:events')).toEqual([0, 1, 2]);
    expect(matches('proto:raw')).toEqual([3]);
    expect(matches('$.name == "chat"')).toEqual([0, 3]); // decoded on connection 1, raw JSON on connection 2
    expect(matches('$.n > 6')).toEqual([2]);
    expect(matches('exists($.name) -proto:raw')).toEqual([0, 1, 2]);
  });

  it('matches MQTT topic filters with + and #, and leaves $ topics to explicit filters', async () => {
    const { topicMatches } = await import('../../../../src/model/query/decoded-terms');
    expect(topicMatches('prices/#', 'prices/BTC/usd')).toBe(true);
    expect(topicMatches('prices/#', 'prices')).toBe(true);
    expect(topicMatches('prices/+', 'prices/BTC')).toBe(true);
    expect(topicMatches('prices/+', 'prices/BTC/usd')).toBe(false);
    expect(topicMatches('#', '$SYS/x')).toBe(false);
    expect(topicMatches('$SYS/#', '$SYS/x')).toBe(true);
  });

  it('a query pass reads quick names where the decoder has them, and keeps the decodes of the screen', () => {
    let decodes = 0;
    const quick: Decoder = {
      ...events, id: 'quick',
      decode: (f, ctx) => (decodes++, { ...events.decode(f, ctx), proto: 'quick' }),
      // Tells names of `E:` frames, leaves the others (`?:`) to decode.
      quickName: (f, field) => (field !== 'event' ? null : f.text!.startsWith('E:') ? f.text!.slice(2) : undefined),
    };
    const s = new SessionStore();
    s.apply([{ t: 'conn', conn: conn(1, { protocol: 'events.v1' }) }, frame(1, 'E:chat'), frame(1, 'E:join'), frame(1, '?:chat')]);
    const d = new Decoding(s, [quick]);
    const onScreen = d.decode(at(s, 0))!;
    decodes = 0;
    const ctx = queryContextOf(s);
    const p = parseQuery('event:chat').predicate!;
    const hits: number[] = [];
    for (let i = 0; i < s.frameCount; i++) if (p(at(s, i), s.connections.get(1), { ...ctx, hasName: (f, n, t) => d.hasName(f, n, t), decode: (f) => d.decode(f, false) })) hits.push(i);
    expect(hits).toEqual([0, 2]);
    expect(decodes).toBe(1); // only the frame quickName could not tell
    expect(d.decode(at(s, 0))).toBe(onScreen); // still kept for the view
  });
});

describe('summaries of answers', () => {
  const one = (summary: string, id?: string | number) => ({ proto: 'x', messages: [{ summary, kind: 'k', value: null, ...(id === undefined ? {} : { id }) }] });
  it('put the name of what they answer after the id they show', () => {
    expect(summaryOf(one('next #3 {"p":1}', '3'), 'OnPrice')).toBe('next #3 OnPrice {"p":1}');
    expect(summaryOf(one('← #7 result', 7), 'eth_call')).toBe('← #7 eth_call result');
    expect(summaryOf(one('ACK 12', 12), 'chat')).toBe('ACK 12 chat');
    // A whole id only: the 12 of 112 is not it.
    expect(summaryOf(one('PUBACK 112 12', 12), 'prices/BTC')).toBe('PUBACK 112 12 prices/BTC');
    expect(summaryOf(one('RECEIPT', 'r-1'), 'DISCONNECT')).toBe('RECEIPT DISCONNECT');
    // graphql-ws clients use UUIDs, which the summary cuts.
    const uuid = '2f1c6a0e-9b7d-4c1e-8f3a-5d6b7c8d9e0f';
    expect(summaryOf(one('next #2f1c6a0e-9b7… {"p":1}', uuid), 'OnPrice')).toBe('next #2f1c6a0e-9b7… OnPrice {"p":1}');
  });
  it('leave a summary that names it already, several messages, and no name as they are; a hostile name is one inert line', () => {
    expect(summaryOf(one('subscribe #3 OnPrice', '3'), 'OnPrice')).toBe('subscribe #3 OnPrice');
    expect(summaryOf(one('ACK 1', 1))).toBe('ACK 1');
    const two = { proto: 'x', messages: [{ summary: 'a #1', kind: 'k', id: 1, value: null }, { summary: 'b #2', kind: 'k', id: 2, value: null }] };
    expect(summaryOf(two, 'm')).toBe('a #1 · b #2');
    expect(summaryOf(one('next #1', '1'), '<img src=x onerror=alert(1)>\n\x00' + 'y'.repeat(80))).toMatch(/^next #1 <img src=x onerror=alert\(1\)> y+…$/);
    expect(summaryOf({ ...one('next #1', '1'), error: 'cut' }, 'Op')).toBe('next #1 Op · ⚠ cut');
  });
});
