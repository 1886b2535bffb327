// The built-ins the Firefox page hook calls, taken once at document start, before any page script runs. A page may
// replace any global or prototype method later; after install the hook calls only these (methods through `apply`),
// so a patched built-in neither sees Frameline's traffic nor changes what is reported.
import type { Base64Builtins } from '../../model/base64';

/** An accessor's getter, called with `apply(getter, receiver, [])`. */
type Getter = () => unknown;

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
  readonly dispatchEvent: EventTarget['dispatchEvent'];
  readonly closeCode: Getter;
  readonly closeReason: Getter;
  readonly closeWasClean: Getter;
  readonly MessageEvent: typeof MessageEvent;
  readonly messageData: Getter;
  readonly Blob: typeof Blob;
  readonly blobArrayBuffer: Blob['arrayBuffer'];
  readonly ArrayBuffer: ArrayBufferConstructor;
  readonly isView: typeof ArrayBuffer.isView;
  readonly bufferSlice: ArrayBuffer['slice'];
  readonly bufferByteLength: Getter;
  readonly promiseThen: Promise<unknown>['then'];
  readonly arrayPush: unknown[]['push'];
  readonly arraySplice: unknown[]['splice'];
  readonly WeakMap: WeakMapConstructor;
  readonly weakMapGet: WeakMap<object, unknown>['get'];
  readonly weakMapSet: WeakMap<object, unknown>['set'];
  readonly Map: MapConstructor;
  readonly mapGet: Map<unknown, unknown>['get'];
  readonly mapSet: Map<unknown, unknown>['set'];
  readonly mapDelete: Map<unknown, unknown>['delete'];
  readonly mapForEach: Map<unknown, unknown>['forEach'];
  readonly URL: typeof URL;
  readonly Error: ErrorConstructor;
  /** Firefox's `Error.prototype.stack` getter (V8 has none: stacks are own properties there). */
  readonly errorStack: Getter | undefined;
  readonly MessageChannel: typeof MessageChannel;
  readonly portPostMessage: MessagePort['postMessage'];
  /** The window's `postMessage`, bound: offers the private channel. */
  readonly postMessage: (message: unknown, targetOrigin: string, transfer: Transferable[]) => void;
  readonly setTimeout: (fn: () => void, ms: number) => ReturnType<typeof setTimeout>;
  readonly clearTimeout: (id: ReturnType<typeof setTimeout>) => void;
  readonly queueMicrotask: (fn: () => void) => void;
  /** Wall clock in ms: `performance.timeOrigin + performance.now()`. */
  readonly now: () => number;
}

/** Everything the hook will call, as one frozen record; null where there is no WebSocket to hook. */
export function takeBuiltins(g: typeof globalThis & Window): Builtins | null {
  const Native = g.WebSocket;
  if (typeof Native !== 'function') return null;
  const proto = Native.prototype;
  const apply = Reflect.apply;
  const getDesc = Object.getOwnPropertyDescriptor;
  const ws = (name: string) => getDesc(proto, name)!;
  const close = (name: string) => getDesc(g.CloseEvent.prototype, name)!.get!;
  const perf = g.performance;
  const perfNow = perf.now;
  const timeOrigin = perf.timeOrigin; // fixed for the document's life
  return Object.freeze({
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
    fromCharCode: String.fromCharCode,
    btoa: g.btoa.bind(g),
    atob: g.atob.bind(g),
    addEventListener: g.EventTarget.prototype.addEventListener,
    dispatchEvent: g.EventTarget.prototype.dispatchEvent,
    closeCode: close('code'),
    closeReason: close('reason'),
    closeWasClean: close('wasClean'),
    MessageEvent: g.MessageEvent,
    messageData: getDesc(g.MessageEvent.prototype, 'data')!.get!,
    Blob: g.Blob,
    blobArrayBuffer: g.Blob.prototype.arrayBuffer,
    ArrayBuffer: g.ArrayBuffer,
    isView: g.ArrayBuffer.isView,
    bufferSlice: g.ArrayBuffer.prototype.slice,
    bufferByteLength: getDesc(g.ArrayBuffer.prototype, 'byteLength')!.get!,
    Uint8Array: g.Uint8Array,
    promiseThen: g.Promise.prototype.then,
    arrayPush: Array.prototype.push,
    arraySplice: Array.prototype.splice,
    WeakMap: g.WeakMap,
    weakMapGet: g.WeakMap.prototype.get,
    weakMapSet: g.WeakMap.prototype.set,
    Map: g.Map,
    mapGet: g.Map.prototype.get,
    mapSet: g.Map.prototype.set,
    mapDelete: g.Map.prototype.delete,
    mapForEach: g.Map.prototype.forEach,
    URL: g.URL,
    Error: g.Error,
    errorStack: getDesc(g.Error.prototype, 'stack')?.get,
    MessageChannel: g.MessageChannel,
    portPostMessage: g.MessagePort.prototype.postMessage,
    postMessage: g.postMessage.bind(g),
    setTimeout: g.setTimeout.bind(g),
    clearTimeout: g.clearTimeout.bind(g),
    queueMicrotask: g.queueMicrotask.bind(g),
    now: () => timeOrigin + apply(perfNow, perf, []),
  });
}
