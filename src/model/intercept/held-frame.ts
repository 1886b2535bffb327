// Which stored frame a held received frame is: the network carried it before the page held it, so the store has it
// (same connection URL, direction and payload), usually among the last frames. Pure.
import { bytesToBase64 } from '../bytes';
import type { SessionStore } from '../store';
import type { HeldFrame } from './types';

/** How far back from the newest frame the search goes. */
const SCAN_LIMIT = 5000;

/** The id of the frame the network carried for a held received frame; undefined for a sent one (the network has not
 *  carried it yet) or when it is not among the last frames. */
export function networkFrameOf(store: SessionStore, h: HeldFrame): number | undefined {
  if (h.dir !== 'received' || !h.original) return undefined;
  const want = h.original;
  const end = store.frameCount;
  for (let i = end - 1; i >= 0 && i >= end - SCAN_LIMIT; i--) {
    const f = store.frameAt(i);
    if (!f || f.dir !== 'received' || f.mark) continue;
    if (store.connections.get(f.conn)?.url !== h.url) continue;
    if ('text' in want ? f.text === want.text : f.bytes !== undefined && bytesToBase64(f.bytes) === want.b64) return f.id;
  }
  return undefined;
}
