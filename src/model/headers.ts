// HTTP header helpers shared by both capture paths and the composer. Pure.
import type { Header } from './types';

/** The first value of a header, by case-insensitive name. */
export function headerValue(headers: readonly Header[] | undefined, name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers?.find((h) => h.name.toLowerCase() === lower)?.value;
}

/** The subprotocols a handshake request offered (`Sec-WebSocket-Protocol`, comma-separated), in order. */
export function offeredProtocols(headers: readonly Header[] | undefined): string[] {
  return splitProtocols(headerValue(headers, 'Sec-WebSocket-Protocol') ?? '');
}

export function splitProtocols(value: string): string[] {
  return value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}
