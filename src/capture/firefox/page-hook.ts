// The Firefox page hook: runs in the page's main world at document_start, in every frame (a `world: "MAIN"` content
// script built as a standalone IIFE), and reports every WebSocket of the document to Frameline's isolated content
// script (src/platform/firefox/content-relay.ts). The page is hostile: it may patch built-ins, dispatch synthetic
// events and post forged messages. So the hook takes every built-in it uses before any page script runs
// (builtins.ts), talks over a MessageChannel the page never gets (channel.ts), and reports nothing until the isolated
// script arms it (a Frameline panel is open for this tab); till then it keeps a registry of live sockets and a
// bounded buffer of the document's first events (event-queue.ts).
//   sockets.ts: the WebSocket and send Proxies    frames.ts: a message → a frame event    replay.ts: send, inject, fresh
import { takeBuiltins, type Builtins } from './builtins';
import { offerChannel } from './channel';
import { createEventQueue } from './event-queue';
import { frameReporter } from './frames';
import type { HookCommand } from './hook-protocol';
import { replayer } from './replay';
import { hookSockets } from './sockets';

/** How long a new document keeps its events while no word comes from the router. */
const UNARMED_MS = 10_000;

export function installHook(g: typeof globalThis & Window): void {
  const B = takeBuiltins(g);
  if (!B) return;
  const doc = documentId(B, g);
  // The channel is offered last, when its commands have somewhere to go; nothing is posted before it is acknowledged.
  let post: (msg: unknown) => void = () => {};
  const queue = createEventQueue(B, doc, () => B.String(g.location.href), (msg) => post(msg));
  const sockets = hookSockets(B, g, queue, frameReporter(B, queue));
  if (!sockets) return;
  const replay = replayer(B, g, sockets);

  const onCommand = (ev: MessageEvent) => {
    const m = B.apply(B.messageData, ev, []) as HookCommand;
    if (!m || typeof m !== 'object') return;
    if (m.k === 'arm') {
      const was = queue.arm(m.on === true);
      // Armed again after a pause: announce the live sockets (their frames meanwhile were not kept).
      if (m.on === true && was === false) sockets.announceLive();
      // Say hello (an empty batch if nothing waits), so the host learns of this document and its URL.
      if (m.on === true && was !== true) queue.flushNow(true);
    } else if (m.k === 'replay' && m.doc === doc && m.req && typeof m.req.id === 'number') {
      replay(m.req, (result) => post({ k: 'replay-result', result }));
    }
  };
  post = offerChannel(B, doc, onCommand).post;
  // No word from the router (the extension is being updated, or its relay never ran): stop keeping events.
  B.setTimeout(() => queue.giveUp(), UNARMED_MS);
}

/** Random per document: names it to the host, and a replay must name it back. */
function documentId(B: Builtins, g: typeof globalThis & Window): string {
  const bytes = new B.Uint8Array(12);
  g.crypto.getRandomValues(bytes);
  let doc = '';
  for (let i = 0; i < bytes.length; i++) doc += (bytes[i] % 36).toString(36);
  return doc;
}
