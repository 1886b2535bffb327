// The decoders Frameline knows, in the order content detection asks them (the negotiated subprotocol decides first).
import type { Decoder } from './types';

export const DECODERS: readonly Decoder[] = [];

export function decoderById(id: string): Decoder | undefined {
  return DECODERS.find((d) => d.id === id);
}

export type { Decoded, DecodedMessage, DecodeContext, DecodeInput, Decoder, NameField } from './types';
