// Panel bootstrap. In DevTools the capture host is the DevTools page (reached over a runtime port); opened as a
// normal tab (`…/src/panel/index.html?tabId=N`) the panel hosts capture of tab N itself.
import { render } from 'preact';
import { SessionStore } from '../model/store';
import { CaptureHost } from '../platform/capture-host';
import { connectToHost, localHost, type HostConnection } from '../platform/panel-link';
import type { HostStatus, HostToPanel } from '../protocol';
import { PROTOCOL_VERSION } from '../protocol';
import { App } from './App';
import './styles.css';

const store = new SessionStore();
let status: HostStatus | null = null;
const statusListeners = new Set<() => void>();

const onMessage = (m: HostToPanel) => {
  if (m.type === 'batch') store.apply(m.records);
  else {
    status = m.status;
    for (const fn of statusListeners) fn();
  }
};

const inDevTools = typeof chrome !== 'undefined' && !!chrome.devtools?.inspectedWindow;
const tabParam = new URLSearchParams(location.search).get('tabId');
let conn: HostConnection;
let tabId: number;
if (inDevTools) {
  tabId = chrome.devtools.inspectedWindow.tabId;
  conn = connectToHost(tabId, onMessage);
} else if (tabParam && /^\d+$/.test(tabParam)) {
  tabId = Number(tabParam);
  const host = new CaptureHost(tabId);
  conn = localHost(host, onMessage);
  void host.start();
  addEventListener('pagehide', () => host.dispose());
} else {
  tabId = -1;
  conn = { send() {} };
  status = { phase: 'detached', reason: 'No tab to inspect: open this page with ?tabId=<tab id>.', dropped: 0, malformed: 0, tabId };
}

// Follow DevTools' theme (and its changes); as a tab, the system's.
const applyTheme = (dark: boolean) => (document.documentElement.dataset.theme = dark ? 'dark' : 'light');
if (inDevTools) {
  applyTheme(chrome.devtools.panels.themeName === 'dark');
  chrome.devtools.panels.setThemeChangeHandler?.((theme) => applyTheme(theme === 'dark'));
} else {
  const mq = matchMedia('(prefers-color-scheme: dark)');
  applyTheme(mq.matches);
  mq.addEventListener('change', () => applyTheme(mq.matches));
}

render(
  <App
    store={store}
    getStatus={() => status}
    onStatus={(fn) => {
      statusListeners.add(fn);
      return () => statusListeners.delete(fn);
    }}
    send={(type) => conn.send({ v: PROTOCOL_VERSION, type })}
    inDevTools={inDevTools}
  />,
  document.getElementById('app')!,
);
