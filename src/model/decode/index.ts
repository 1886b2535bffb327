// The decoders Frameline knows, in the order content detection asks them (the negotiated subprotocol decides first).
// Framings whose first bytes say who they are come first; plain JSON shapes after them.
import type { Decoder } from './types';
import { signalrDecoder } from './signalr';
import { graphqlWsDecoder } from './graphqlws';
import { actioncableDecoder } from './actioncable';
import { jsonrpcDecoder } from './jsonrpc';
import { wampDecoder } from './wamp';

export const DECODERS: readonly Decoder[] = [signalrDecoder, graphqlWsDecoder, actioncableDecoder, jsonrpcDecoder, wampDecoder];

export function decoderById(id: string): Decoder | undefined {
  return DECODERS.find((d) => d.id === id);
}

export type { Decoded, DecodedMessage, DecodeContext, DecodeInput, Decoder, NameField } from './types';
