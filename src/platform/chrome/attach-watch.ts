// Chrome: a debugger attachment belongs to the extension, not to the page that made it, so it outlives a DevTools
// window closed before its own detach took effect (and then the page keeps the "started debugging" bar and Frameline's
// hook). The page that attaches holds a port to the background, and tells it which workers it attached by id; the
// background detaches the tab and those workers once every such port of the tab is gone.
import { attachPortName, parseAttachPortName } from '../../protocol';
import { browser, type Runtime } from '../browser';
import { FIREFOX_BUILD } from '../build';

/** Messages reset the background's idle timer: a port alone does not keep it running. */
const PING_MS = 20_000;
const DETACH_GRACE_MS = 1000;

export interface AttachmentHold {
  /** The targets (shared workers) attached by id for this tab, all of them. */
  targets(ids: string[]): void;
  /** After the page's own detach. */
  release(): void;
}

/** What a holder posts: a ping, or the targets it holds besides the tab. */
type HoldMessage = 0 | { targets: string[] };

/** Page side, while attached to `tabId`. */
export function holdAttachment(tabId: number): AttachmentHold {
  let port: Runtime.Port | null = null;
  let released = false;
  let targets: string[] = [];
  const post = (m: HoldMessage) => {
    try {
      port?.postMessage(m);
    } catch {
      /* reconnecting */
    }
  };
  const open = () => {
    if (released) return;
    try {
      port = browser.runtime.connect({ name: attachPortName(tabId) });
    } catch {
      return;
    }
    // The background was stopped: connect again, which starts it.
    port.onDisconnect.addListener(() => {
      port = null;
      if (!released) setTimeout(open, 100);
    });
    if (targets.length) post({ targets });
  };
  open();
  const ping = setInterval(() => post(0), PING_MS);
  return {
    targets(ids) {
      targets = ids;
      post({ targets });
    },
    release() {
      released = true;
      clearInterval(ping);
      port?.disconnect();
      port = null;
    },
  };
}

/** Background side: detach a tab (and the workers attached for it) once no page holds its attachment any more. */
export function watchAttachments(): void {
  if (FIREFOX_BUILD) return; // (keeps chrome.debugger out of the Firefox bundle)
  const holders = new Map<number, Set<Runtime.Port>>();
  const targetsOf = new Map<Runtime.Port, string[]>();
  browser.runtime.onConnect.addListener((port) => {
    const tabId = parseAttachPortName(port.name);
    if (tabId === undefined || port.sender?.id !== browser.runtime.id) return;
    let set = holders.get(tabId);
    if (!set) holders.set(tabId, (set = new Set()));
    set.add(port);
    // Pings only keep the background running; a target list replaces the last.
    port.onMessage.addListener((m: unknown) => {
      const ids = (m as { targets?: unknown } | null)?.targets;
      if (Array.isArray(ids)) targetsOf.set(port, ids.filter((id): id is string => typeof id === 'string'));
    });
    port.onDisconnect.addListener(() => {
      set.delete(port);
      const targets = targetsOf.get(port) ?? [];
      targetsOf.delete(port);
      // A moment's grace: DevTools reopened at once attaches anew and holds the tab before it is detached. Its
      // workers' attachments are released anyway (unless a live holder claims them), so that the new page can take them.
      setTimeout(() => {
        const claimed = new Set([...holders.values()].flatMap((ports) => [...ports].flatMap((p) => targetsOf.get(p) ?? [])));
        for (const targetId of targets) if (!claimed.has(targetId)) chrome.debugger.detach({ targetId }).catch(() => {});
        if (holders.get(tabId)?.size) return;
        holders.delete(tabId);
        chrome.debugger.detach({ tabId }).catch(() => {});
      }, DETACH_GRACE_MS);
    });
  });
}
