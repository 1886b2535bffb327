// Reads what CDP's Network domain does not report, from the page's own WebSocket objects, over Runtime:
//  - the URL of sockets opened before capture (their handshake was never seen), and
//  - close code, reason and wasClean (CDP's webSocketClosed carries none of them).
// How: Runtime.queryObjects(WebSocket.prototype) lists the live sockets of a session; a close listener is added to
// each one, writing into a registry object that only Frameline holds a handle to (it is not reachable from the
// page's globals, so the page can neither read nor forge it). Works in the root session and in child sessions
// (out-of-process iframes, workers). Limits: same-process iframes have their own WebSocket.prototype that is not
// scanned; a socket that closes before the scan after its creation has no close code.

export type Send = (session: string | undefined, method: string, params?: object) => Promise<any>;

import type { CloseInfo, LiveSocket } from '../capture/resolve';

const REGISTRY_GROUP = 'frameline-registry';
const SCAN_GROUP = 'frameline-scan';

const SCAN_FN = `function (reg) {
  const out = [];
  for (let i = 0; i < this.length; i++) {
    const ws = this[i];
    out.push({ url: String(ws.url), readyState: Number(ws.readyState) });
    if (reg.seen.has(ws)) continue;
    reg.seen.add(ws);
    ws.addEventListener('close', (e) => {
      reg.closes.push({ url: String(ws.url), code: Number(e.code), reason: String(e.reason), wasClean: !!e.wasClean });
      if (reg.closes.length > 1000) reg.closes.shift();
    });
  }
  return out;
}`;

const TAKE_FN = `function () { return this.closes.splice(0, this.closes.length); }`;

export class PageProbe {
  private registries = new Map<string, Promise<string | undefined>>();

  constructor(private readonly send: Send) {}

  /** Install close listeners on every live socket of the session and list them. */
  async scan(session: string | undefined): Promise<LiveSocket[]> {
    const reg = await this.registry(session);
    if (!reg) return [];
    try {
      const proto = await this.send(session, 'Runtime.evaluate', {
        expression: 'WebSocket.prototype',
        objectGroup: SCAN_GROUP,
        silent: true,
      });
      const protoId = proto?.result?.objectId;
      if (!protoId) return [];
      const q = await this.send(session, 'Runtime.queryObjects', {
        prototypeObjectId: protoId,
        objectGroup: SCAN_GROUP,
      });
      const arrayId = q?.objects?.objectId;
      if (!arrayId) return [];
      const r = await this.send(session, 'Runtime.callFunctionOn', {
        objectId: arrayId,
        functionDeclaration: SCAN_FN,
        arguments: [{ objectId: reg }],
        returnByValue: true,
        silent: true,
      });
      if (r?.exceptionDetails) {
        // The registry belonged to a context that is gone (navigation): make a new one next time.
        this.registries.delete(session ?? '');
        return [];
      }
      const list = r?.result?.value;
      return Array.isArray(list) ? list.filter((s) => typeof s?.url === 'string') : [];
    } catch {
      this.registries.delete(session ?? '');
      return [];
    } finally {
      this.send(session, 'Runtime.releaseObjectGroup', { objectGroup: SCAN_GROUP }).catch(() => {});
    }
  }

  /** Close events seen since the last call. */
  async takeCloses(session: string | undefined): Promise<CloseInfo[]> {
    const reg = await this.registry(session);
    if (!reg) return [];
    try {
      const r = await this.send(session, 'Runtime.callFunctionOn', {
        objectId: reg,
        functionDeclaration: TAKE_FN,
        returnByValue: true,
        silent: true,
      });
      const list = r?.result?.value;
      if (!Array.isArray(list)) {
        this.registries.delete(session ?? '');
        return [];
      }
      return list.filter((c) => typeof c?.url === 'string' && typeof c?.code === 'number');
    } catch {
      this.registries.delete(session ?? '');
      return [];
    }
  }

  /** Forget per-session state (session gone, or page navigated). */
  reset(session?: string) {
    if (session === undefined) this.registries.clear();
    else this.registries.delete(session);
  }

  private registry(session: string | undefined): Promise<string | undefined> {
    const key = session ?? '';
    let p = this.registries.get(key);
    if (!p) {
      p = this.send(session, 'Runtime.evaluate', {
        expression: '({ closes: [], seen: new WeakSet() })',
        objectGroup: REGISTRY_GROUP,
        silent: true,
      })
        .then((r) => r?.result?.objectId as string | undefined)
        .catch(() => undefined);
      this.registries.set(key, p);
      p.then((id) => {
        if (!id) this.registries.delete(key);
      });
    }
    return p;
  }
}
