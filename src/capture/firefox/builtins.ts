// The built-ins the Firefox page hook calls, taken once at document start, before any page script runs. A page may
// replace any global, prototype method or accessor later; after install the hook calls only these (methods and
// getters through `apply`), so a patched built-in neither sees Frameline's traffic nor changes what is reported.
// What the language itself would look up on a prototype is avoided too (see the helpers at the end): a page may put
// setters on `Array.prototype` indexes, getters on `Object.prototype`, or its own `Symbol.species` and iterators.
import type { Base64Builtins } from '../../model/base64';

/** An accessor's getter, called with `apply(getter, receiver, [])`. */
type Getter = () => unknown;
type Setter = (value: unknown) => void;

export interface Builtins extends Base64Builtins {
  /** The native constructor and its prototype, from before the hook replaced `WebSocket`. */
  readonly WebSocket: typeof WebSocket;
  readonly wsProto: WebSocket;
  readonly send: WebSocket['send'];
  readonly readyState: Getter;
  readonly url: Getter;
  readonly protocol: Getter;
  readonly extensions: Getter;
  readonly binaryType: Getter;
  readonly setBinaryType: (value: BinaryType) => void;
  readonly construct: typeof Reflect.construct;
  readonly defineProperty: typeof Object.defineProperty;
  readonly getOwnPropertyDescriptor: typeof Object.getOwnPropertyDescriptor;
  readonly String: StringConstructor;
  readonly isArray: typeof Array.isArray;
  readonly addEventListener: EventTarget['addEventListener'];
  readonly removeEventListener: EventTarget['removeEventListener'];
  readonly dispatchEvent: EventTarget['dispatchEvent'];
  /** `isTrusted` of an event: false for every event a script dispatched (the page's, and the hook's own). */
  readonly isTrusted: Getter;
  readonly closeCode: Getter;
  readonly closeReason: Getter;
  readonly closeWasClean: Getter;
  readonly MessageEvent: typeof MessageEvent;
  readonly messageData: Getter;
  /** SecurityPolicyViolationEvent's fields; undefined where there is no such event. */
  readonly csp: { readonly effectiveDirective: Getter; readonly violatedDirective: Getter; readonly originalPolicy: Getter } | undefined;
  readonly Blob: typeof Blob;
  /** Blob's `size` getter: throws on anything that is not a Blob (a brand check no page can fool, unlike instanceof). */
  readonly blobSize: Getter;
  readonly blobArrayBuffer: Blob['arrayBuffer'];
  readonly ArrayBuffer: ArrayBufferConstructor;
  readonly isView: typeof ArrayBuffer.isView;
  /** ArrayBuffer's `byteLength` getter: throws on anything that is not an ArrayBuffer. */
  readonly bufferByteLength: Getter;
  /** A typed array's `buffer`, `byteOffset`, `byteLength`, `length` and `set` (%TypedArray%.prototype's). */
  readonly taBuffer: Getter;
  readonly taByteOffset: Getter;
  readonly taByteLength: Getter;
  readonly taLength: Getter;
  readonly taSet: Uint8Array['set'];
  /** A DataView's `buffer`, `byteOffset` and `byteLength`. */
  readonly dvBuffer: Getter | undefined;
  readonly dvByteOffset: Getter | undefined;
  readonly dvByteLength: Getter | undefined;
  readonly promiseThen: Promise<unknown>['then'];
  readonly WeakMap: WeakMapConstructor;
  readonly weakMapGet: WeakMap<object, unknown>['get'];
  readonly weakMapSet: WeakMap<object, unknown>['set'];
  readonly Map: MapConstructor;
  readonly mapGet: Map<unknown, unknown>['get'];
  readonly mapSet: Map<unknown, unknown>['set'];
  readonly mapDelete: Map<unknown, unknown>['delete'];
  readonly mapForEach: Map<unknown, unknown>['forEach'];
  readonly URL: typeof URL;
  readonly urlOrigin: Getter;
  readonly Error: ErrorConstructor;
  /** Firefox's `Error.prototype.stack` getter (V8 has none: stacks are own properties there). */
  readonly errorStack: Getter | undefined;
  /** DOMException's `message` getter (what a native method throws). */
  readonly domExceptionMessage: Getter | undefined;
  readonly MessageChannel: typeof MessageChannel;
  readonly port1: Getter;
  readonly port2: Getter;
  readonly setOnmessage: Setter;
  readonly portPostMessage: MessagePort['postMessage'];
  /** The window's `postMessage`, bound: offers the private channel. */
  readonly postMessage: (message: unknown, targetOrigin: string, transfer: Transferable[]) => void;
  readonly setTimeout: (fn: () => void, ms: number) => ReturnType<typeof setTimeout>;
  readonly clearTimeout: (id: ReturnType<typeof setTimeout>) => void;
  readonly queueMicrotask: (fn: () => void) => void;
  /** Wall clock in ms: `performance.timeOrigin + performance.now()`. */
  readonly now: () => number;
  /** `Date.now`: the clock intercept rules read their lease by (installIntercept takes the same one). */
  readonly dateNow: () => number;

  /** `o` without a prototype, so reading a key it lacks never reaches a getter the page put on Object.prototype.
   *  Every object the hook builds, and every message it receives (a clone only it holds), goes through it. */
  bare<T extends object>(o: T): T;
  /** Appends as an own property: `arr[i] = x` and `push` would call a setter the page put on an Array.prototype index. */
  append<T>(arr: T[], x: T): void;
  /** A copy of `items` whose iterator is its own: what a native method converting a list (a transfer list, Blob parts,
   *  protocols) would otherwise get from the page's `Array.prototype[Symbol.iterator]`. */
  list<T>(items: readonly T[]): T[];
}

/** The first getter or setter named `name` on `o`'s prototype chain (some live on a base class: HTMLDocument → Document). */
function accessor(o: object | null, name: string, kind: 'get' | 'set'): ((...a: never[]) => unknown) | undefined {
  for (let p = o; p; p = Object.getPrototypeOf(p) as object | null) {
    const d = Object.getOwnPropertyDescriptor(p, name);
    if (d) return d[kind];
  }
  return undefined;
}

/** Everything the hook will call, as one frozen record; null where there is no WebSocket to hook. */
export function takeBuiltins(g: typeof globalThis & Window): Builtins | null {
  const Native = g.WebSocket;
  if (typeof Native !== 'function') return null;
  const proto = Native.prototype;
  const apply = Reflect.apply;
  const getDesc = Object.getOwnPropertyDescriptor;
  const defineOwn = Reflect.defineProperty;
  const setPrototypeOf = Reflect.setPrototypeOf;
  const ws = (name: string) => getDesc(proto, name)!;
  const close = (name: string) => getDesc(g.CloseEvent.prototype, name)!.get!;
  const get = (o: object, name: string) => accessor(o, name, 'get') as Getter;
  const perf = g.performance;
  const dateNow = g.Date.now; // reads no `this`
  const perfNow = perf.now;
  const timeOrigin = perf.timeOrigin; // fixed for the document's life
  const U8 = g.Uint8Array;
  const TA = Object.getPrototypeOf(U8.prototype) as object; // %TypedArray%.prototype
  const taBuffer = get(TA, 'buffer');
  const taByteOffset = get(TA, 'byteOffset');
  const taLength = get(TA, 'length');
  const charCodeAt = String.prototype.charCodeAt;
  const fromCharCode = String.fromCharCode;
  const CSP = (g as { SecurityPolicyViolationEvent?: typeof SecurityPolicyViolationEvent }).SecurityPolicyViolationEvent;
  const DV = (g as { DataView?: DataViewConstructor }).DataView;
  const DOMEx = (g as { DOMException?: typeof DOMException }).DOMException;
  // `isTrusted` is an own, unforgeable property of each event in browsers (a getter on Event.prototype elsewhere).
  const isTrusted = get(new g.Event(''), 'isTrusted');
  if (typeof isTrusted !== 'function') return null; // no browser lacks it: not one to hook blind

  const bare = <T extends object>(o: T): T => {
    setPrototypeOf(o, null);
    return o;
  };
  const own = (value: unknown) => bare({ value, writable: true, enumerable: true, configurable: true });
  const append = <T>(arr: T[], x: T) => {
    defineOwn(arr, arr.length, own(x));
  };
  const list = <T>(items: readonly T[]): T[] => {
    const out: T[] = [];
    for (let i = 0; i < items.length; i++) append(out, items[i]);
    // The iterator and each step's result are the hook's own objects: the conversion reads `next`, `done` and `value`.
    const iterate = () => {
      let i = 0;
      return bare({ next: () => (i < out.length ? bare({ value: out[i++], done: false }) : bare({ value: undefined, done: true })) });
    };
    defineOwn(out, Symbol.iterator, bare({ value: iterate }));
    return out;
  };

  const b: Builtins = bare({
    WebSocket: Native,
    wsProto: proto,
    send: proto.send,
    readyState: ws('readyState').get!,
    url: ws('url').get!,
    protocol: ws('protocol').get!,
    extensions: ws('extensions').get!,
    binaryType: ws('binaryType').get!,
    setBinaryType: ws('binaryType').set!,
    apply,
    construct: Reflect.construct,
    defineProperty: Object.defineProperty,
    getOwnPropertyDescriptor: getDesc,
    String,
    isArray: Array.isArray,
    fromCharCode,
    btoa: g.btoa.bind(g),
    atob: g.atob.bind(g),
    Uint8Array: U8,
    lengthOf: (bytes: Uint8Array) => apply(taLength, bytes, []) as number,
    // A view of the same bytes, with its own `length`: `apply` reads an array-like's length through a getter.
    chunk: (bytes: Uint8Array, start: number, end: number) => {
      const view = new U8(apply(taBuffer, bytes, []) as ArrayBuffer, (apply(taByteOffset, bytes, []) as number) + start, end - start);
      defineOwn(view, 'length', bare({ value: end - start }));
      return view;
    },
    charCodeAt: (s: string, i: number) => apply(charCodeAt, s, [i]),
    addEventListener: g.EventTarget.prototype.addEventListener,
    removeEventListener: g.EventTarget.prototype.removeEventListener,
    dispatchEvent: g.EventTarget.prototype.dispatchEvent,
    isTrusted,
    closeCode: close('code'),
    closeReason: close('reason'),
    closeWasClean: close('wasClean'),
    MessageEvent: g.MessageEvent,
    messageData: getDesc(g.MessageEvent.prototype, 'data')!.get!,
    csp: CSP && Object.freeze(bare({
      effectiveDirective: get(CSP.prototype, 'effectiveDirective'),
      violatedDirective: get(CSP.prototype, 'violatedDirective'),
      originalPolicy: get(CSP.prototype, 'originalPolicy'),
    })),
    Blob: g.Blob,
    blobSize: get(g.Blob.prototype, 'size'),
    blobArrayBuffer: g.Blob.prototype.arrayBuffer,
    ArrayBuffer: g.ArrayBuffer,
    isView: g.ArrayBuffer.isView,
    bufferByteLength: get(g.ArrayBuffer.prototype, 'byteLength'),
    taBuffer,
    taByteOffset,
    taByteLength: get(TA, 'byteLength'),
    taLength,
    taSet: (TA as Uint8Array).set,
    dvBuffer: DV && get(DV.prototype, 'buffer'),
    dvByteOffset: DV && get(DV.prototype, 'byteOffset'),
    dvByteLength: DV && get(DV.prototype, 'byteLength'),
    promiseThen: g.Promise.prototype.then,
    WeakMap: g.WeakMap,
    weakMapGet: g.WeakMap.prototype.get,
    weakMapSet: g.WeakMap.prototype.set,
    Map: g.Map,
    mapGet: g.Map.prototype.get,
    mapSet: g.Map.prototype.set,
    mapDelete: g.Map.prototype.delete,
    mapForEach: g.Map.prototype.forEach,
    URL: g.URL,
    urlOrigin: get(g.URL.prototype, 'origin'),
    Error: g.Error,
    errorStack: getDesc(g.Error.prototype, 'stack')?.get,
    domExceptionMessage: DOMEx && get(DOMEx.prototype, 'message'),
    MessageChannel: g.MessageChannel,
    port1: get(g.MessageChannel.prototype, 'port1'),
    port2: get(g.MessageChannel.prototype, 'port2'),
    setOnmessage: accessor(g.MessagePort.prototype, 'onmessage', 'set') as Setter,
    portPostMessage: g.MessagePort.prototype.postMessage,
    postMessage: g.postMessage.bind(g),
    setTimeout: g.setTimeout.bind(g),
    clearTimeout: g.clearTimeout.bind(g),
    queueMicrotask: g.queueMicrotask.bind(g),
    now: () => timeOrigin + apply(perfNow, perf, []),
    dateNow: () => apply(dateNow, undefined, []),
    bare,
    append,
    list,
  });
  return Object.freeze(b);
}
