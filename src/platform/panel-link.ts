// Runtime ports between the panel and the capture host in the DevTools page of the same tab.
import { PROTOCOL_VERSION, isHostToPanel, isPanelToHost, panelPortName, parsePanelPortName } from '../protocol';
import type { HostToPanel, PanelToHost } from '../protocol';
import type { PanelLink } from './capture-host';
import type { Host } from './host';

/** DevTools page side: accept the panel of this tab (and only that one). */
export function servePanelPorts(host: Host): void {
  chrome.runtime.onConnect.addListener((port) => {
    if (parsePanelPortName(port.name) !== host.tabId) return;
    if (port.sender?.id !== chrome.runtime.id) return port.disconnect();
    const link: PanelLink = {
      post(msg) {
        try {
          port.postMessage(msg);
        } catch {
          host.disconnectPanel(link);
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

export interface HostConnection {
  send(msg: PanelToHost): void;
}

/** Panel side: connect to the host of `tabId`, reconnecting if the port drops while the panel lives. */
export function connectToHost(tabId: number, onMessage: (m: HostToPanel) => void): HostConnection {
  let port: chrome.runtime.Port | null = null;
  const open = () => {
    port = chrome.runtime.connect({ name: panelPortName(tabId) });
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
    send(msg) {
      port?.postMessage(msg);
    },
  };
}

/** Panel running as a normal tab: the host lives in the same page, no port needed. */
export function localHost(host: Host, onMessage: (m: HostToPanel) => void): HostConnection {
  host.connectPanel({ post: (m) => queueMicrotask(() => onMessage(m)) });
  return { send: (msg) => host.handle(msg) };
}
