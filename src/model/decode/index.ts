// The decoders Frameline knows, in the order content detection asks them (the negotiated subprotocol decides first).
// Framings whose first bytes say who they are come first; plain JSON shapes after them.
import type { Decoder } from './types';
import { signalrDecoder } from './signalr';
import { graphqlWsDecoder } from './graphqlws';
import { actioncableDecoder } from './actioncable';
import { jsonrpcDecoder } from './jsonrpc';
import { wampDecoder } from './wamp';
import { socketioDecoder } from './socketio';
import { sockjsDecoder } from './sockjs';
import { stompDecoder } from './stomp';
import { mqttDecoder } from './mqtt';
import { msgpackDecoder } from './msgpack';
import { cborDecoder } from './cbor';
import { protobufDecoder } from './protobuf';

// Schema-less protobuf never claims a frame by content (too ambiguous): the user picks it.
export const DECODERS: readonly Decoder[] = [
  socketioDecoder, sockjsDecoder, stompDecoder, signalrDecoder, graphqlWsDecoder, actioncableDecoder, jsonrpcDecoder, wampDecoder,
  mqttDecoder, msgpackDecoder, cborDecoder, protobufDecoder,
];

export function decoderById(id: string): Decoder | undefined {
  return DECODERS.find((d) => d.id === id);
}

export type { Decoded, DecodedMessage, DecodeContext, DecodeInput, Decoder, NameField } from './types';
