// Intercept rules as the inspected page runs them: sent frames through a Proxy of the native `send`, received frames
// through a listener added at construction (before any of the app's), so a matching rule can block, rewrite, delay,
// answer or close before the server or the app sees the frame. The page is hostile: it may patch built-ins after
// install, so every built-in used here is taken once at install and called through the captured `Reflect.apply`.
// Injected as source text (`String(installIntercept)`): the function must reference nothing outside its own body —
// only type imports here, no module-level helpers or constants.
import type { HoldDecision, InterceptRegistry, PageHeld, PageMatch, PageRule, PageRuleHit, PathStep, Payload, Rewrite, WirePayload } from '../model/intercept/types';

/**
 * Installs intercept rules for one JS context: wraps `Native.prototype.send` and sets `reg.intercept(ws)`, which the
 * hook calls on each socket right after `Reflect.construct`. Rules (`reg.rules`) act only while
 * `Date.now() < reg.until`; each acted frame is recorded in `reg.hits` (bounded; overflow counted in `reg.hitsLost`).
 * Frames a hold rule keeps are listed in `reg.held` until `reg.release(id, decision)`, their `maxMs` or the lease's end.
 * Never throws into the page: any failure of its own falls back to the native behaviour.
 */
export function installIntercept(g: typeof globalThis, reg: InterceptRegistry, Native: typeof WebSocket): void {
  try {
    if (typeof Native !== 'function' || !reg || typeof reg.intercept === 'function') return;

    // ---- Built-ins, taken now (the page may replace any of them later). ----
    const R = g.Reflect;
    const apply = R.apply;
    const defineOwn = R.defineProperty;
    const setProto = R.setPrototypeOf;
    const getProto = R.getPrototypeOf;
    const getDesc = g.Object.getOwnPropertyDescriptor;
    type Fn = (...a: never[]) => unknown;
    /** The first getter named `name` on `o`'s prototype chain (undefined: the property is read plainly). */
    const getterOf = (o: object | null, name: string): Fn | undefined => {
      for (let p = o; p; p = getProto(p)) {
        const d = getDesc(p, name);
        if (d) return d.get as Fn | undefined;
      }
      return undefined;
    };
    const read = (get: Fn | undefined, o: object, name: string): unknown =>
      get ? apply(get, o, []) : (o as unknown as Record<string, unknown>)[name];

    const proto = Native.prototype;
    const nativeSend = proto.send;
    const nativeClose = proto.close;
    const gReadyState = getterOf(proto, 'readyState');
    const gUrl = getterOf(proto, 'url');
    const gBinaryType = getterOf(proto, 'binaryType');
    const addEL = g.EventTarget.prototype.addEventListener;
    const dispatch = g.EventTarget.prototype.dispatchEvent;
    const stopImmediate = g.Event.prototype.stopImmediatePropagation;
    const ME = g.MessageEvent;
    const gData = getterOf(ME.prototype, 'data');
    const gOrigin = getterOf(ME.prototype, 'origin');
    const gLastEventId = getterOf(ME.prototype, 'lastEventId');
    const timeout = g.setTimeout;
    const clearTimeout_ = g.clearTimeout;
    const now = g.Date.now; // Date.now reads no `this`
    const jparse = g.JSON.parse;
    const jstringify = g.JSON.stringify;
    const RE = g.RegExp;
    const reExec = RE.prototype.exec;
    const reReplace = RE.prototype[g.Symbol.replace];
    const gFlags = getterOf(RE.prototype, 'flags');
    const WM = g.WeakMap;
    const wmGet = WM.prototype.get;
    const wmSet = WM.prototype.set;
    const WS = g.WeakSet;
    const wsHas = WS.prototype.has;
    const wsAdd = WS.prototype.add;
    const U8 = g.Uint8Array;
    const AB = g.ArrayBuffer;
    const isView = AB.isView;
    const abByteLength = getterOf(AB.prototype, 'byteLength');
    const TA = getProto(U8.prototype) as object; // %TypedArray%.prototype
    const taBuffer = getterOf(TA, 'buffer');
    const taByteOffset = getterOf(TA, 'byteOffset');
    const taByteLength = getterOf(TA, 'byteLength');
    const taSet = (TA as Uint8Array).set;
    const DV = g.DataView;
    const dvBuffer = DV && getterOf(DV.prototype, 'buffer');
    const dvByteOffset = DV && getterOf(DV.prototype, 'byteOffset');
    const dvByteLength = DV && getterOf(DV.prototype, 'byteLength');
    const BlobC = g.Blob;
    const blobSize = BlobC && getterOf(BlobC.prototype, 'size');
    const blobArrayBuffer = BlobC && BlobC.prototype.arrayBuffer;
    const promiseThen = g.Promise.prototype.then;
    const Str = g.String;
    const fromCharCode = Str.fromCharCode;
    const sLower = Str.prototype.toLowerCase;
    const sIndexOf = Str.prototype.indexOf;
    const sCharCodeAt = Str.prototype.charCodeAt;
    const isArray = g.Array.isArray;
    const hasOwn = g.Object.prototype.hasOwnProperty;
    const btoa = g.btoa;
    const atob = g.atob;
    const URLC = g.URL;
    const gUrlOrigin = URLC && getterOf(URLC.prototype, 'origin');
    const encoder = new g.TextEncoder();
    const encode = g.TextEncoder.prototype.encode;
    const SymbolIterator = g.Symbol.iterator;

    // ---- Small helpers on the captured built-ins. ----
    /** `o` without a prototype: a key it lacks is never read from (or set through) the page's Object.prototype. */
    const bare = <T extends object>(o: T): T => {
      setProto(o, null);
      return o;
    };
    const own = (o: object, k: PropertyKey): boolean => apply(hasOwn, o, [k]);
    /** Appends as an own property: `arr[i] = x` and `push` could reach a setter the page put on Array.prototype. */
    const append = <T>(arr: T[], x: T): void => {
      defineOwn(arr, arr.length, bare({ value: x, writable: true, enumerable: true, configurable: true }));
    };
    /** A one-item list whose iterator is its own (what a native constructor converting a sequence iterates). */
    const one = <T>(x: T): T[] => {
      const list: T[] = [];
      append(list, x);
      let done = false;
      defineOwn(list, SymbolIterator, bare({
        value: () => bare({ next: () => (done ? bare({ value: undefined, done: true }) : ((done = true), bare({ value: x, done: false }))) }),
      }));
      return list;
    };
    const lower = (s: string): string => apply(sLower, s, []);
    const includes = (s: string, sub: string): boolean => apply(sIndexOf, s, [sub]) >= 0;
    const later = (fn: () => void, ms: number): void => {
      apply(timeout, g, [fn, ms]);
    };
    const HEX: string[] = [];
    const CHR: string[] = [];
    for (let i = 0; i < 256; i++) {
      append(HEX, (i < 16 ? '0' : '') + i.toString(16));
      append(CHR, fromCharCode(i));
    }
    const byteLen = (b: Uint8Array): number => apply(taByteLength as Fn, b, []) as number;
    /** Bytes of an ArrayBuffer or a view of one (a view over the same memory), or null. */
    const viewOf = (d: object): Uint8Array | null => {
      try {
        apply(abByteLength as Fn, d, []); // brand check: throws on anything but an ArrayBuffer
        return new U8(d as ArrayBuffer);
      } catch {
        /* not an ArrayBuffer */
      }
      if (!isView(d)) return null;
      try {
        return new U8(apply(taBuffer as Fn, d, []) as ArrayBuffer, apply(taByteOffset as Fn, d, []) as number, apply(taByteLength as Fn, d, []) as number);
      } catch {
        return new U8(apply(dvBuffer as Fn, d, []) as ArrayBuffer, apply(dvByteOffset as Fn, d, []) as number, apply(dvByteLength as Fn, d, []) as number);
      }
    };
    const copy = (b: Uint8Array): Uint8Array => {
      const c = new U8(byteLen(b));
      apply(taSet, c, [b]);
      return c;
    };
    const isBlob = (d: object): boolean => {
      if (!blobSize) return false;
      try {
        apply(blobSize, d, []); // brand check, as above
        return true;
      } catch {
        return false;
      }
    };
    const hexOfBytes = (b: Uint8Array): string => {
      const n = byteLen(b);
      if (n === 0) return '';
      let s = HEX[b[0]];
      for (let i = 1; i < n; i++) s += ' ' + HEX[b[i]];
      return s;
    };
    /** Hex digits to bytes; spaces and other separators are skipped (an odd last digit is dropped). */
    const bytesOfHex = (hex: string): Uint8Array => {
      const digits: number[] = [];
      for (let i = 0; i < hex.length; i++) {
        const c = apply(sCharCodeAt, hex, [i]);
        const v = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
        if (v >= 0) append(digits, v);
      }
      const out = new U8(digits.length >> 1);
      for (let i = 0; i + 1 < digits.length; i += 2) out[i >> 1] = digits[i] * 16 + digits[i + 1];
      return out;
    };
    const b64 = (b: Uint8Array): string => {
      const n = byteLen(b);
      let bin = '';
      for (let i = 0; i < n; i++) bin += CHR[b[i]];
      return apply(btoa, g, [bin]);
    };
    const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => {
      const n = byteLen(a);
      if (n !== byteLen(b)) return false;
      for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
      return true;
    };
    /** A RegExp whose `exec` and `flags` are its own: String replace would otherwise look them up on the page's
     *  RegExp.prototype. */
    const makeRe = (source: string, flags: string): RegExp => {
      const re = new RE(source, flags);
      const f = apply(gFlags as Fn, re, []) as string;
      const def = (k: string, value: unknown) => defineOwn(re, k, bare({ value, writable: true, configurable: true }));
      def('exec', reExec);
      def('flags', f);
      def('global', includes(f, 'g'));
      def('unicode', includes(f, 'u'));
      return re;
    };
    const FAILED = {};
    const reCache = new WM<object, RegExp | object>();
    /** The RegExp of a match node or rewrite, built once (a bad pattern throws every time: the rule never matches). */
    const reOf = (node: object, source: string, flags: string, forTest: boolean): RegExp => {
      let re = apply(wmGet, reCache, [node]) as RegExp | object | undefined;
      if (re === undefined) {
        let f = Str(flags || '');
        // A test needs no g/y: their lastIndex would make the result depend on the previous frame.
        if (forTest) {
          let kept = '';
          for (let i = 0; i < f.length; i++) if (f[i] !== 'g' && f[i] !== 'y') kept += f[i];
          f = kept;
        }
        try {
          re = makeRe(Str(source), f);
        } catch {
          re = FAILED;
        }
        apply(wmSet, reCache, [node, re]);
      }
      if (re === FAILED) throw new g.Error('bad regex');
      return re as RegExp;
    };
    const reTest = (re: RegExp, s: string): boolean => apply(reExec, re, [s]) !== null;
    /** Base64 to bytes; throws on what is not base64. */
    const bytesOfB64 = (s: string): Uint8Array => {
      const bin: string = apply(atob, g, [s]);
      const out = new U8(bin.length);
      for (let i = 0; i < bin.length; i++) out[i] = apply(sCharCodeAt, bin, [i]);
      return out;
    };

    // ---- Sockets and their queues. ----
    /** A frame waiting its turn: `run` sends, delivers or closes; not `ready` while its bytes are being read, or while
     *  it is `held` for the host's decision. */
    type Item = { next: Item | null; ready: boolean; held: boolean; due: number; run: () => void };
    type Queue = { head: Item | null; tail: Item | null; timer: boolean };
    type State = { url: string; lurl: string; origin: string | null; sq: Queue; rq: Queue };
    const states = new WM<object, State>();
    const intercepted = new WS<object>();
    const ours = new WS<object>(); // the events this code dispatches: the first listener lets them through
    const created: WeakMap<WebSocket, number> = reg.created instanceof WM ? reg.created : new WM<WebSocket, number>();
    /** How many queues hold frames: while 0 and no rule is active, a frame costs one check. */
    let busy = 0;
    const NOOP = () => {};
    const newQueue = (): Queue => ({ head: null, tail: null, timer: false });
    const stateOf = (ws: WebSocket): State => {
      let st = apply(wmGet, states, [ws]) as State | undefined;
      if (!st) {
        const url = Str(read(gUrl, ws, 'url'));
        st = { url, lurl: lower(url), origin: null, sq: newQueue(), rq: newQueue() };
        apply(wmSet, states, [ws, st]);
      }
      return st;
    };
    const readyState = (ws: WebSocket): unknown => read(gReadyState, ws, 'readyState');
    const originOf = (st: State): string => {
      if (st.origin === null) {
        try {
          st.origin = Str(apply(gUrlOrigin as Fn, new URLC(st.url), []));
        } catch {
          st.origin = '';
        }
      }
      return st.origin;
    };
    const createdOf = (ws: WebSocket): number | null => {
      const f = reg.createdOf;
      if (typeof f === 'function') {
        try {
          const t = f(ws);
          if (typeof t === 'number') return t;
        } catch {
          /* the registry's own; fall back */
        }
      }
      const t = apply(wmGet, created, [ws]) as number | undefined;
      return t === undefined ? null : t;
    };
    const activeRules = (): PageRule[] | null => {
      const r = reg.rules;
      return r && r.length > 0 && now() < reg.until ? r : null;
    };
    const push = (q: Queue, it: Item): void => {
      if (q.tail) q.tail.next = it;
      else {
        q.head = it;
        busy++;
      }
      q.tail = it;
    };
    /** Runs the queue's items in order, each when ready and due; a timer waits for the head's due time. */
    const pump = (q: Queue): void => {
      while (q.head !== null) {
        const it = q.head;
        if (!it.ready) return;
        const wait = it.due - now();
        if (wait > 0) {
          if (!q.timer) {
            q.timer = true;
            try {
              later(() => {
                q.timer = false;
                pump(q);
              }, wait);
            } catch {
              q.timer = false;
            }
          }
          return;
        }
        q.head = it.next;
        if (q.head === null) {
          q.tail = null;
          busy--;
        }
        try {
          it.run();
        } catch {
          /* never break the page */
        }
      }
    };
    /** What a frame does, in its socket's order: into its pending item `it`, else at once when nothing waits ahead
     *  and it is due, else queued. */
    const place = (q: Queue, it: Item | null, due: number, run: () => void): void => {
      try {
        if (it) {
          if (it.ready) return;
          it.due = due;
          it.run = run;
          it.ready = true;
        } else if (q.head === null && due <= now()) {
          run();
          return;
        } else push(q, { next: null, ready: true, held: false, due, run });
        pump(q);
      } catch {
        /* never break the page */
      }
    };
    const pending = (q: Queue): Item => {
      const it: Item = { next: null, ready: false, held: false, due: 0, run: NOOP };
      push(q, it);
      return it;
    };
    const sendNow = (ws: WebSocket, d: unknown): void => {
      try {
        apply(nativeSend, ws, [d]);
      } catch {
        /* the socket closed meanwhile: the native send said so to nobody */
      }
    };
    const closeNow = (ws: WebSocket, code: number, reason: string): void => {
      try {
        apply(nativeClose, ws, [code, reason]);
      } catch {
        // A code the browser refuses (not 1000 or 3000–4999): close all the same.
        try {
          apply(nativeClose, ws, []);
        } catch {
          /* nothing to close */
        }
      }
    };
    const deliver = (ws: WebSocket, data: unknown, origin: string, lastEventId: string): void => {
      // No `ports`: its default is the empty list, and converting ours would iterate through the page's Array.prototype.
      const ev = new ME('message', bare({ data, origin, lastEventId }) as MessageEventInit);
      apply(wsAdd, ours, [ev]);
      apply(dispatch, ws, [ev]);
    };
    /** Bytes as the app receives binary: in the socket's binaryType. */
    const appBinary = (ws: WebSocket, b: Uint8Array): unknown => {
      if (read(gBinaryType, ws, 'binaryType') === 'blob' && BlobC) return new BlobC(one(b as Uint8Array<ArrayBuffer>));
      const buf = apply(taBuffer as Fn, b, []) as ArrayBuffer;
      if ((apply(taByteOffset as Fn, b, []) as number) === 0 && byteLen(b) === (apply(abByteLength as Fn, buf, []) as number)) return buf;
      return apply(taBuffer as Fn, copy(b), []);
    };

    // ---- Frames and matching. ----
    type Frame = {
      dir: 'sent' | 'received';
      st: State;
      /** Text frame: its text. Binary: `bytes`, or a Blob whose bytes are not read yet. */
      text: string | undefined;
      bytes: Uint8Array | undefined;
      blob: Blob | undefined;
      size: number;
      lower: string | undefined;
      hex: string | undefined;
      json: unknown;
      /** When the frame was sent or received (delays count from here). */
      t0: number;
    };
    const NOJSON = {};
    const MISSING = {};
    const frameOf = (st: State, dir: 'sent' | 'received', data: unknown): Frame | null => {
      const f: Frame = { dir, st, text: undefined, bytes: undefined, blob: undefined, size: -1, lower: undefined, hex: undefined, json: undefined, t0: now() };
      if (typeof data === 'string') {
        f.text = data;
        return f;
      }
      if (data === null || typeof data !== 'object') return null;
      const b = viewOf(data);
      if (b) {
        // A sent frame may wait: keep its bytes as they are now (the app may reuse its buffer after send returns).
        f.bytes = dir === 'sent' ? copy(b) : b;
        f.size = byteLen(b);
        return f;
      }
      if (isBlob(data)) {
        f.blob = data as Blob;
        f.size = apply(blobSize as Fn, data, []) as number;
        return f;
      }
      return null;
    };
    /** Lower-case text, or the spaced hex of binary; undefined while a Blob is unread. */
    const lowerOf = (f: Frame): string | undefined => {
      if (f.text !== undefined) return f.lower !== undefined ? f.lower : (f.lower = lower(f.text));
      return hexOf(f);
    };
    const hexOf = (f: Frame): string | undefined => {
      if (f.bytes === undefined) return undefined;
      return f.hex !== undefined ? f.hex : (f.hex = hexOfBytes(f.bytes));
    };
    const sizeOf = (f: Frame): number => {
      if (f.size < 0) f.size = byteLen(apply(encode, encoder, [f.text]));
      return f.size;
    };
    /** The text parsed once per frame; only objects and arrays count as JSON (as the panel's query does). */
    const jsonOf = (f: Frame): unknown => {
      if (f.json === undefined) {
        const t = f.text as string;
        let i = 0;
        let c = 0;
        while (i < t.length && ((c = apply(sCharCodeAt, t, [i])) === 32 || c === 9 || c === 10 || c === 13)) i++;
        if (c !== 123 && c !== 91) f.json = NOJSON;
        else {
          try {
            f.json = jparse(t);
          } catch {
            f.json = NOJSON;
          }
        }
      }
      return f.json;
    };
    /** The value at the first `n` steps of `path` (all of them by default), or MISSING. */
    const resolve = (v: unknown, path: PathStep[], n = path.length): unknown => {
      for (let i = 0; i < n; i++) {
        const s = path[i];
        if (v === null || typeof v !== 'object' || v === NOJSON) return MISSING;
        if (typeof s === 'number') {
          if (!isArray(v) || s >= v.length || !own(v, s)) return MISSING;
        } else if (!own(v, s)) return MISSING;
        v = (v as Record<PropertyKey, unknown>)[s];
      }
      return v === NOJSON ? MISSING : v;
    };
    const compare = (op: string, a: number, b: number): boolean =>
      op === '==' ? a === b : op === '!=' ? a !== b : op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : op === '>=' ? a >= b : false;
    /** 1: matches, 0: does not, 2: cannot tell before the Blob's bytes are read. */
    const evalMatch = (m: PageMatch, f: Frame): number => {
      switch (m.k) {
        case 'all':
          return 1;
        case 'and': {
          let r = 1;
          for (let i = 0; i < m.of.length; i++) {
            const x = evalMatch(m.of[i], f);
            if (x === 0) return 0;
            if (x === 2) r = 2;
          }
          return r;
        }
        case 'or': {
          let r = 0;
          for (let i = 0; i < m.of.length; i++) {
            const x = evalMatch(m.of[i], f);
            if (x === 1) return 1;
            if (x === 2) r = 2;
          }
          return r;
        }
        case 'not': {
          const x = evalMatch(m.of, f);
          return x === 2 ? 2 : 1 - x;
        }
        case 'dir':
          return m.dir === f.dir ? 1 : 0;
        case 'url':
          return includes(f.st.lurl, Str(m.frag)) ? 1 : 0;
        case 'op':
          return (m.op === 'text') === (f.text !== undefined) ? 1 : 0;
        case 'size':
          return compare(m.cmp, sizeOf(f), m.n) ? 1 : 0;
        case 'text': {
          const s = lowerOf(f);
          return s === undefined ? 2 : includes(s, Str(m.s)) ? 1 : 0;
        }
        case 're': {
          const s = f.text !== undefined ? f.text : hexOf(f);
          return s === undefined ? 2 : reTest(reOf(m, m.source, m.flags, true), s) ? 1 : 0;
        }
        case 'json': {
          // A binary frame has no JSON value: only `!=` holds (as the panel's query answers).
          const v = f.text === undefined ? MISSING : resolve(jsonOf(f), m.path);
          switch (m.cmp) {
            case 'exists':
              return v !== MISSING ? 1 : 0;
            case '==':
              return v !== MISSING && v === m.value ? 1 : 0;
            case '!=':
              return v === MISSING || v !== m.value ? 1 : 0;
            case '~':
              return (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && reTest(reOf(m, m.source || '', m.flags || '', true), Str(v)) ? 1 : 0;
            default:
              return typeof v === 'number' && typeof m.value === 'number' && compare(m.cmp, v, m.value) ? 1 : 0;
          }
        }
        default:
          return 0; // a kind this page does not know (a newer host): no match
      }
    };
    const MAYBE = {};
    /** The first rule that matches (null: none). While a Blob is unread: MAYBE if a rule may match, null if none can. */
    const pick = (rules: PageRule[], f: Frame): PageRule | null | typeof MAYBE => {
      for (let i = 0; i < rules.length; i++) {
        const r = rules[i];
        let x: number;
        try {
          // A respond rule answers sent frames only.
          x = f.dir === 'received' && r.action.kind === 'respond' ? 0 : evalMatch(r.match, f);
        } catch {
          x = 0; // a rule that throws never matches
        }
        if (x === 1) return f.text === undefined && f.bytes === undefined ? MAYBE : r;
        if (x === 2) return MAYBE;
      }
      return null;
    };

    // ---- Rewrites. ----
    type Out = { t: string | undefined; b: Uint8Array | undefined };
    const outOfPayload = (p: Payload): Out =>
      own(p, 'text') ? { t: Str((p as { text: string }).text), b: undefined } : { t: undefined, b: bytesOfHex(Str((p as { hex: string }).hex)) };
    /** JSON parsed into objects and arrays without prototypes: stringify then finds no page `toJSON`. */
    const reviver = (_k: string, v: unknown): unknown => {
      if (v !== null && typeof v === 'object') setProto(v, null);
      return v;
    };
    const parseBare = (t: string): unknown => jparse(t, reviver);
    const isContainer = (v: unknown): v is Record<PropertyKey, unknown> => v !== null && typeof v === 'object';
    /** The value at `path` set (missing object keys made on the way); false if it cannot be. */
    const setPath = (root: unknown, path: PathStep[], value: unknown): boolean => {
      let cur = root;
      for (let i = 0; i < path.length; i++) {
        if (!isContainer(cur)) return false;
        const s = path[i];
        if (isArray(cur) && typeof s !== 'number') return false;
        if (i === path.length - 1) {
          cur[s] = value;
          return true;
        }
        if (!own(cur, s)) cur[s] = typeof path[i + 1] === 'number' ? bare([]) : bare({});
        cur = cur[s];
      }
      return false;
    };
    const deletePath = (root: unknown, path: PathStep[]): boolean => {
      const parent = resolve(root, path, path.length - 1);
      const s = path[path.length - 1];
      if (!isContainer(parent) || !own(parent, s)) return false;
      if (isArray(parent)) {
        if (typeof s !== 'number') return false;
        // In place, not splice: splice would consult the page's Array.prototype and species.
        const arr: unknown[] = parent;
        for (let i = s; i + 1 < arr.length; i++) arr[i] = arr[i + 1];
        arr.length = arr.length - 1;
      } else delete parent[s];
      return true;
    };
    /** The frame rewritten, or null when the rewrite cannot apply or changes nothing. */
    const rewrite = (rw: Rewrite, f: Frame): Out | null => {
      switch (rw.op) {
        case 'replace': {
          const out = outOfPayload(rw.payload);
          if (out.t !== undefined) return out.t === f.text ? null : out;
          return f.bytes !== undefined && sameBytes(out.b as Uint8Array, f.bytes) ? null : out;
        }
        case 'regex': {
          if (f.text === undefined) return null;
          const t = apply(reReplace, reOf(rw, rw.source, rw.flags, false), [f.text, Str(rw.replacement)]) as string;
          return t === f.text ? null : { t, b: undefined };
        }
        case 'json-set':
        case 'json-delete': {
          if (f.text === undefined || jsonOf(f) === NOJSON) return null;
          const root = parseBare(f.text);
          const path = rw.path;
          if (rw.op === 'json-set') {
            const value = parseBare(Str(rw.value));
            const was = resolve(root, path);
            if (was !== MISSING && jstringify(was) === jstringify(value)) return null;
            if (path.length === 0) return { t: jstringify(value), b: undefined };
            if (!setPath(root, path, value)) return null;
          } else if (path.length === 0 || !deletePath(root, path)) return null;
          return { t: jstringify(root), b: undefined };
        }
        default:
          return null;
      }
    };

    /** A rewrite that throws (a bad pattern, a page-made path) is one that cannot apply: the frame goes on as it is. */
    const tryRewrite = (rw: Rewrite, f: Frame): Out | null => {
      try {
        return rewrite(rw, f);
      } catch {
        return null;
      }
    };

    // ---- Hits. ----
    const wireOf = (f: Frame): WirePayload => (f.text !== undefined ? bare({ text: f.text }) : bare({ b64: b64(f.bytes as Uint8Array) }));
    const wireOfOut = (o: Out): WirePayload => (o.t !== undefined ? bare({ text: o.t }) : bare({ b64: b64(o.b as Uint8Array) }));
    const hit = (ws: WebSocket, rule: PageRule, action: PageRuleHit['action'], f: Frame, more?: (h: PageRuleHit) => void): void => {
      try {
        const hits = reg.hits;
        if (!isArray(hits)) return;
        if (hits.length >= 5000) {
          reg.hitsLost = (+reg.hitsLost || 0) + 1;
          return;
        }
        const h: PageRuleHit = bare({ rule: Str(rule.id), action, dir: f.dir, url: f.st.url, created: createdOf(ws), t: now(), original: wireOf(f) });
        if (more) more(h);
        append(hits, h);
      } catch {
        /* a hit is a report: never worth breaking the page */
      }
    };
    const ms = (x: unknown): number => {
      const n = +(x as number);
      return n > 0 ? n : 0;
    };

    // ---- Held frames (manual intercept). ----
    /** How a held frame goes on in its turn (`out`: edited; null: as it was); `more` completes its hit. */
    type Go = (it: Item, out: Out | null, more: (h: PageRuleHit) => void) => void;
    type Hold = { id: number; e: PageHeld; ws: WebSocket; rule: PageRule; f: Frame; q: Queue; it: Item; go: Go };
    const MAX_HELD = 1000;
    const MAX_HOLD_MS = 600_000;
    /** A held frame's deadline and the lease are checked at least this often while anything is held. */
    const SWEEP_MS = 500;
    const holds: Hold[] = [];
    /** `reg.held`: what the host reads. Entries leave it by identity, so a host that changed it cannot mislead `holds`. */
    const heldList: PageHeld[] = [];
    let heldSeq = 0;
    let sweepTimer: unknown = undefined;
    let sweepAt = 0;
    const disarm = (): void => {
      const t = sweepTimer;
      sweepTimer = undefined;
      if (t === undefined) return;
      try {
        apply(clearTimeout_, g, [t]);
      } catch {
        /* it fires, finds nothing held and stops */
      }
    };
    /** One timer while anything is held, due at the next check or the earliest deadline; throws if no timer is had
     *  (the new timer is set before the old one is cleared, so the held frames never lose theirs). */
    const arm = (due: number): void => {
      const t = now();
      const at = due < t + SWEEP_MS ? due : t + SWEEP_MS;
      if (sweepTimer !== undefined && sweepAt <= at) return;
      const timer = apply(timeout, g, [sweep, at > t ? at - t : 0]);
      disarm();
      sweepTimer = timer;
      sweepAt = at;
    };
    /** Takes hold `i` out of the list and sends it on: dropped, or forwarded (`out`: edited; null: as it was). */
    const settle = (i: number, drop: boolean, out: Out | null, reason: 'timeout' | 'lease' | undefined): void => {
      const h = holds[i];
      for (let j = i; j + 1 < holds.length; j++) holds[j] = holds[j + 1];
      holds.length = holds.length - 1;
      for (let k = 0; k < heldList.length; k++) {
        if (heldList[k] !== h.e) continue;
        for (let j = k; j + 1 < heldList.length; j++) heldList[j] = heldList[j + 1];
        heldList.length = heldList.length - 1;
        break;
      }
      reg.held = heldList;
      if (holds.length === 0) disarm();
      const more = (x: PageRuleHit): void => {
        x.held = h.id;
        x.waited = now() - h.e.t;
        if (reason) x.reason = reason;
      };
      try {
        if (drop) {
          hit(h.ws, h.rule, 'blocked', h.f, more);
          place(h.q, h.it, 0, NOOP);
        } else h.go(h.it, out, more);
      } catch {
        // Whatever failed, the frame goes on as it was: its queue never waits on it for ever.
        try {
          h.go(h.it, null, more);
        } catch {
          place(h.q, h.it, 0, NOOP);
        }
      }
    };
    /** Forwards, unchanged, every frame past its `maxMs` — or all of them once the lease is over (the host is gone). */
    const sweep = (): void => {
      sweepTimer = undefined;
      try {
        const t = now();
        const leaseOver = !(t < reg.until);
        let next = t + SWEEP_MS;
        for (let i = 0; i < holds.length; ) {
          const due = holds[i].e.due;
          if (leaseOver || t >= due) settle(i, false, null, leaseOver ? 'lease' : 'timeout');
          else {
            if (due < next) next = due;
            i++;
          }
        }
        if (holds.length > 0) arm(next);
      } catch {
        /* no timer to be had: the host's release (or a frame held later) is what moves them now */
      }
    };
    /** Holds a matched frame: true if held (`before` ran first); false if nothing was done — too many held, or no
     *  timer to be had (a frame is never held without one to forward it). */
    const holdFrame = (ws: WebSocket, f: Frame, rule: PageRule, maxMs: unknown, q: Queue, it: Item | null, go: Go, before: () => void): boolean => {
      let e: PageHeld;
      try {
        if (holds.length >= MAX_HELD) {
          reg.heldOverflow = (+(reg.heldOverflow as number) || 0) + 1;
          return false;
        }
        const t = now();
        const wait = ms(maxMs);
        e = bare({ id: heldSeq + 1, rule: Str(rule.id), dir: f.dir, url: f.st.url, created: createdOf(ws), t, due: t + (wait < MAX_HOLD_MS ? wait : MAX_HOLD_MS), original: wireOf(f) });
        arm(e.due);
      } catch {
        return false;
      }
      heldSeq = e.id;
      before();
      const item = it || pending(q);
      item.held = true;
      append(holds, { id: e.id, e, ws, rule, f, q, it: item, go });
      append(heldList, e);
      reg.held = heldList;
      return true;
    };
    const goSent = (ws: WebSocket, f: Frame, rule: PageRule, q: Queue): Go => (it, out, more) => {
      const d = out ? (out.t !== undefined ? out.t : out.b) : sendable(f);
      const action = out ? 'rewritten' : 'released';
      const delivered = out ? wireOfOut(out) : null;
      place(q, it, 0, () => {
        if (readyState(ws) === 1) {
          sendNow(ws, d);
          hit(ws, rule, action, f, (h) => {
            h.delivered = delivered || wireOf(f);
            more(h);
          });
        } else {
          hit(ws, rule, action, f, (h) => {
            more(h);
            h.dropped = 'not-open';
          });
        }
      });
    };
    const goReceived = (ws: WebSocket, f: Frame, rule: PageRule, q: Queue, data: unknown, meta: Meta): Go => (it, out, more) => {
      const d = out ? (out.t !== undefined ? out.t : appBinary(ws, out.b as Uint8Array)) : data;
      const action = out ? 'rewritten' : 'released';
      const delivered = out ? wireOfOut(out) : null;
      place(q, it, 0, () => {
        deliver(ws, d, meta.origin, meta.lastEventId);
        hit(ws, rule, action, f, (h) => {
          h.delivered = delivered || wireOf(f);
          more(h);
        });
      });
    };
    /** An edited payload from the host, or null when it is not one (own fields only: the page's Object.prototype
     *  could answer for a missing one). */
    const outOfWire = (p: unknown): Out | null => {
      if (p === null || typeof p !== 'object') return null;
      if (own(p, 'text')) {
        const t = (p as { text: unknown }).text;
        return typeof t === 'string' ? { t, b: undefined } : null;
      }
      if (own(p, 'b64')) {
        const s = (p as { b64: unknown }).b64;
        return typeof s === 'string' ? { t: undefined, b: bytesOfB64(s) } : null;
      }
      return null;
    };
    const release = (id: number, decision: HoldDecision): boolean => {
      try {
        let i = 0;
        while (i < holds.length && holds[i].id !== id) i++;
        if (i >= holds.length || decision === null || typeof decision !== 'object') return false;
        const forward = own(decision, 'forward') ? decision.forward : undefined;
        let out: Out | null = null;
        if (forward === true && own(decision, 'payload') && (decision as { payload?: unknown }).payload !== undefined) {
          out = outOfWire((decision as { payload?: unknown }).payload);
          if (!out) return false;
          // An edit that changes nothing forwards the frame as it was.
          const f = holds[i].f;
          if (out.t !== undefined ? out.t === f.text : f.bytes !== undefined && sameBytes(out.b as Uint8Array, f.bytes)) out = null;
        } else if (forward !== true && forward !== false) return false;
        settle(i, forward === false, out, undefined);
        return true;
      } catch {
        return false;
      }
    };

    // ---- Message breakpoints. ----
    /**
     * DevTools' debugger stops here (a `debugger` statement pauses only while a debugger is attached: with DevTools
     * closed it costs nothing). `frameline` holds the frame for the Scope pane; its property names survive minifying.
     */
    const pauseOn = (ws: WebSocket, f: Frame, rule: PageRule): object => {
      const frameline = bare({ rule: Str(rule.id), direction: f.dir, payload: f.text !== undefined ? f.text : f.bytes !== undefined ? f.bytes : f.blob, socket: ws });
      // eslint-disable-next-line no-debugger -- the point of a message breakpoint
      debugger;
      return frameline; // used, so a minifier keeps it bound while paused
    };

    // ---- Sent frames. ----
    const NATIVE = 0;
    const DONE = 1;
    /** What is sent of an unmatched frame that waits its turn (the copy of binary bytes, taken at send). */
    const sendable = (f: Frame): unknown => (f.text !== undefined ? f.text : f.bytes !== undefined ? f.bytes : f.blob);
    const passSent = (ws: WebSocket, st: State, d: unknown, it: Item | null): number => {
      if (!it && st.sq.head === null) return NATIVE;
      place(st.sq, it, 0, () => sendNow(ws, d));
      return DONE;
    };
    /** A matched sent frame: what its rule does, now or in its turn. Everything that may throw comes first. */
    const actSent = (ws: WebSocket, st: State, f: Frame, rule: PageRule, it: Item | null): number => {
      const a = rule.action;
      const q = st.sq;
      switch (a.kind) {
        case 'block':
          hit(ws, rule, 'blocked', f);
          if (it) place(q, it, 0, NOOP);
          return DONE;
        case 'rewrite': {
          const out = tryRewrite(a.rewrite, f);
          if (!out) return passSent(ws, st, sendable(f), it);
          const d = out.t !== undefined ? out.t : out.b;
          const delivered = wireOfOut(out);
          hit(ws, rule, 'rewritten', f, (h) => (h.delivered = delivered));
          place(q, it, 0, () => sendNow(ws, d));
          return DONE;
        }
        case 'delay': {
          const d = sendable(f);
          place(q, it, f.t0 + ms(a.ms), () => {
            const waited = now() - f.t0;
            if (readyState(ws) === 1) {
              sendNow(ws, d);
              hit(ws, rule, 'delayed', f, (h) => {
                h.delivered = wireOf(f);
                h.waited = waited;
              });
            } else {
              hit(ws, rule, 'delayed', f, (h) => {
                h.waited = waited;
                h.dropped = 'not-open';
              });
            }
          });
          return DONE;
        }
        case 'respond': {
          const reply = outOfPayload(a.reply);
          const forward = a.forward === true;
          const delivered = wireOfOut(reply);
          hit(ws, rule, 'mocked', f, (h) => {
            h.delivered = delivered;
            h.forwarded = forward;
          });
          // The reply goes the way received frames go (after those waiting), and not within send(): as a server's would.
          const rq = st.rq;
          const rit = pending(rq);
          const go = () => place(rq, rit, 0, () => deliver(ws, reply.t !== undefined ? reply.t : appBinary(ws, reply.b as Uint8Array), originOf(st), ''));
          try {
            later(go, 0);
          } catch {
            go(); // no timer to be had: answer now rather than leave the socket's received frames waiting forever
          }
          if (forward) place(q, it, 0, () => sendNow(ws, sendable(f)));
          else if (it) place(q, it, 0, NOOP);
          return DONE;
        }
        case 'close': {
          const code = +a.code;
          const reason = Str(a.reason);
          hit(ws, rule, 'closed', f);
          place(q, it, 0, () => closeNow(ws, code, reason));
          return DONE;
        }
        case 'hold':
          if (holdFrame(ws, f, rule, a.maxMs, q, it, goSent(ws, f, rule, q), NOOP)) return DONE;
          return passSent(ws, st, sendable(f), it);
        case 'break':
          hit(ws, rule, 'paused', f);
          // Within the app's call to send (unless the frame waited its turn): its caller is on the stack.
          pauseOn(ws, f, rule);
          return passSent(ws, st, sendable(f), it);
        default:
          return passSent(ws, st, sendable(f), it);
      }
    };
    /** Reads a Blob frame's bytes into its pending item; whatever fails, the item goes on as `fallback`. */
    const readBlob = (q: Queue, it: Item, f: Frame, decide: () => void, fallback: () => void): void => {
      const settle = (fn: () => void) => {
        try {
          fn();
        } catch {
          /* fall back below */
        }
        if (!it.ready && !it.held) place(q, it, 0, fallback);
      };
      try {
        const p = apply(blobArrayBuffer as Fn, f.blob as Blob, []) as Promise<ArrayBuffer>;
        apply(promiseThen, p, [
          (buf: ArrayBuffer) => settle(() => {
            f.bytes = new U8(buf);
            decide();
          }),
          () => settle(NOOP),
        ]);
      } catch {
        settle(NOOP);
      }
    };
    // ---- The gate: a document that starts while its tab's rules are in force (reg.gate, wall-clock ms) keeps its
    // frames, in order, until the first rules reach it (reg.ungate) or the gate's time is up; then each goes through
    // the rules as they are then. ----
    const gateWaiting: Array<() => void> = [];
    let gateTimer: unknown = undefined;
    const gated = (): boolean => {
      const gt = +(reg.gate as number) || 0;
      return gt > 0 && now() < gt;
    };
    const ungate = (): void => {
      reg.gate = 0;
      const t = gateTimer;
      gateTimer = undefined;
      if (t !== undefined) {
        try {
          apply(clearTimeout_, g, [t]);
        } catch {
          /* it fires and finds nothing waiting */
        }
      }
      const list = gateWaiting.splice(0, gateWaiting.length);
      for (let i = 0; i < list.length; i++) {
        try {
          list[i]();
        } catch {
          /* each frame goes on by itself */
        }
      }
    };
    /** Keeps `go` until the gate opens; false (nothing kept) when no timer could be set to open it. */
    const atGate = (go: () => void): boolean => {
      if (gateTimer === undefined) {
        try {
          const wait = (+(reg.gate as number) || 0) - now();
          gateTimer = apply(timeout, g, [ungate, wait > 0 ? wait : 0]);
        } catch {
          return false;
        }
      }
      append(gateWaiting, go);
      return true;
    };

    const onSend = (ws: WebSocket, args: unknown[]): number => {
      // Not open (or no data): the native send throws or discards, as it would.
      if (args.length === 0 || readyState(ws) !== 1) return NATIVE;
      const st = stateOf(ws);
      const data = args[0];
      if (gated()) {
        const gf = frameOf(st, 'sent', data);
        if (gf && gf.blob === undefined) {
          const it = pending(st.sq);
          const kept = atGate(() => {
            const rs = activeRules();
            const r = rs ? pick(rs, gf) : null;
            if (r && r !== MAYBE) actSent(ws, st, gf, r as PageRule, it);
            else place(st.sq, it, 0, () => sendNow(ws, sendable(gf)));
          });
          if (kept) return DONE;
          place(st.sq, it, 0, () => sendNow(ws, sendable(gf)));
          return DONE;
        }
      }
      const rules = activeRules();
      if (!rules && st.sq.head === null) return NATIVE;
      const f = frameOf(st, 'sent', data);
      if (!rules || !f) return passSent(ws, st, f ? sendable(f) : data, null);
      const rule = pick(rules, f);
      if (rule === MAYBE) {
        // A Blob: its bytes are read first, and the socket's later frames wait behind it.
        const it = pending(st.sq);
        readBlob(st.sq, it, f, () => {
          const now2 = activeRules();
          const r = now2 ? pick(now2, f) : null;
          if (r && r !== MAYBE) actSent(ws, st, f, r as PageRule, it);
          else place(st.sq, it, 0, () => sendNow(ws, f.blob));
        }, () => sendNow(ws, f.blob));
        return DONE;
      }
      if (rule === null) return passSent(ws, st, sendable(f), null);
      return actSent(ws, st, f, rule as PageRule, null);
    };

    // ---- Received frames. ----
    type Meta = { origin: string; lastEventId: string };
    const passReceived = (ws: WebSocket, st: State, data: unknown, meta: Meta, e: Event | null, it: Item | null): void => {
      if (!it) {
        if (st.rq.head === null) return; // the original event goes on to the app
        apply(stopImmediate, e as Event, []);
      }
      place(st.rq, it, 0, () => deliver(ws, data, meta.origin, meta.lastEventId));
    };
    /** A matched received frame. `e`: the original event, still to stop (null once stopped). */
    const actReceived = (ws: WebSocket, st: State, f: Frame, rule: PageRule, data: unknown, meta: Meta, e: Event | null, it: Item | null): void => {
      const a = rule.action;
      const q = st.rq;
      const stop = () => {
        if (e) apply(stopImmediate, e, []);
      };
      switch (a.kind) {
        case 'block':
          stop();
          hit(ws, rule, 'blocked', f);
          if (it) place(q, it, 0, NOOP);
          return;
        case 'rewrite': {
          const out = tryRewrite(a.rewrite, f);
          if (!out) return passReceived(ws, st, data, meta, e, it);
          const d = out.t !== undefined ? out.t : appBinary(ws, out.b as Uint8Array);
          const delivered = wireOfOut(out);
          stop();
          hit(ws, rule, 'rewritten', f, (h) => (h.delivered = delivered));
          place(q, it, 0, () => deliver(ws, d, meta.origin, meta.lastEventId));
          return;
        }
        case 'delay':
          stop();
          place(q, it, f.t0 + ms(a.ms), () => {
            const waited = now() - f.t0;
            deliver(ws, data, meta.origin, meta.lastEventId);
            hit(ws, rule, 'delayed', f, (h) => {
              h.delivered = wireOf(f);
              h.waited = waited;
            });
          });
          return;
        case 'close': {
          const code = +a.code;
          const reason = Str(a.reason);
          stop();
          hit(ws, rule, 'closed', f);
          place(q, it, 0, () => closeNow(ws, code, reason));
          return;
        }
        case 'hold':
          if (holdFrame(ws, f, rule, a.maxMs, q, it, goReceived(ws, f, rule, q, data, meta), stop)) return;
          return passReceived(ws, st, data, meta, e, it);
        case 'break':
          hit(ws, rule, 'paused', f);
          // Before the app's listeners: the event goes on to them as it came once the user resumes.
          pauseOn(ws, f, rule);
          return passReceived(ws, st, data, meta, e, it);
        default:
          return passReceived(ws, st, data, meta, e, it);
      }
    };
    const onMessage = (ws: WebSocket, st: State, e: MessageEvent): void => {
      if (gated()) {
        const gdata = read(gData, e, 'data');
        const gmeta: Meta = { origin: Str(read(gOrigin, e, 'origin')), lastEventId: Str(read(gLastEventId, e, 'lastEventId')) };
        const gf = frameOf(st, 'received', gdata);
        if (gf && gf.blob === undefined) {
          apply(stopImmediate, e, []);
          const it = pending(st.rq);
          const pass = () => deliver(ws, gdata, gmeta.origin, gmeta.lastEventId);
          const kept = atGate(() => {
            const rs = activeRules();
            const r = rs ? pick(rs, gf) : null;
            if (r && r !== MAYBE) actReceived(ws, st, gf, r as PageRule, gdata, gmeta, null, it);
            else place(st.rq, it, 0, pass);
          });
          if (!kept) place(st.rq, it, 0, pass);
          return;
        }
      }
      const rules = activeRules();
      if (!rules && st.rq.head === null) return;
      const data = read(gData, e, 'data');
      const meta: Meta = { origin: Str(read(gOrigin, e, 'origin')), lastEventId: Str(read(gLastEventId, e, 'lastEventId')) };
      const f = rules ? frameOf(st, 'received', data) : null;
      if (!rules || !f) return passReceived(ws, st, data, meta, e, null);
      const rule = pick(rules, f);
      if (rule === MAYBE) {
        // A Blob: held back while its bytes are read; the socket's later frames wait behind it.
        apply(stopImmediate, e, []);
        const it = pending(st.rq);
        const pass = () => deliver(ws, data, meta.origin, meta.lastEventId);
        readBlob(st.rq, it, f, () => {
          const now2 = activeRules();
          const r = now2 ? pick(now2, f) : null;
          if (r && r !== MAYBE) actReceived(ws, st, f, r as PageRule, data, meta, null, it);
          else place(st.rq, it, 0, pass);
        }, pass);
        return;
      }
      if (rule === null) return passReceived(ws, st, data, meta, e, null);
      actReceived(ws, st, f, rule as PageRule, data, meta, e, null);
    };

    // ---- Install. ----
    if (!isArray(reg.rules)) reg.rules = [];
    if (typeof reg.until !== 'number') reg.until = 0;
    if (!isArray(reg.hits)) reg.hits = [];
    if (typeof reg.hitsLost !== 'number') reg.hitsLost = 0;
    if (typeof reg.heldOverflow !== 'number') reg.heldOverflow = 0;
    reg.held = heldList;
    reg.created = created;

    const hooked = new g.Proxy(nativeSend, bare({
      apply(target: WebSocket['send'], self: WebSocket, args: unknown[]): unknown {
        if (busy === 0) {
          const r = reg.rules;
          if ((!r || !(r.length > 0) || !(now() < reg.until)) && !gated()) return apply(target, self, args);
        }
        let how: number;
        try {
          how = onSend(self, args);
        } catch {
          how = NATIVE;
        }
        return how === NATIVE ? apply(target, self, args) : undefined;
      },
    }));
    const d = getDesc(proto, 'send');
    if (!d) return;
    defineOwn(proto, 'send', bare({ value: hooked, writable: d.writable, enumerable: d.enumerable, configurable: d.configurable }));
    reg.release = release;
    reg.ungate = ungate;

    reg.intercept = (ws: WebSocket): void => {
      try {
        if (apply(wsHas, intercepted, [ws])) return;
        apply(wsAdd, intercepted, [ws]);
        apply(wmSet, created, [ws, now()]);
        const st = stateOf(ws);
        // Added before the page holds the socket, as a capture listener: it runs before every listener of the app.
        apply(addEL, ws, ['message', (e: MessageEvent) => {
          if (busy === 0) {
            const r = reg.rules;
            if ((!r || !(r.length > 0) || !(now() < reg.until)) && !gated()) return;
          }
          try {
            if (apply(wsHas, ours, [e])) return;
            onMessage(ws, st, e);
          } catch {
            /* never break the page: the event goes on as it came */
          }
        }, true]);
      } catch {
        /* never break the page */
      }
    };
  } catch {
    /* never break the page: it runs as if nothing were installed */
  }
}
