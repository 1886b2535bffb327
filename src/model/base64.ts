// Bytes ⇄ base64, one source for the model (src/model/bytes.ts) and the Firefox page hook. Pure: every built-in it
// calls comes in as a parameter, so the hook can pass the ones it took at document start (by the time a frame is
// encoded, the page may have replaced the globals).

/** The built-ins the conversion calls: the realm's own, or ones taken before any page script ran. */
export interface Base64Builtins {
  readonly apply: typeof Reflect.apply;
  readonly fromCharCode: typeof String.fromCharCode;
  readonly btoa: (bin: string) => string;
  readonly atob: (b64: string) => string;
  readonly Uint8Array: Uint8ArrayConstructor;
}

/** Bytes per `fromCharCode` call: one call per byte is slow, all at once overflows the engine's argument limit. */
const CHUNK = 0x8000;

export function encodeBase64(bytes: Uint8Array, b: Base64Builtins): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += CHUNK) bin += b.apply(b.fromCharCode, null, bytes.subarray(i, i + CHUNK));
  return b.btoa(bin);
}

/** Throws as `atob` does on input that is not base64. */
export function decodeBase64(b64: string, b: Base64Builtins): Uint8Array {
  const bin = b.atob(b64);
  const out = new b.Uint8Array(bin.length);
  copyBinary(bin, out, 0);
  return out;
}

/** Decodes into `out` at `at` (the store fills its byte blocks so); returns the number of bytes written. */
export function decodeBase64Into(b64: string, out: Uint8Array, at: number, b: Base64Builtins): number {
  const bin = b.atob(b64);
  copyBinary(bin, out, at);
  return bin.length;
}

/** `atob`'s result holds one byte per character. */
function copyBinary(bin: string, out: Uint8Array, at: number): void {
  for (let i = 0; i < bin.length; i++) out[at + i] = bin.charCodeAt(i);
}
