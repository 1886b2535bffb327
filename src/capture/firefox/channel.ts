// The page hook's private channel to Frameline's isolated content script. The hook makes a MessageChannel and offers
// one end with a window message; the isolated script (registered before any page script) takes it, stops the
// message there and acknowledges over the channel. Everything else travels over the channel, which the page never
// gets. Only when both scripts are injected late (a tab already open when Frameline was installed) may the first
// offer find no listener: the hook then offers a new channel every 50 ms until one is acknowledged.
import type { Builtins } from './builtins';
import { HELLO_TYPE, HOOK_VERSION } from './hook-protocol';

const OFFER_EVERY_MS = 50;
/** Offers after the first: 5 s of retries. */
const MAX_OFFERS = 100;

export interface Channel {
  /** Posts to the isolated script; dropped while no channel is acknowledged. */
  post(msg: unknown): void;
}

/** Starts offering at once; `onCommand` receives each message the isolated script sends once it acknowledged. */
export function offerChannel(B: Builtins, doc: string, onCommand: (ev: MessageEvent) => void): Channel {
  const { apply, messageData } = B;
  let port: MessagePort | null = null;
  let offers = 0;
  const offer = () => {
    if (port || offers++ > MAX_OFFERS) return;
    const ch = new B.MessageChannel();
    // Each port read once, now: the ack may come after page scripts ran, and MessageChannel's getters are the page's.
    const mine = ch.port1;
    const theirs = ch.port2;
    mine.onmessage = (ev: MessageEvent) => {
      const m = apply(messageData, ev, []) as { k?: unknown } | null;
      if (port || !m || m.k !== 'ack') return;
      port = mine;
      port.onmessage = onCommand;
    };
    B.postMessage({ type: HELLO_TYPE, v: HOOK_VERSION, doc }, '*', [theirs]);
    B.setTimeout(offer, OFFER_EVERY_MS);
  };
  offer();
  return { post: (msg) => port && apply(B.portPostMessage, port, [msg]) };
}
