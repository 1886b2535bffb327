// Which captured frames are Frameline's own replays. CDP reports a frame Frameline sent on the page's socket exactly
// like one the page sent, so the host says what it is about to send and the matching frame is marked when it comes.
// Pure.

const key = (opcode: number, data: string) => `${opcode}:${data}`;
const MAX_PENDING = 100;

export class ReplayMarks {
  private readonly onConn = new Map<number, string[]>();
  private readonly onUrl = new Map<string, string[]>();

  /** A replay is about to be sent on connection `connId`. */
  expectOn(connId: number, opcode: number, data: string): void {
    push(this.onConn, connId, key(opcode, data));
  }

  /** A replay is about to be sent on a fresh connection to `url` (its id is not known yet). */
  expectFresh(url: string, opcode: number, data: string): void {
    push(this.onUrl, url, key(opcode, data));
  }

  /** The replay was not sent after all. */
  cancelOn(connId: number, opcode: number, data: string): void {
    remove(this.onConn, connId, key(opcode, data));
  }

  cancelFresh(url: string, opcode: number, data: string): void {
    remove(this.onUrl, url, key(opcode, data));
  }

  /** A sent frame was captured: is it one of ours? (Each expectation marks one frame.) */
  take(connId: number, url: string, opcode: number, data: string): boolean {
    if (this.onConn.size === 0 && this.onUrl.size === 0) return false;
    const k = key(opcode, data);
    return remove(this.onConn, connId, k) || remove(this.onUrl, url, k);
  }
}

function push<K>(m: Map<K, string[]>, k: K, v: string) {
  const list = m.get(k) ?? [];
  list.push(v);
  if (list.length > MAX_PENDING) list.shift();
  m.set(k, list);
}

function remove<K>(m: Map<K, string[]>, k: K, v: string): boolean {
  const list = m.get(k);
  if (!list) return false;
  const i = list.indexOf(v);
  if (i < 0) return false;
  list.splice(i, 1);
  if (list.length === 0) m.delete(k);
  return true;
}
