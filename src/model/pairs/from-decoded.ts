// Which messages of a decoded frame open, answer, continue or end an exchange, per protocol: the slow path pairing
// takes when a decoder has no quickPair (or it cannot tell), read off what `decode` says (kind, id, names, value).
import type { Decoded, DecodedMessage } from '../decode/types';
import type { Direction } from '../types';
import { PAIR_ROLE, idKey, type PairKey, type PairRole } from './types';

const { request: REQUEST, answer: ANSWER, item: ITEM, follow: FOLLOW, cancel: CANCEL } = PAIR_ROLE;

/** What a request is grouped by: its first name, else the protocol's word for it. */
export function nameOf(m: DecodedMessage): string {
  const n = m.names;
  return n?.method ?? n?.event ?? n?.dest ?? n?.topic ?? m.kind;
}

type RoleOf = (m: DecodedMessage, dir: Direction) => PairRole | 0;

const get = (v: unknown, k: string): unknown => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined);

const jsonrpc: RoleOf = (m) => (m.kind === 'request' ? REQUEST : m.kind === 'result' || m.kind === 'error' ? ANSWER : 0);

const socketio: RoleOf = (m) => {
  if (m.kind === 'EVENT' || m.kind === 'BINARY_EVENT') return REQUEST;
  return m.kind === 'ACK' || m.kind === 'BINARY_ACK' ? ANSWER : 0;
};

const graphql: RoleOf = (m, dir) => {
  switch (m.kind) {
    case 'subscribe':
    case 'start':
      return REQUEST;
    case 'next':
    case 'data':
      return ITEM;
    case 'error':
      return ANSWER;
    case 'stop':
      return CANCEL;
    case 'complete':
      // The page is the client: its complete stops a subscription, the server's ends one.
      return dir === 'sent' ? CANCEL : ANSWER;
  }
  return 0;
};

const SIGNALR: Record<string, PairRole> = { Invocation: REQUEST, StreamInvocation: REQUEST, StreamItem: ITEM, Completion: ANSWER, CancelInvocation: CANCEL };
const signalr: RoleOf = (m) => SIGNALR[m.kind] ?? 0;

const MQTT: Record<string, PairRole> = {
  PUBLISH: REQUEST, PUBACK: ANSWER, PUBREC: ITEM, PUBREL: FOLLOW, PUBCOMP: ANSWER,
  SUBSCRIBE: REQUEST, SUBACK: ANSWER, UNSUBSCRIBE: REQUEST, UNSUBACK: ANSWER,
};
// A packet split across frames is one message where it ends; the pieces before it are not counted again.
const mqtt: RoleOf = (m) => (get(m.value, 'partial') === true ? 0 : (MQTT[m.kind] ?? 0));

// A client frame asking for a receipt opens; the server's RECEIPT (or ERROR) naming it answers.
const stomp: RoleOf = (m, dir) => (m.kind === 'RECEIPT' || m.kind === 'ERROR' ? ANSWER : dir === 'sent' ? REQUEST : 0);

const WAMP: Record<string, PairRole> = {
  CALL: REQUEST, SUBSCRIBE: REQUEST, UNSUBSCRIBE: REQUEST, REGISTER: REQUEST, UNREGISTER: REQUEST, INVOCATION: REQUEST,
  SUBSCRIBED: ANSWER, UNSUBSCRIBED: ANSWER, REGISTERED: ANSWER, UNREGISTERED: ANSWER, PUBLISHED: ANSWER, ERROR: ANSWER,
  CANCEL: FOLLOW, INTERRUPT: FOLLOW,
};
const wamp: RoleOf = (m) => {
  const v = m.value;
  switch (m.kind) {
    case 'PUBLISH':
      // Only a publication asked to be acknowledged gets an answer.
      return get(get(v, 'options'), 'acknowledge') === true ? REQUEST : 0;
    case 'RESULT':
      return get(get(v, 'details'), 'progress') === true ? ITEM : ANSWER;
    case 'YIELD':
      return get(get(v, 'options'), 'progress') === true ? ITEM : ANSWER;
  }
  return WAMP[m.kind] ?? 0;
};

const ROLES: Record<string, RoleOf> = { jsonrpc, socketio, graphql, signalr, mqtt, stomp, wamp };

/** Whether pairing knows the protocol of a decoder id. */
export const pairsProtocol = (proto: string): boolean => proto in ROLES;

/** Socket.IO ack ids count per namespace. */
function keyOf(proto: string, m: DecodedMessage, id: string | number): string {
  if (proto === 'socketio') {
    const nsp = get(m.value, 'nsp');
    return `${typeof nsp === 'string' ? nsp : '/'}#${idKey(id)}`;
  }
  return idKey(id);
}

/** The pair keys of a decoded frame, null when none of its messages takes part in an exchange. */
export function pairKeysOf(d: Decoded | null, dir: Direction): PairKey[] | null {
  if (!d) return null;
  const roleOf = ROLES[d.proto];
  if (!roleOf) return null;
  let out: PairKey[] | null = null;
  for (const m of d.messages) {
    if (m.id === undefined) continue;
    const role = roleOf(m, dir);
    if (role === 0) continue;
    const k: PairKey = { role, key: keyOf(d.proto, m, m.id) };
    if (role === REQUEST) k.name = nameOf(m);
    (out ??= []).push(k);
  }
  return out;
}
