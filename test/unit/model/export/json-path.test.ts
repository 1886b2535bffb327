import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatJsonPath, JsonPathError, parseJsonPath, valueAtPath } from '../../../../src/model/export/json-path';

describe('JSON paths', () => {
  it('writes identifiers with dots, indexes in brackets and other keys JSON-quoted', () => {
    expect(formatJsonPath([])).toBe('$');
    expect(formatJsonPath(['a', 0, 'odd key'])).toBe('$.a[0]["odd key"]');
    expect(formatJsonPath(['$id', '_x9', '9lives', '0', ''])).toBe('$.$id._x9["9lives"]["0"][""]');
    expect(formatJsonPath(['a"b', 'c\\d', 'e]f', 'new\nline', 'é'])).toBe('$["a\\"b"]["c\\\\d"]["e]f"]["new\\nline"]["é"]');
  });

  it('tells an array index from a key that looks like one', () => {
    expect(parseJsonPath(formatJsonPath([0, '0']))).toEqual([0, '0']);
  });

  it('reads back whatever it writes, for any keys', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ unit: 'binary' }), fc.nat())), (p) => {
        expect(parseJsonPath(formatJsonPath(p))).toEqual(p);
      }),
    );
  });

  it("accepts single-quoted keys and surrounding spaces", () => {
    expect(parseJsonPath(" $['a b'][\"c\"].d[2] ")).toEqual(['a b', 'c', 'd', 2]);
    expect(parseJsonPath("$['it\\'s \"x\"']")).toEqual(['it\'s "x"']);
  });

  it('refuses what is not a path, saying where', () => {
    for (const bad of ['', 'a.b', '$.', '$..a', '$[', '$["a"', '$[-1]', '$[a]', '$.a b', '$["\\q"]']) {
      expect(() => parseJsonPath(bad), bad).toThrow(JsonPathError);
    }
  });

  it('finds values, undefined when a step is missing', () => {
    const v = { a: [{ 'odd key': 1 }], n: null, s: 'str' };
    expect(valueAtPath(v, ['a', 0, 'odd key'])).toBe(1);
    expect(valueAtPath(v, ['a', 5])).toBeUndefined();
    expect(valueAtPath(v, ['n', 'x'])).toBeUndefined();
    expect(valueAtPath(v, ['s', 'length'])).toBeUndefined();
    expect(valueAtPath(v, [])).toBe(v);
  });
});
