// Chrome: what the host learns from the page's own sockets, on retry ladders: URLs of sockets opened before capture
// (their handshake was never seen) and close codes (CDP's webSocketClosed carries none). Reads go through the page
// probe; what they find goes into the dispatcher, which writes the updated connections.
import type { CdpCapture, SessionKey } from '../../capture/chrome/cdp-dispatcher';
import { candidateUrls, matchCloses, urlByPayload, type CloseInfo, type LiveSocket } from '../../capture/chrome/resolve';
import type { PageProbe } from './page-probe';

const CLOSE_READ_DELAYS = [30, 150, 600, 2000];
/** Ambiguous URLs are tried again about once a second, this many times. */
const RESOLVE_ATTEMPTS = 30;

export class SocketWatch {
  private readonly scanTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly pendingCloses = new Map<string, CloseInfo[]>();
  private readonly closeReads = new Set<string>();
  private readonly resolving = new Set<string>();
  /** Sessions scanned while their pass ran: they pass again at once. */
  private readonly rescan = new Set<string>();
  /** The last scan's live sockets per session, while its loop runs. */
  private readonly lastLive = new Map<string, LiveSocket[]>();

  constructor(
    private readonly capture: CdpCapture,
    private readonly probe: PageProbe,
  ) {}

  /** A socket was made: where the page hook runs it was recorded at construction; elsewhere, look at the page's heap. */
  socketCreated(session: SessionKey): void {
    void this.probe.isHooked(session).then((hooked) => hooked || this.scheduleScan(session, 100));
  }

  /** Look at the page's live sockets soon: close listeners, and URLs for sockets opened before capture. */
  scheduleScan(session: SessionKey, delay: number): void {
    const key = session ?? '';
    if (this.scanTimers.has(key)) return;
    this.scanTimers.set(
      key,
      setTimeout(() => {
        this.scanTimers.delete(key);
        void this.probe.scan(session).then((live) => this.resolveUnannounced(session, live, 0));
      }, delay),
    );
  }

  /**
   * URLs of sockets opened before capture: from the live sockets not accounted for by announced connections, and
   * when several remain possible, from what each live socket received compared with the connection's frames.
   * One retry loop per session while some stay unresolved. A scan that found nothing is made again (it may have come
   * before the context's hook was in: a worker just attached); an ambiguous match waits for more frames with the
   * sockets it has, sparing the page a heap walk a second.
   */
  private async resolveUnannounced(session: SessionKey, live: LiveSocket[] | null, attempt: number) {
    const key = session ?? '';
    if (live) this.lastLive.set(key, live);
    if (attempt === 0) {
      // A pass is running: once done it passes again at once, with this scan (it may not have seen this connection).
      if (this.resolving.has(key)) return void this.rescan.add(key);
      this.resolving.add(key);
    }
    this.rescan.delete(key);
    const seen = this.lastLive.get(key) ?? [];
    const again = await this.resolvePass(session, seen);
    const soon = this.rescan.has(key);
    if ((again || soon) && attempt < RESOLVE_ATTEMPTS) {
      const next = () =>
        soon || seen.length
          ? void this.resolveUnannounced(session, null, attempt + 1)
          : void this.probe.scan(session).then((l) => this.resolveUnannounced(session, l, attempt + 1));
      setTimeout(next, soon ? 0 : 1000);
    } else {
      this.resolving.delete(key);
      this.rescan.delete(key);
      this.lastLive.delete(key);
    }
  }

  /** One resolution pass; true when some connection is still unresolved. */
  private async resolvePass(session: SessionKey, live: LiveSocket[]): Promise<boolean> {
    const conns = this.capture.connectionsOf(session);
    const unresolved = conns.filter((c) => c.openedBeforeCapture && !c.url && c.state === 'open');
    if (!unresolved.length) return false;
    if (!live.length) return true;
    const urls = candidateUrls(live, conns);
    for (const c of unresolved) this.capture.resolveUrl(c.id, urls);
    const pending = unresolved.filter((c) => !c.url);
    if (!pending.length) return false;
    const recent = await this.probe.recentMessages(session);
    for (const c of pending) {
      const url = urlByPayload(this.capture.recentKeysOf(c.id), recent);
      if (url) this.capture.resolveUrl(c.id, [url]);
    }
    return pending.some((c) => !c.url);
  }

  /** A socket closed: read close codes from the page, a few times, until every closed socket has its own. */
  readClosesSoon(session: SessionKey): void {
    const key = session ?? '';
    if (this.closeReads.has(key)) return;
    this.closeReads.add(key);
    let attempt = 0;
    const step = async () => {
      const closes = [...(this.pendingCloses.get(key) ?? []), ...(await this.probe.takeCloses(session))];
      const { matched, unmatched } = matchCloses(closes, this.capture.connectionsOf(session));
      for (const [c, info] of matched) this.capture.setCloseInfo(c.id, info.code, info.reason, info.wasClean);
      this.pendingCloses.set(key, unmatched.slice(-100));
      const waiting = this.capture
        .connectionsOf(session)
        .some((c) => (c.state === 'closed' || c.state === 'error') && c.closeCode === undefined && c.url);
      if (waiting && attempt < CLOSE_READ_DELAYS.length - 1) setTimeout(() => void step(), CLOSE_READ_DELAYS[++attempt]);
      else this.closeReads.delete(key);
    };
    setTimeout(() => void step(), CLOSE_READ_DELAYS[0]);
  }
}
