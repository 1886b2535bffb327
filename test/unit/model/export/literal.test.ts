import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { jsCommentText, jsPayload, jsString } from '../../../../src/model/export/literal';
import * as api from '../../../../src/model/export';
import { binary, HOSTILE_TEXTS, text } from './helpers';

const evaluate = (source: string): unknown => runInNewContext(source, { Buffer });

describe('JavaScript literals', () => {
  it('evaluate back to exactly the string, lone surrogates included, written in ASCII-safe escapes where it matters', () => {
    for (const s of HOSTILE_TEXTS) {
      const lit = jsString(s);
      expect(evaluate(lit)).toBe(s);
      expect(lit).not.toMatch(/[\n\r\u2028\u2029\0]/);
      expect(new TextDecoder().decode(new TextEncoder().encode(lit))).toBe(lit); // survives a UTF-8 file: no lone surrogate left raw
    }
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => evaluate(jsString(s)) === s));
  });

  it('write binary payloads as a Buffer from base64 and text as a string', () => {
    const buf = evaluate(jsPayload(binary('sent', 1, [0, 0x22, 0x27, 0x60, 0xff]))) as Buffer;
    expect([...buf]).toEqual([0, 0x22, 0x27, 0x60, 0xff]);
    expect(evaluate(jsPayload(text('sent', 1, '`${x}`')))).toBe('`${x}`');
  });

  it('keep comment text on its line', () => {
    expect(jsCommentText('a\nb\r\nc\u2028d\u2029e')).toBe('a b  c d e');
  });
});

describe('export index', () => {
  it('exposes the public API', () => {
    for (const name of [
      'frameAsText', 'frameAsPrettyJson', 'frameAsHex', 'frameAsBase64', 'jsonValueText', 'jsonPathText', 'parseJsonPath',
      'jsonlChunks', 'estimateJsonlBytes', 'COPY_LIMIT_BYTES', 'requestHead', 'responseHead', 'curlCommand', 'websocatCommand',
      'nodeReplayScript', 'playwrightMockTest',
    ]) expect(api, name).toHaveProperty(name);
  });
});
