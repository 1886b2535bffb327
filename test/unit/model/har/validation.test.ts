// HAR import of hostile files: every field Frameline reads is checked. HAR's own fields refuse the file with a message
// naming the entry (and message); Frameline's and other recorders' extensions are left out and counted.
import { describe, expect, it } from 'vitest';
import { HarError, parseHar } from '../../../../src/model/har';
import { SessionStore } from '../../../../src/model/store';
import type { Connection } from '../../../../src/model/types';
import { buildHar } from '../../../../src/model/har';
import { capturedStore, framesOf, harEntry, harOf, importStore } from './helpers';

const T0 = 1795309824;
const msg = (over: Record<string, unknown> = {}) => ({ type: 'receive', time: T0, opcode: 1, data: 'x', ...over });
/** One entry with these messages, after a good entry (so the messages name entry 1). */
const withMessages = (...messages: unknown[]) => harOf([harEntry(), harEntry({ _webSocketMessages: messages })]);
/** One entry with a field of its own replaced (entry 0). */
const withField = (over: Record<string, unknown>) => harOf([harEntry({ _webSocketMessages: [msg()], ...over })]);
const response = (over: Record<string, unknown>) => ({ ...harEntry().response, ...over });
const frameline = (over: Record<string, unknown>) => ({ connectionId: 1, state: 'closed', openedBeforeCapture: false, target: { type: 'page' }, protocol: '', extensions: '', ...over });

/** Import `text` and return its one connection and the warnings (the file must open). */
function opened(text: string): { conn: Connection; warnings: string[] } {
  const { imp, s } = importStore(text);
  return { conn: s.connections.get(1)!, warnings: imp.warnings };
}

describe('HAR import refuses a file whose HAR fields are wrong, naming the entry and message', () => {
  it.each([
    // Times.
    ['a time of 1e300', withMessages(msg({ time: 1e300 })), /^Entry 1, message 0: time 1e\+300 is out of range/],
    ['a time of 1e400 (Infinity once parsed)', withMessages(msg()).replace(`"time":${T0}`, '"time":1e400'), /Entry 1, message 0: time is not a number/],
    ['a negative time', withMessages(msg({ time: -5 })), /Entry 1, message 0: time -5 is out of range/],
    ['a time as a string', withMessages(msg({ time: '1795309824' })), /Entry 1, message 0: time is not a number/],
    ['a time as an object', withMessages(msg({ time: { valueOf: 1 } })), /Entry 1, message 0: time is not a number/],
    ['milliseconds past 9999', withMessages(msg({ time: 1e15 })), /Entry 1, message 0: time 1000000000000000 is out of range/],
    ['monotonic times spread past 9999', withMessages(msg({ time: 1 }), msg({ time: 9e11 })), /Entry 1, message 1: time 900000000000 is out of range/],
    ['a later message out of range', withMessages(msg(), msg(), msg({ time: 1e300 })), /Entry 1, message 2: time/],
    // startedDateTime.
    ['startedDateTime as a number', withField({ startedDateTime: 1e300 }), /^Entry 0: startedDateTime is missing or not a date from 1970 to 9999\.$/],
    ['startedDateTime before 1970', withField({ startedDateTime: '1969-12-31T23:59:59Z' }), /Entry 0: startedDateTime/],
    ['startedDateTime past 9999', withField({ startedDateTime: '+275760-09-13T00:00:00.000Z' }), /Entry 0: startedDateTime/],
    ['startedDateTime that only a lenient parser reads', withField({ startedDateTime: '1' }), /Entry 0: startedDateTime/],
    ['startedDateTime as an object', withField({ startedDateTime: { toString: 'x' } }), /Entry 0: startedDateTime/],
    // Message types and opcodes.
    ['a type that is an object', withMessages(msg({ type: { send: true } })), /Entry 1, message 0: type an object is not send, receive or error\./],
    ['a type named __proto__', withMessages(msg({ type: '__proto__' })), /Entry 1, message 0: type "__proto__" is not send/],
    ['a missing type', withMessages({ time: T0, data: '' }), /Entry 1, message 0: type undefined is not send/],
    ['opcode 3', withMessages(msg({ opcode: 3 })), /Entry 1, message 0: opcode 3 is not a WebSocket opcode \(0, 1, 2, 8, 9, 10, or -1 for an error\)\./],
    ['opcode as a string', withMessages(msg({ opcode: '1' })), /Entry 1, message 0: opcode "1" is not a WebSocket opcode/],
    ['opcode 1.5', withMessages(msg({ opcode: 1.5 })), /message 0: opcode 1.5 is not/],
    ['opcode null', withMessages(msg({ opcode: null })), /message 0: opcode null is not/],
    ['opcode 1e300', withMessages(msg({ opcode: 1e300 })), /message 0: opcode 1e\+300 is not/],
    ['data as a list', withMessages(msg({ data: ['x'] })), /Entry 1, message 0: data is not a string\./],
    ['a message that is a string', withMessages('hello'), /Entry 1, message 0 is not an object\./],
    // Binary data.
    ['base64 with a bad character', withMessages(msg({ opcode: 2, data: 'AQ%D' })), /Entry 1, message 0: binary data is not base64 \("%" at 2 is not a base64 character\)\./],
    ['base64 with a non-ASCII character', withMessages(msg({ opcode: 2, data: 'AQé=' })), /binary data is not base64 \("é" at 2/],
    ['base64 with whitespace', withMessages(msg({ opcode: 2, data: 'AQID AQID' })), /binary data is not base64 \(" " at 4/],
    ['base64 of a length it cannot have', withMessages(msg({ opcode: 2, data: 'AQIDA' })), /binary data is not base64 \(its length \(5\) is not one base64 has\)/],
    ['padded base64 of a bad length', withMessages(msg({ opcode: 2, data: 'AQ=' })), /binary data is not base64 \(its length \(3\)/],
    ['padding inside base64', withMessages(msg({ opcode: 2, data: 'AQ==AQID' })), /binary data is not base64 \("=" is only padding/],
    ['three padding characters', withMessages(msg({ opcode: 2, data: 'A===' })), /binary data is not base64 \("=" is only padding/],
    ['ping data that is not base64', withMessages(msg({ opcode: 9, data: 'ping!' })), /message 0: binary data is not base64/],
    // Headers.
    ['headers that are a string', withField({ request: { ...harEntry().request, headers: 'Origin: x' } }), /^Entry 0, request: headers is not a list\.$/],
    ['headers that are an object', withField({ response: response({ headers: { Origin: 'x' } }) }), /Entry 0, response: headers is not a list/],
    ['a header with a number value', withField({ request: { ...harEntry().request, headers: [{ name: 'a', value: 'b' }, { name: 'X', value: 1 }] } }), /^Entry 0, request: header 1 needs a string name and value\.$/],
    ['a header that is null', withField({ response: response({ headers: [null] }) }), /Entry 0, response: header 0 needs/],
    ['a header with an object value', withField({ response: response({ headers: [{ name: 'X', value: { toString: 'x' } }] }) }), /Entry 0, response: header 0/],
    // The response and timings.
    ['a response that is a string', withField({ response: '101 Switching Protocols' }), /^Entry 0: response is not an object\.$/],
    ['a status as a string', withField({ response: response({ status: '101' }) }), /^Entry 0: response.status "101" is not an HTTP status code\.$/],
    ['a status of 1e300', withField({ response: response({ status: 1e300 }) }), /Entry 0: response.status 1e\+300 is not an HTTP status code/],
    ['a negative status', withField({ response: response({ status: -1 }) }), /Entry 0: response.status -1/],
    ['a status of 1000', withField({ response: response({ status: 1000 }) }), /Entry 0: response.status 1000/],
    ['a status of 101.5', withField({ response: response({ status: 101.5 }) }), /Entry 0: response.status 101.5/],
    ['a statusText that is a number', withField({ response: response({ statusText: 101 }) }), /^Entry 0: response.statusText is not a string\.$/],
    ['timings that are a list', withField({ timings: [0] }), /^Entry 0: timings is not an object\.$/],
    ['a wait as a string', withField({ timings: { wait: '3' } }), /^Entry 0: timings.wait is not a number\.$/],
    ['a wait of 1e300', withField({ timings: { wait: 1e300 } }), /^Entry 0: timings.wait 1e\+300 is out of range\.$/],
  ])('%s', (_name, text, message) => {
    expect(() => parseHar(text)).toThrow(HarError);
    expect(() => parseHar(text)).toThrow(message);
  });

  it('names a long value by its first characters, not whole', () => {
    const text = withMessages(msg({ type: 'x'.repeat(100_000) }));
    expect(() => parseHar(text)).toThrow(/type "x{40}…" is not send/);
    try {
      parseHar(text);
    } catch (e) {
      expect((e as Error).message.length).toBeLessThan(200);
    }
  });

  it('reads every opcode Frameline knows, and a HAR time of 0 (the epoch) or 9999', () => {
    const ops = [0, 1, 2, 8, 9, 10].map((opcode) => msg({ opcode, data: opcode === 1 ? 'x' : 'AQ==' }));
    const { imp, s } = importStore(harOf([harEntry({ _webSocketMessages: [...ops, msg({ type: 'error', opcode: -1, data: 'bad frame' })] })]));
    expect(imp.frames).toBe(7);
    expect(framesOf(s).map((f) => f.opcode)).toEqual([0, 1, 2, 8, 9, 10, -1]);
    expect(() => parseHar(withField({ startedDateTime: '1970-01-01T00:00:00.000Z' }))).not.toThrow();
    expect(() => parseHar(withField({ startedDateTime: '9999-12-31T23:59:59.999Z' }))).not.toThrow();
  });

  it('keeps a header named __proto__ as a header, and HAR -1 waits as unknown', () => {
    const text = withField({ request: { ...harEntry().request, headers: [{ name: '__proto__', value: 'x' }] }, timings: { wait: -1 } });
    const { conn } = opened(text);
    expect(conn.request?.headers).toEqual([{ name: '__proto__', value: 'x' }]);
    expect(conn.openTs).toBeUndefined();
  });
});

describe('HAR import leaves out an extension field it cannot read, and counts it', () => {
  it.each([
    ['_frameline as a string', { _frameline: 'closed' }, /Entry 0: _frameline is "closed", not an object/],
    ['_frameline as a list', { _frameline: [1] }, /Entry 0: _frameline is a list, not an object/],
    ['a state it does not know', { _frameline: frameline({ state: 'exploded' }) }, /Entry 0: _frameline.state: "exploded" is not a connection state/],
    ['a state named __proto__', { _frameline: frameline({ state: '__proto__' }) }, /_frameline.state: "__proto__" is not/],
    ['openedBeforeCapture as a string', { _frameline: frameline({ openedBeforeCapture: 'yes' }) }, /_frameline.openedBeforeCapture: "yes" is not true or false/],
    ['a target as a string', { _frameline: frameline({ target: 'page' }) }, /_frameline.target: "page" is not \{type: page, iframe, worker, shared_worker, service_worker or other, url\}/],
    ['a target type it does not know', { _frameline: frameline({ target: { type: 'constructor' } }) }, /_frameline.target: an object is not/],
    ['a target url that is a number', { _frameline: frameline({ target: { type: 'iframe', url: 5 } }) }, /_frameline.target/],
    ['a protocol that is a number', { _frameline: frameline({ protocol: 5 }) }, /_frameline.protocol: 5 is not a string/],
    ['extensions that are an object', { _frameline: frameline({ extensions: {} }) }, /_frameline.extensions: an object is not a string/],
    ['an error that is a list', { _frameline: frameline({ error: ['x'] }) }, /_frameline.error: a list is not a string/],
    ['an initiator that is a string', { _frameline: frameline({ initiator: 'script' }) }, /_frameline.initiator: "script" is not an object/],
    ['an initiator without a type', { _frameline: frameline({ initiator: { url: 'x' } }) }, /_frameline.initiator: its type is not a string/],
    ['_webSocketClose as a number', { _webSocketClose: 1000 }, /Entry 0: _webSocketClose is 1000, neither "aborted" nor \{code, reason, timestamp, wasClean\}/],
    ['_webSocketClose as another string', { _webSocketClose: 'closed' }, /_webSocketClose is "closed"/],
    ['a close code out of range', { _webSocketClose: { code: 99999 } }, /_webSocketClose.code: 99999 is not a WebSocket close code \(1000–4999\)/],
    ['a close code as a string', { _webSocketClose: { code: '1000' } }, /_webSocketClose.code: "1000" is not/],
    ['a close reason that is an object', { _webSocketClose: { code: 1000, reason: {} } }, /_webSocketClose.reason: an object is not a string/],
    ['wasClean as a string', { _webSocketClose: { code: 1000, wasClean: 'yes' } }, /_webSocketClose.wasClean: "yes" is not true or false/],
    ['a close timestamp of 1e300', { _webSocketClose: { code: 1000, timestamp: 1e300 } }, /_webSocketClose.timestamp: 1e\+300 is not a time in range/],
    ['a negative close timestamp', { _webSocketClose: { code: 1000, timestamp: -1 } }, /_webSocketClose.timestamp: -1 is not/],
    ['a close timestamp as a string', { _webSocketClose: { code: 1000, timestamp: 'now' } }, /_webSocketClose.timestamp: "now" is not/],
  ])('%s', (_name, over, warning) => {
    const { warnings, conn } = opened(withField(over));
    expect(warnings.join(' ')).toMatch(/^1 fields Frameline could not read were left out \(Entry 0: /);
    expect(warnings.join(' ')).toMatch(warning);
    // The connection keeps what a HAR without the field gives.
    expect(conn.state).toBe('closed');
    expect(conn.openedBeforeCapture).toBe(false);
    expect(conn.target).toEqual({ type: 'page' });
    expect([conn.protocol, conn.extensions, conn.error, conn.closeTs]).toEqual(['', '', undefined, undefined]);
  });

  it('falls back on the handshake headers for a subprotocol it cannot read', () => {
    const text = withField({ response: response({ headers: [{ name: 'Sec-WebSocket-Protocol', value: 'chat' }] }), _frameline: frameline({ protocol: 5 }) });
    expect(opened(text).conn.protocol).toBe('chat');
  });

  it('keeps an initiator whose stack is wrong, without the stack (a string stack once crashed the handshake view)', () => {
    for (const stack of ['at f (a.js:1:1)', 5, { callFrames: 'x' }, [{ functionName: 1, url: 'a.js', lineNumber: 0, columnNumber: 0 }], [null], [{ functionName: 'f', url: 'a.js', lineNumber: -1, columnNumber: 0 }], [{ functionName: 'f', url: 'a.js', lineNumber: 1.5, columnNumber: 0 }]]) {
      const { conn, warnings } = opened(withField({ _frameline: frameline({ initiator: { type: 'script', url: 'https://h/a.js', stack } }) }));
      expect(conn.initiator).toEqual({ type: 'script', url: 'https://h/a.js' });
      expect(warnings.join(' ')).toMatch(/Entry 0: _frameline.initiator.stack: /);
    }
  });

  it("flattens CDP's stack trace shape (callFrames and async parents) into Frameline's list", () => {
    const frame = (fn: string, line: number) => ({ functionName: fn, scriptId: '7', url: 'https://h/a.js', lineNumber: line, columnNumber: 4 });
    const stack = { callFrames: [frame('send', 1)], parent: { description: 'await', callFrames: [frame('main', 9)] } };
    const { conn, warnings } = opened(withField({ _frameline: frameline({ initiator: { type: 'script', stack } }) }));
    expect(warnings).toEqual([]);
    expect(conn.initiator?.stack).toEqual([
      { functionName: 'send', url: 'https://h/a.js', lineNumber: 1, columnNumber: 4 },
      { functionName: 'main', url: 'https://h/a.js', lineNumber: 9, columnNumber: 4 },
    ]);
  });

  it('cuts a stack made to be huge', () => {
    const stack = Array.from({ length: 5000 }, () => ({ functionName: 'f', url: 'a.js', lineNumber: 0, columnNumber: 0 }));
    const { conn, warnings } = opened(withField({ _frameline: frameline({ initiator: { type: 'script', stack } }) }));
    expect(conn.initiator?.stack).toHaveLength(1024);
    expect(warnings.join(' ')).toMatch(/_frameline.initiator.stack: more than 1024 call frames: the first 1024 were kept/);
  });

  it("keeps a shared or service worker as the socket's context", () => {
    for (const type of ['shared_worker', 'service_worker']) {
      const { conn, warnings } = opened(withField({ _frameline: frameline({ target: { type, url: 'https://h/sw.js' } }) }));
      expect(warnings).toEqual([]);
      expect(conn.target).toEqual({ type, url: 'https://h/sw.js' });
    }
  });

  it('keeps only the fields it knows, in fresh objects: a "__proto__" key in the file reaches nothing', () => {
    const text = withField({ _frameline: frameline({ target: { type: 'iframe', url: 'https://h/', extra: 1 }, initiator: { type: 'script', junk: 1 } }) }).replace(
      '"extra":1',
      '"__proto__":{"polluted":true}',
    );
    expect(JSON.parse(text).log.entries[0]._frameline.target).toHaveProperty('__proto__');
    const { conn, warnings } = opened(text);
    expect(warnings).toEqual([]);
    expect(conn.target).toEqual({ type: 'iframe', url: 'https://h/' });
    expect(Object.keys(conn.target)).toEqual(['type', 'url']);
    expect(Object.getPrototypeOf(conn.target)).toBe(Object.prototype);
    expect(conn.initiator).toEqual({ type: 'script' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('ignores the fields import does not use (connectionId, sanitized), whatever they hold', () => {
    const { warnings } = opened(withField({ _frameline: frameline({ connectionId: '__proto__', sanitized: 'all' }) }));
    expect(warnings).toEqual([]);
  });

  it('leaves out a _replayed or _injected mark that is not true or false, keeping the message', () => {
    const { imp, s } = importStore(withMessages(msg({ _replayed: 'yes' }), msg({ _injected: 1 })));
    expect(imp.frames).toBe(2);
    expect(framesOf(s).map((f) => f.mark)).toEqual([undefined, undefined]);
    expect(imp.warnings.join(' ')).toMatch(/2 fields .* \(Entry 1, message 0: _replayed: "yes" is not true or false; Entry 1, message 1: _injected: 1 is not true or false\)/);
  });

  it('counts every field left out and names the first three', () => {
    const bad = { _frameline: frameline({ state: 1, protocol: 2, extensions: 3, error: 4 }), _webSocketClose: { code: 5 } };
    const { imp } = importStore(harOf([harEntry(bad), harEntry(bad)]));
    const w = imp.warnings.join(' ');
    expect(w).toMatch(/^10 fields Frameline could not read were left out \(Entry 0: _frameline.state: 1 is not a connection state; Entry 0: _frameline.protocol: 2 is not a string; Entry 0: _frameline.extensions: 3 is not a string; and 7 more\)\.$/);
  });
});

describe('HAR round trip after validation', () => {
  it('export → import keeps every field Frameline writes, with no warnings', () => {
    const store = capturedStore();
    const id = store.connectionOrder[1];
    const orig: Connection = {
      ...store.connections.get(id)!,
      state: 'error',
      openedBeforeCapture: true,
      target: { type: 'iframe', url: 'https://frame.example/' },
      protocol: 'chat.v2',
      extensions: 'permessage-deflate',
      error: 'net::ERR_CONNECTION_RESET',
      initiator: { type: 'script', url: 'https://h/app.js', lineNumber: 41, stack: [{ functionName: '', url: 'https://h/app.js', lineNumber: 41, columnNumber: 7 }] },
      closeCode: 4000,
      closeReason: 'bye',
      wasClean: false,
    };
    store.apply([{ t: 'conn', conn: orig }]);
    const other = store.connectionOrder[0];
    const detached: Connection = { ...store.connections.get(other)!, state: 'unknown', stateNote: 'The debugger was detached.', untrusted: 'Hook came late.' };
    store.apply([{ t: 'conn', conn: detached }]);
    const { imp, s } = importStore(buildHar(store, { sanitize: true }));
    const back0 = [...s.connections.values()][0];
    expect([back0.state, back0.stateNote, back0.untrusted]).toEqual(['unknown', 'The debugger was detached.', 'Hook came late.']);
    expect(imp.warnings).toEqual([]);
    expect(framesOf(s)).toEqual(framesOf(store));
    const back = [...s.connections.values()][store.connectionOrder.indexOf(id)];
    for (const k of ['state', 'openedBeforeCapture', 'target', 'protocol', 'extensions', 'error', 'initiator', 'closeCode', 'closeReason', 'wasClean'] as const) {
      expect(back[k], k).toEqual(orig[k]);
    }
  });

  it('imports an empty session and a session captured before any anchor (startedDateTime at the epoch)', () => {
    expect(parseHar(buildHar(new SessionStore())).connections).toBe(0);
    const s = new SessionStore();
    s.apply([{ t: 'conn', conn: { id: 1, url: 'ws://h/x', state: 'open', openedBeforeCapture: false, target: { type: 'page' }, createdTs: 5 } }]);
    expect(parseHar(buildHar(s)).connections).toBe(1);
  });
});
