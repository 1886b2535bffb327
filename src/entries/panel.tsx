// Panel page bootstrap: wiring only. In Chrome's DevTools the capture host is the DevTools page (reached directly in
// the same renderer, or over a runtime port); in Firefox, or opened as a normal tab (`…/src/panel/index.html?tabId=N`),
// the panel hosts capture itself.
import { render } from 'preact';
import { SessionStore } from '../model/store';
import { FIREFOX_BUILD } from '../platform/build';
import { connectToHost } from '../platform/chrome/devtools-link';
import { createHost } from '../platform/capture-host';
import { localHost, type HostConnection } from '../platform/host-link';
import type { HostStatus, HostToPanel, ReplayResult } from '../protocol';
import type { HeldState, PanelHost } from '../panel/host';
import { PROTOCOL_VERSION } from '../protocol';
import { App } from '../panel/App';
import { atFrameStart, recordsWaiting, renderStats, setMachineIdle } from '../panel/schedule';
import { sampleCpuLoad } from '../platform/cpu-load';
import { followDevToolsTheme, followInspectedOrigin, inspectedTabId, whenExtensionGone } from '../platform/devtools';
import '../panel/styles.css';
import { pairsOf } from '../model/pairs/of-store';
import { Pairs, pairSource } from '../model/pairs';
import { decodingOf } from '../model/decode/decoding';

const store = new SessionStore();
// The live tail yields to the inspected page when the machine has no CPU to spare (Chrome: chrome.system.cpu).
const cpu = sampleCpuLoad();
setMachineIdle(cpu.idle);
addEventListener('pagehide', () => cpu.stop(), { once: true });
// Automation and benchmarks (README, automation contract): the panel's store, read-only by convention.
// `pairs` and `bench.newPairs` let the benchmarks time pairing in the panel itself.
(globalThis as { __frameline?: unknown }).__frameline = {
  store,
  renders: renderStats,
  pairs: () => pairsOf(store),
  bench: { newPairs: () => new Pairs(pairSource(decodingOf(store))) },
};
let status: HostStatus | null = null;
const statusListeners = new Set<() => void>();
let held: HeldState = { held: [], overflow: 0 };
const heldListeners = new Set<() => void>();

const pendingReplays = new Map<number, (r: ReplayResult) => void>();
let nextReplayId = 1;

const onMessage = (m: HostToPanel) => {
  if (m.type === 'batch') store.applyBatch(m.batch);
  else if (m.type === 'replay-result') {
    pendingReplays.get(m.result.id)?.(m.result);
    pendingReplays.delete(m.result.id);
  } else if (m.type === 'held') {
    held = { held: m.held, overflow: m.overflow };
    for (const fn of heldListeners) fn();
  } else {
    status = m.status;
    for (const fn of statusListeners) fn();
  }
};

const devToolsTab = inspectedTabId();
const inDevTools = devToolsTab !== undefined;
const tabParam = new URLSearchParams(location.search).get('tabId');
let conn: HostConnection;
let tabId: number;
if (devToolsTab !== undefined && !FIREFOX_BUILD) {
  tabId = devToolsTab;
  const c = connectToHost(tabId, onMessage, recordsWaiting);
  document.documentElement.dataset.hostLink = c.kind;
  conn = c;
} else if (devToolsTab !== undefined) {
  // Firefox: this panel hosts capture of its inspected tab itself (see src/entries/devtools.ts).
  tabId = devToolsTab;
  const host = createHost(tabId);
  conn = localHost(host, onMessage, recordsWaiting);
  void host.start();
  addEventListener('pagehide', () => host.dispose());
} else if (tabParam && /^\d+$/.test(tabParam)) {
  tabId = Number(tabParam);
  const host = createHost(tabId);
  conn = localHost(host, onMessage, recordsWaiting);
  void host.start();
  addEventListener('pagehide', () => host.dispose());
} else {
  tabId = -1;
  conn = { send() {} };
  status = { phase: 'detached', reason: 'No tab to inspect: open this page with ?tabId=<tab id>.', dropped: 0, malformed: 0, tabId };
}

// Frameline reloaded or updated under an open DevTools: this panel captures no more, and says what to do.
if (inDevTools) {
  whenExtensionGone(() => {
    status = {
      ...(status ?? { dropped: 0, malformed: 0, tabId }),
      phase: 'detached',
      reason: 'Frameline was reloaded or updated: this panel captures no more. Close DevTools and open it again to capture.',
      final: true,
    };
    for (const fn of statusListeners) fn();
  });
}

// A host in this renderer is pulled at the start of each render, so what it holds is rendered in that frame.
const pull = conn.pull?.bind(conn);
if (pull) atFrameStart(pull);

// Follow DevTools' theme (and its changes); as a tab, the system's.
const applyTheme = (dark: boolean) => (document.documentElement.dataset.theme = dark ? 'dark' : 'light');
if (inDevTools) followDevToolsTheme(applyTheme);
else {
  const mq = matchMedia('(prefers-color-scheme: dark)');
  applyTheme(mq.matches);
  mq.addEventListener('change', () => applyTheme(mq.matches));
}

const host: PanelHost = {
  attach: () => conn.send({ v: PROTOCOL_VERSION, type: 'attach' }),
  reload: () => conn.send({ v: PROTOCOL_VERSION, type: 'reload' }),
  setRules: (rules) => conn.send({ v: PROTOCOL_VERSION, type: 'rules', rules }),
  release: (key, decision) => conn.send({ v: PROTOCOL_VERSION, type: 'release', key, decision }),
  releaseAll: () => conn.send({ v: PROTOCOL_VERSION, type: 'release-all' }),
  held: () => held,
  onHeld(fn) {
    heldListeners.add(fn);
    return () => heldListeners.delete(fn);
  },
  replay(req) {
    const id = nextReplayId++;
    return new Promise<ReplayResult>((resolve) => {
      pendingReplays.set(id, resolve);
      conn.send({ v: PROTOCOL_VERSION, type: 'replay', req: { ...req, id } });
      // A host that went away never answers: say so rather than wait forever.
      setTimeout(() => {
        if (!pendingReplays.delete(id)) return;
        resolve({ id, ok: false, error: 'No answer from the capture host (DevTools closed or reloading?). It may not have been sent.' });
      }, 30_000);
    });
  },
};

render(
  <App
    store={store}
    getStatus={() => status}
    onStatus={(fn) => {
      statusListeners.add(fn);
      return () => statusListeners.delete(fn);
    }}
    host={host}
    inDevTools={inDevTools}
    followOrigin={tabId >= 0 ? (fn) => followInspectedOrigin(tabId, fn) : undefined}
  />,
  document.getElementById('app')!,
);
