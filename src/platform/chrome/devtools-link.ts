// Chrome: between the panel and the capture host in the DevTools page of the same tab. Both pages are frames of the
// same DevTools window and of the same extension, so Chrome runs them in one renderer: the panel finds the DevTools
// page's window among its parent's frames and the two exchange the protocol's messages directly, with no
// serialization, no trip through the browser process (which, during a stream, is busy with the debugger's own events)
// and no copy of the payloads. A runtime port is the fallback, for a browser that puts the two pages in different
// processes: the only hop where a batch is serialized.
import { PROTOCOL_VERSION, isHostToPanel, isPanelToHost, panelPortName, parsePanelPortName } from '../../protocol';
import type { HostToPanel, PanelToHost } from '../../protocol';
import type { Host, HostConnection, OnPending, PanelLink } from '../host-link';
import { browser, type Runtime } from '../browser';
import { batchFrameCount, splitBatch } from '../../model/batch';
import { batchMessage } from '../../protocol';

/** Payload characters per Port message: within its 64 MiB even if every character took a few bytes serialized. */
const PORT_PART_CHARS = 8 * 1024 * 1024;

/** What the DevTools page exposes on its window for the panel's direct link. */
export interface DirectLink {
  readonly v: typeof PROTOCOL_VERSION;
  readonly tabId: number;
  connect(onMessage: (m: HostToPanel) => void, onPending?: () => void): { send(msg: PanelToHost): void; pull(): void; close(): void };
}
const DIRECT_LINK = '__framelineLink';

/**
 * Messages cross between the two pages' JavaScript realms: whatever the receiving side keeps is copied into its own
 * realm (prototypes, Array.isArray and instanceof then behave as for its own objects). A batch's frame columns are
 * only read, once, by the store as it appends them: they stay shared, and only the few other records are copied.
 */
function ownRealm<T extends HostToPanel>(m: T): T {
  if (m.type !== 'batch') return structuredClone(m);
  const b = m.batch;
  return { ...m, batch: { frames: b.frames, others: b.others.length ? structuredClone(b.others) : [], at: b.at } };
}

/** DevTools page side: accept the panel of this tab (and only that one), directly or over a runtime port. */
export function servePanelPorts(host: Host): void {
  const link: DirectLink = {
    v: PROTOCOL_VERSION,
    tabId: host.tabId,
    connect(onMessage, onPending) {
      let open = true;
      const panelLink: PanelLink = {
        post(msg) {
          if (!open) return;
          try {
            onMessage(msg);
          } catch (e) {
            // The panel's handler failed: that is the panel's problem, never capture's (the port would not throw).
            console.error('Frameline panel:', e);
          }
        },
        ...(onPending ? { pending: () => open && onPending() } : {}),
      };
      host.connectPanel(panelLink);
      return {
        send(msg) {
          const own = structuredClone(msg);
          if (open && isPanelToHost(own)) host.handle(own);
        },
        pull() {
          if (open) host.pull();
        },
        close() {
          open = false;
          host.disconnectPanel(panelLink);
        },
      };
    },
  };
  (globalThis as Record<string, unknown>)[DIRECT_LINK] = link;

  browser.runtime.onConnect.addListener((port) => {
    if (parsePanelPortName(port.name) !== host.tabId) return;
    if (port.sender?.id !== browser.runtime.id) return port.disconnect();
    const link: PanelLink = {
      post(msg) {
        // A Port message has a size limit (64 MiB): a large batch goes in parts; a part that still cannot go (one
        // huge frame) is counted as lost, and the link goes on. Any other failure is a port gone: what it held is
        // counted as lost, and the host holds what comes next until the panel connects again.
        const parts = msg.type === 'batch' ? splitBatch(msg.batch, PORT_PART_CHARS).map(batchMessage) : [msg];
        for (let i = 0; i < parts.length; i++) {
          const part = parts[i];
          try {
            port.postMessage(part);
          } catch {
            if (part.type !== 'batch') return host.disconnectPanel(link);
            const f = part.batch.frames;
            if (f.id.length === 1 && f.p[0].length > PORT_PART_CHARS) {
              host.countLost(1);
              continue;
            }
            for (const rest of parts.slice(i)) if (rest.type === 'batch') host.countLost(batchFrameCount(rest.batch));
            return host.disconnectPanel(link);
          }
        }
      },
    };
    port.onMessage.addListener((msg: unknown) => {
      if (isPanelToHost(msg)) host.handle(msg);
    });
    port.onDisconnect.addListener(() => host.disconnectPanel(link));
    host.connectPanel(link);
  });
}

/** The DevTools page's direct link for `tabId`, when it is a frame of this panel's parent in this renderer. */
function findDirectLink(tabId: number): DirectLink | undefined {
  if (typeof window === 'undefined' || window.parent === window) return undefined;
  const frames = window.parent.frames;
  for (let i = 0; i < frames.length; i++) {
    try {
      // A frame of another origin or in another process throws here (or shows no link): skip it.
      const l = (frames[i] as unknown as Record<string, unknown>)[DIRECT_LINK] as DirectLink | undefined;
      if (l && l.v === PROTOCOL_VERSION && l.tabId === tabId && typeof l.connect === 'function') return l;
    } catch {
      /* not ours */
    }
  }
  return undefined;
}

/** Which way the panel reached its host (automation and diagnostics: `data-host-link` on the panel's root). */
export type HostLinkKind = 'direct' | 'port';

/**
 * Panel side: connect to the host of `tabId`, directly when the DevTools page is reachable in this renderer, else
 * over a runtime port (reconnecting if the port drops while the panel lives).
 */
export function connectToHost(tabId: number, onMessage: (m: HostToPanel) => void, onPending?: OnPending): HostConnection & { kind: HostLinkKind } {
  const direct = findDirectLink(tabId);
  if (direct) {
    const c = direct.connect((m) => {
      if (isHostToPanel(m)) onMessage(ownRealm(m));
    }, onPending);
    addEventListener('pagehide', () => c.close());
    c.send({ v: PROTOCOL_VERSION, type: 'hello' });
    return { kind: 'direct', send: (msg) => c.send(msg), pull: () => c.pull() };
  }
  let port: Runtime.Port | null = null;
  const open = () => {
    port = browser.runtime.connect({ name: panelPortName(tabId) });
    port.onMessage.addListener((m: unknown) => {
      if (isHostToPanel(m)) onMessage(m);
    });
    port.onDisconnect.addListener(() => {
      port = null;
      setTimeout(open, 500);
    });
    port.postMessage({ v: PROTOCOL_VERSION, type: 'hello' } satisfies PanelToHost);
  };
  open();
  return {
    kind: 'port',
    send(msg) {
      port?.postMessage(msg);
    },
  };
}
