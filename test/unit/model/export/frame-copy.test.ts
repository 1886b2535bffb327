import { describe, expect, it } from 'vitest';
import {
  binaryAsUtf8, frameAsBase64, frameAsHex, frameAsPrettyJson, frameAsText, jsonPathText, jsonValueText,
} from '../../../../src/model/export/frame-copy';
import { binary, HOSTILE_TEXTS, text } from './helpers';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('copying a frame', () => {
  it('copies text frames as their text, hostile characters included', () => {
    for (const s of HOSTILE_TEXTS) expect(frameAsText(text('sent', 1, s))).toBe(s);
  });

  it('copies readable binary as its UTF-8 text and anything else as hex, never as replacement characters', () => {
    expect(frameAsText(binary('received', 1, utf8('héllo\n\tworld')))).toBe('héllo\n\tworld');
    expect(frameAsText(binary('received', 1, [0x68, 0xff, 0x69]))).toBe('68 ff 69'); // not UTF-8
    expect(frameAsText(binary('received', 1, [0x61, 0x00, 0x62]))).toBe('61 00 62'); // UTF-8, but NUL is data
    expect(frameAsText(binary('received', 1, [0xed, 0xa0, 0x80]))).toBe('ed a0 80'); // an encoded lone surrogate
    expect(frameAsText(binary('received', 1, [0x1b, 0x5b, 0x33]))).toBe('1b 5b 33'); // escape sequences
    expect(frameAsText(binary('received', 1, []))).toBe('');
    expect(binaryAsUtf8(utf8('😀'))).toBe('😀');
  });

  it('gives hex and base64 of the bytes on the wire (UTF-8 for text)', () => {
    expect(frameAsHex(text('sent', 1, 'é"'))).toBe('c3 a9 22');
    expect(frameAsHex(binary('sent', 1, [0, 255]))).toBe('00 ff');
    expect(frameAsBase64(text('sent', 1, 'hi'))).toBe('aGk=');
    expect(frameAsBase64(binary('sent', 1, [0, 1, 2, 254, 255]))).toBe('AAEC/v8=');
    expect(frameAsHex(text('sent', 1, '\ud800'))).toBe('ef bf bd'); // what the browser put on the wire
  });

  it('copes with a large payload', () => {
    const big = new Uint8Array(4 * 1024 * 1024).map((_, i) => i & 0xff);
    expect(frameAsBase64(binary('sent', 1, big))).toHaveLength(Math.ceil(big.length / 3) * 4);
    expect(frameAsText(binary('sent', 1, big))).toHaveLength(big.length * 3 - 1);
  });
});

describe('copying pretty JSON', () => {
  it('indents objects and arrays, keeping empty ones compact', () => {
    const r = frameAsPrettyJson(text('received', 1, ' {"a":[1,2,{}],"b":{"c":[]}, "d" : null}'));
    expect(r).toEqual({ ok: true, text: '{\n  "a": [\n    1,\n    2,\n    {}\n  ],\n  "b": {\n    "c": []\n  },\n  "d": null\n}' });
    expect(frameAsPrettyJson(text('received', 1, '[ ]'))).toEqual({ ok: true, text: '[]' });
    expect(frameAsPrettyJson(text('received', 1, '"x"'), 4)).toEqual({ ok: true, text: '"x"' });
  });

  it('keeps numbers and strings exactly as written: big integers are not rounded, escapes not undone', () => {
    const src = '{"id":12345678901234567890,"f":1.50e+3,"s":"a\\u00e9 \\"q\\" {[,:]} \\\\","u":"\\u2028\\ud800"}';
    const r = frameAsPrettyJson(text('received', 1, src));
    if (!r.ok) throw new Error(r.error);
    expect(r.text).toContain('"id": 12345678901234567890');
    expect(r.text).toContain('"f": 1.50e+3');
    expect(r.text).toContain('"s": "a\\u00e9 \\"q\\" {[,:]} \\\\"');
    expect(r.text).toContain('"u": "\\u2028\\ud800"');
    expect(JSON.parse(r.text)).toEqual(JSON.parse(src));
  });

  it('reads JSON from binary frames that are UTF-8', () => {
    expect(frameAsPrettyJson(binary('received', 1, utf8('{"a":"é"}')))).toEqual({ ok: true, text: '{\n  "a": "é"\n}' });
  });

  it('says why a payload is not JSON', () => {
    for (const s of ['', 'hello', '{"a":1', '{"a":1}x', "{'a':1}", 'NaN']) {
      const r = frameAsPrettyJson(text('received', 1, s));
      expect(r.ok, s).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/^Not JSON: /);
    }
    expect(frameAsPrettyJson(binary('received', 1, [0x7b, 0xff, 0x7d]))).toEqual({ ok: false, error: 'Not JSON: the binary payload is not UTF-8 text.' });
  });

  it('reindents deeply nested JSON as JSON.stringify would', () => {
    const v = { a: [[[{ b: [1, { c: 'x' }] }]]], 'k "q"': { '': [true, false, null] } };
    const r = frameAsPrettyJson(text('received', 1, JSON.stringify(v)));
    expect(r).toEqual({ ok: true, text: JSON.stringify(v, null, 2) });
  });
});

describe('copying a JSON tree value', () => {
  it('gives the value as JSON text and where it is as a JSONPath', () => {
    expect(jsonValueText({ a: [1, 'x'] })).toBe('{\n  "a": [\n    1,\n    "x"\n  ]\n}');
    expect(jsonValueText('say "hi"\n')).toBe('"say \\"hi\\"\\n"');
    expect(jsonValueText(null)).toBe('null');
    expect(jsonValueText(undefined)).toBe('');
    expect(jsonPathText(['a', 0, 'odd key'])).toBe('$.a[0]["odd key"]');
  });
});
