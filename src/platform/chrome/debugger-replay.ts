// Chrome: replay a payload through the debugger: on the page's live socket of a captured connection, injected into
// the page as if received, or on a fresh socket to the same URL. Sent frames are announced to ReplayMarks first, so
// the frame CDP then reports is marked as Frameline's.
import type { CdpCapture } from '../../capture/chrome/cdp-dispatcher';
import type { ReplayMarks } from '../../capture/chrome/replay-marks';
import { base64ToBytes, bytesToBase64 } from '../../model/bytes';
import { offeredProtocols } from '../../model/headers';
import { OPCODE } from '../../model/types';
import type { ReplayRequest, ReplayResult } from '../../protocol';
import type { PageProbe, PageReplay } from './page-probe';
import { describeReplayError } from '../replay-errors';

export interface ReplayContext {
  capture: CdpCapture;
  probe: PageProbe;
  replays: ReplayMarks;
  /** Why capture is not running, or null while it is. */
  notCapturing(): string | null;
}

export async function replayThroughDebugger(ctx: ReplayContext, req: ReplayRequest): Promise<ReplayResult> {
  const fail = (error: string, closed = false): ReplayResult => ({ id: req.id, ok: false, error, ...(closed ? { closed } : {}) });
  const { capture, probe, replays } = ctx;
  const found = capture.connection(req.conn);
  if (!found && !(req.mode === 'fresh' && req.target)) {
    return fail('This connection is not part of the live capture (it was cleared or imported): only a fresh connection is possible.');
  }
  const why = ctx.notCapturing();
  if (why !== null) return fail(`${why} Capture is not running, so nothing was sent; reattach, then send again.`);
  if (!found) return freshTo(ctx, req);
  const { conn, session } = found;
  if (!conn.url) return fail('The URL of this socket is unknown, so Frameline cannot tell which socket of the page it is. Nothing was sent.');
  const opcode = req.b64 !== undefined ? OPCODE.binary : OPCODE.text;
  let data = req.text ?? '';
  if (req.b64 !== undefined) {
    try {
      data = bytesToBase64(base64ToBytes(req.b64)); // the same base64 CDP will report
    } catch {
      return fail('The binary payload is not valid base64. Nothing was sent.');
    }
  }
  const payload = req.b64 !== undefined ? { b64: data } : { text: data };
  const pageReq: PageReplay = {
    mode: req.mode,
    url: conn.url,
    created: conn.createdTs !== undefined ? capture.wallMsOf(conn.createdTs) : null,
    pre: conn.openedBeforeCapture,
    keys: capture.recentKeysOf(conn.id),
    protocols: offeredProtocols(conn.request?.headers),
    ...payload,
  };
  if (req.mode === 'send') replays.expectOn(conn.id, opcode, data);
  if (req.mode === 'fresh') replays.expectFresh(conn.url, opcode, data);
  let r = await probe.replay(session, pageReq);
  if (!r.ok && r.error === 'not-found' && req.mode !== 'fresh') {
    // Not sent. The socket may predate the hook in its context: adopt the page's live sockets, then try once more.
    await probe.scan(session);
    r = await probe.replay(session, pageReq);
  }
  if (r.ok) {
    if (req.mode === 'inject') capture.injected(conn.id, opcode, payload);
    return { id: req.id, ok: true };
  }
  console.warn('Frameline replay failed', r);
  if (req.mode === 'send') replays.cancelOn(conn.id, opcode, data);
  if (req.mode === 'fresh') replays.cancelFresh(conn.url, opcode, data);
  return fail(describeReplayError(r, req.mode), r.error === 'state' && r.readyState !== 0);
}

/** A fresh connection from the inspected page to a URL of an imported session. */
async function freshTo(ctx: ReplayContext, req: ReplayRequest): Promise<ReplayResult> {
  const { url, protocols } = req.target!;
  const opcode = req.b64 !== undefined ? OPCODE.binary : OPCODE.text;
  const data = req.b64 ?? req.text ?? '';
  ctx.replays.expectFresh(url, opcode, data);
  const r = await ctx.probe.replay(undefined, { mode: 'fresh', url, created: null, pre: false, keys: [], protocols, text: req.text, b64: req.b64 });
  if (r.ok) return { id: req.id, ok: true };
  ctx.replays.cancelFresh(url, opcode, data);
  return { id: req.id, ok: false, error: describeReplayError(r, 'fresh') };
}
