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
  /** The page hook's, through built-ins taken at document start: a page may patch a typed array's `length` and
   *  `subarray` (and the species `subarray` consults), or `String.prototype.charCodeAt`. The model leaves them out. */
  readonly lengthOf?: (bytes: Uint8Array) => number;
  /** Bytes [start, end) as an array-like `apply` may take as arguments. */
  readonly chunk?: (bytes: Uint8Array, start: number, end: number) => ArrayLike<number>;
  readonly charCodeAt?: (s: string, i: number) => number;
}

/** Bytes per `fromCharCode` call: one call per byte is slow, all at once overflows the engine's argument limit. */
const CHUNK = 0x8000;

export function encodeBase64(bytes: Uint8Array, b: Base64Builtins): string {
  let bin = '';
  const { chunk, lengthOf } = b;
  if (chunk && lengthOf) {
    const n = lengthOf(bytes);
    for (let i = 0; i < n; i += CHUNK) bin += b.apply(b.fromCharCode, null, chunk(bytes, i, i + CHUNK < n ? i + CHUNK : n));
  } else {
    for (let i = 0; i < bytes.length; i += CHUNK) bin += b.apply(b.fromCharCode, null, bytes.subarray(i, i + CHUNK));
  }
  return b.btoa(bin);
}

/** Throws as `atob` does on input that is not base64. */
export function decodeBase64(b64: string, b: Base64Builtins): Uint8Array {
  const bin = b.atob(b64);
  const out = new b.Uint8Array(bin.length);
  copyBinary(bin, out, 0, b);
  return out;
}

/** Decodes into `out` at `at` (the store fills its byte blocks so); returns the number of bytes written. */
export function decodeBase64Into(b64: string, out: Uint8Array, at: number, b: Base64Builtins): number {
  const bin = b.atob(b64);
  copyBinary(bin, out, at, b);
  return bin.length;
}

/** `atob`'s result holds one byte per character. */
function copyBinary(bin: string, out: Uint8Array, at: number, b: Base64Builtins): void {
  const { charCodeAt } = b;
  if (charCodeAt) for (let i = 0; i < bin.length; i++) out[at + i] = charCodeAt(bin, i);
  else for (let i = 0; i < bin.length; i++) out[at + i] = bin.charCodeAt(i);
}
