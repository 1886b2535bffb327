// Chrome: a debugger attachment belongs to the extension, not to the page that made it, so it outlives a DevTools
// window closed before its own detach took effect (and then the page keeps the "started debugging" bar and Frameline's
// hook). The page that attaches holds a port to the background; the background detaches the tab once every such port
// of the tab is gone.
import { attachPortName, parseAttachPortName } from '../../protocol';
import { browser, type Runtime } from '../browser';
import { FIREFOX_BUILD } from '../build';

/** Messages reset the background's idle timer: a port alone does not keep it running. */
const PING_MS = 20_000;
const DETACH_GRACE_MS = 1000;

/** Page side, while attached to `tabId`; returns the release (after the page's own detach). */
export function holdAttachment(tabId: number): () => void {
  let port: Runtime.Port | null = null;
  let released = false;
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
  };
  open();
  const ping = setInterval(() => {
    try {
      port?.postMessage(0);
    } catch {
      /* reconnecting */
    }
  }, PING_MS);
  return () => {
    released = true;
    clearInterval(ping);
    port?.disconnect();
    port = null;
  };
}

/** Background side: detach a tab once no page holds its attachment any more. */
export function watchAttachments(): void {
  if (FIREFOX_BUILD) return; // (keeps chrome.debugger out of the Firefox bundle)
  const holders = new Map<number, Set<Runtime.Port>>();
  browser.runtime.onConnect.addListener((port) => {
    const tabId = parseAttachPortName(port.name);
    if (tabId === undefined || port.sender?.id !== browser.runtime.id) return;
    let set = holders.get(tabId);
    if (!set) holders.set(tabId, (set = new Set()));
    set.add(port);
    port.onMessage.addListener(() => {}); // pings: they only keep the background running
    port.onDisconnect.addListener(() => {
      set.delete(port);
      // A moment's grace: DevTools reopened at once attaches anew and holds the tab before it is detached.
      setTimeout(() => {
        if (holders.get(tabId)?.size) return;
        holders.delete(tabId);
        chrome.debugger.detach({ tabId }).catch(() => {});
      }, DETACH_GRACE_MS);
    });
  });
}
