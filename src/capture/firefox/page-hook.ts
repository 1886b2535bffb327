// The Firefox page hook: runs in the page's main world at document_start, in every frame (a `world: "MAIN"` content
// script built as a standalone IIFE), and reports every WebSocket of the document to Frameline's isolated content
// script (src/platform/firefox/content-relay.ts). The page is hostile: it may patch built-ins, dispatch synthetic
// events and post forged messages. So the hook takes every built-in it uses before any page script runs
// (builtins.ts), listens only to trusted events (sockets.ts), talks over a MessageChannel the page never gets
// (channel.ts), and reports nothing until the isolated script arms it (a Frameline panel is open for this tab); till
// then it keeps a registry of live sockets and a bounded buffer of the document's first events (event-queue.ts).
// Injected into a document that was already running (Frameline installed or updated), it cannot vouch for what it
// took: every batch says so (`late`) and replay is refused there.
//   sockets.ts: the WebSocket and send Proxies    frames.ts: a message → a frame event    replay.ts: send, inject, fresh
import { takeBuiltins, type Builtins } from './builtins';
import { offerChannel } from './channel';
import { createEventQueue } from './event-queue';
import { frameReporter } from './frames';
import { lateDocument } from './hook-protocol';
import { replayer } from './replay';
import { hookSockets } from './sockets';

/** How long a new document keeps its events while no word comes from the router. */
const UNARMED_MS = 10_000;

export function installHook(g: typeof globalThis & Window): void {
  const late = injectedLate(g);
  const B = takeBuiltins(g);
  if (!B) return;
  const doc = documentId(B, g);
  // The channel is offered last, when its commands have somewhere to go; nothing is posted before it is acknowledged.
  let post: (msg: unknown) => void = () => {};
  // `location` and its `href` are unforgeable (own properties no script can redefine): read as they are.
  const queue = createEventQueue(B, doc, late, () => B.String(g.location.href), (msg) => post(msg));
  const reportFrame = frameReporter(B, queue);
  const sockets = hookSockets(B, g, queue, reportFrame);
  if (!sockets) return;
  const replay = replayer(B, g, sockets, reportFrame, late);

  const onCommand = (ev: MessageEvent) => {
    const x: unknown = B.apply(B.messageData, ev, []);
    if (typeof x !== 'object' || x === null) return;
    // A clone only the hook holds: without its prototype, a field it lacks is never read from the page's.
    const m = B.bare<{ k?: unknown; on?: unknown; doc?: unknown; req?: unknown }>(x);
    if (m.k === 'arm') {
      const was = queue.arm(m.on === true);
      // Armed again after a pause: announce the live sockets (their frames meanwhile were not kept).
      if (m.on === true && was === false) sockets.announceLive();
      // Say hello (an empty batch if nothing waits), so the host learns of this document and its URL.
      if (m.on === true && was !== true) queue.flushNow(true);
    } else if (m.k === 'replay' && m.doc === doc) {
      replay(m.req, (result) => post(B.bare({ k: 'replay-result', result })));
    }
  };
  post = offerChannel(B, doc, onCommand).post;
  // No word from the router (the extension is being updated, or its relay never ran): stop keeping events.
  B.setTimeout(() => queue.giveUp(), UNARMED_MS);
}

/** Whether the page's own scripts ran before this hook (see lateDocument), read at once, as the document is now. */
function injectedLate(g: typeof globalThis & Window): boolean {
  try {
    const d = g.document;
    return lateDocument(String(d.readyState), d.scripts.length, String(g.location.href));
  } catch {
    return false; // no document to tell by (a test's world, or a document being torn down)
  }
}

/** Random per document: names it to the host, and a replay must name it back. */
function documentId(B: Builtins, g: typeof globalThis & Window): string {
  const bytes = new B.Uint8Array(12);
  g.crypto.getRandomValues(bytes);
  let doc = '';
  for (let i = 0; i < bytes.length; i++) doc += (bytes[i] % 36).toString(36);
  return doc;
}
