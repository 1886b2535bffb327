// The frames, connections and helpers the query tests share.
import { expect } from 'vitest';
import { parseQuery, QueryError } from '../../../../src/model/query';
import type { Connection, Frame } from '../../../../src/model/types';

export const conns = new Map<number, Connection>([
  [1, { id: 1, url: 'wss://exchange.example/ticker', state: 'open', openedBeforeCapture: false, target: { type: 'page' } }],
  [2, { id: 2, url: 'wss://chat.example/room', state: 'open', openedBeforeCapture: false, target: { type: 'page' } }],
]);
let id = 0;
export const text = (t: string, o: Partial<Frame> = {}): Frame => ({ id: ++id, conn: 1, dir: 'received', opcode: 1, ts: 100, size: new TextEncoder().encode(t).length, text: t, ...o });
const bin = (bytes: number[], o: Partial<Frame> = {}): Frame => ({ id: ++id, conn: 2, dir: 'sent', opcode: 2, ts: 100, size: bytes.length, bytes: new Uint8Array(bytes), ...o });

export const frames: Frame[] = [
  text('{"type":"trade","price":101.5,"user":{"name":"Bob"},"items":[{"id":3}]}', { ts: 100 }),
  text('{"type":"quote","price":99}', { ts: 101, dir: 'sent' }),
  text('{"type":"trade","price":250,"error":null}', { ts: 110, conn: 2 }),
  text('Hello World', { ts: 160 }),
  bin([0xde, 0xad, 0xbe, 0xef], { ts: 170 }),
  text('connection lost', { ts: 200, opcode: -1, size: 0 }),
  text('x'.repeat(3000), { ts: 300 }),
];
export const ctx = { startTs: 100 };

/** The QueryError a query raises (fails the test if it raises none, or something else). */
export function queryError(q: string): QueryError {
  try {
    parseQuery(q);
  } catch (e) {
    expect(e).toBeInstanceOf(QueryError);
    return e as QueryError;
  }
  throw new Error(`"${q}" was accepted`);
}

export function matches(q: string): number[] {
  const { predicate } = parseQuery(q);
  return frames.filter((f) => !predicate || predicate(f, conns.get(f.conn), ctx)).map((f) => frames.indexOf(f));
}
