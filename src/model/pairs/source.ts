// Where pairing gets each frame's keys: the user's rule for the connection, else its decoder's quick path, else its
// decode read by pairs/from-decoded.ts.
import type { Decoding } from '../decode/decoding';
import { OPCODE, type Frame } from '../types';
import { pairKeysOf, pairsProtocol } from './from-decoded';
import type { PairSource } from './pairs';
import type { CompiledRule } from './rule';

export function pairSource(decoding: Decoding, ruleOf?: (conn: number) => CompiledRule | undefined): PairSource {
  return (f) => {
    const op = f.opcode;
    if (op !== OPCODE.text && op !== OPCODE.binary) return null;
    const rule = ruleOf?.(f.conn);
    if (rule) return rule.keys(f);
    const d = decoding.decoderOf(f.conn);
    if (d === null || !pairsProtocol(d.id)) return null;
    if (d.quickPair) {
      const q = d.quickPair(f);
      if (q !== undefined) return q;
    }
    // A copy: decoding reads other rows of the store, which may move the cursor `f` is.
    const copy: Frame = { id: f.id, conn: f.conn, dir: f.dir, opcode: op, ts: f.ts, size: f.size, text: f.text, bytes: f.bytes };
    return pairKeysOf(decoding.decode(copy, false), copy.dir);
  };
}
