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
  const { apply, messageData, bare } = B;
  let port: MessagePort | null = null;
  let offers = 0;
  // A retry may come after page scripts ran: the ports, `onmessage` and the transfer list are reached only through
  // built-ins taken at start (the page's MessageChannel getters, MessagePort setter or Array iterator would be handed
  // the port otherwise, and could pass one of the page's own to the isolated script in its place).
  const offer = () => {
    if (port || offers++ > MAX_OFFERS) return;
    const ch = new B.MessageChannel();
    const mine = apply(B.port1, ch, []) as MessagePort;
    const theirs = apply(B.port2, ch, []) as MessagePort;
    apply(B.setOnmessage, mine, [(ev: MessageEvent) => {
      const m = apply(messageData, ev, []);
      if (port || typeof m !== 'object' || m === null || bare(m as { k?: unknown }).k !== 'ack') return;
      port = mine;
      apply(B.setOnmessage, port, [onCommand]);
    }]);
    B.postMessage(bare({ type: HELLO_TYPE, v: HOOK_VERSION, doc }), '*', B.list([theirs]));
    B.setTimeout(offer, OFFER_EVERY_MS);
  };
  offer();
  return { post: (msg) => port && apply(B.portPostMessage, port, [msg]) };
}
