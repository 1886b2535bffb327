// The query language: what each term matches, every error case, and that nothing else is ever thrown.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseQuery, QueryError } from '../../../../src/model/query';
import { matches, queryError } from './fixtures';

describe('query language', () => {
  it.each([
    ['', [0, 1, 2, 3, 4, 5, 6]],
    ['hello', [3]],
    ['HELLO world', [3]],
    ['"lo wo"', [3]],
    ['/^hel+o/i', [3]],
    ['/price":\\d{3},/', [2]],
    ['dir:sent', [1, 4]],
    ['dir:received', [0, 2, 3, 5, 6]],
    ['conn:2', [2, 4]],
    ['conn:#1', [0, 1, 3, 5, 6]],
    ['conn:chat', [2, 4]],
    ['op:binary', [4]],
    ['op:error', [5]],
    ['op:text -op:error', [0, 1, 2, 3, 6]],
    ['size>1k', [6]],
    ['size<=4', [4, 5]],
    ['size:11', [3]],
    ['time:..5s', [0, 1]],
    ['time:10s..60s', [2, 3]],
    ['time:>60s', [4, 5, 6]],
    ['time:<500ms', [0]],
    ['$.type == "trade"', [0, 2]],
    ['$.type != "trade"', [1, 3, 4, 5, 6]],
    ['$.price > 100', [0, 2]],
    ['$.price <= 99', [1]],
    ['$.user.name ~ /^bo/i', [0]],
    ['$.items[0].id == 3', [0]],
    ['$["type"] == "quote"', [1]],
    ['exists($.error)', [2]],
    ['exists($.user.name)', [0]],
    ['-dir:sent', [0, 2, 3, 5, 6]],
    ['dir:sent OR op:error', [1, 4, 5]],
    ['($.type == "trade" OR hello) -conn:2', [0, 3]],
    ['-(dir:sent OR dir:received)', []],
    ['"de ad be"', [4]], // binary frames match their hex preview
    ['http://example', []], // a URL is text, not a field
  ])('%s', (q, want) => {
    expect(matches(q)).toEqual(want);
  });

  it.each([
    ['/unclosed', /Unclosed regular expression/, 0],
    ['/a(/', /Invalid regular expression/, 0],
    ['"open quote', /Unclosed quote/, 0],
    ['foo:bar', /Unknown field "foo"/, 0],
    ['dir:up', /dir: takes sent or received/, 4],
    ['op:banana', /op: takes text, binary/, 3],
    ['size>big', /size needs a number/, 5],
    ['size>1x', /Unknown size unit "x"/, 5],
    ['time:soon', /time takes a range/, 5],
    ['time:5q..9s', /Not a time/, 5],
    ['$.type', /needs a comparison/, 0],
    ['$.type ==', /value is missing/, 9],
    ['$.type == trade', /Quote text values/, 10],
    ['$.price > "x"', /compares numbers/, 0],
    ['$.name ~ "bob"', /~ takes a regular expression/, 0],
    ['$.a[x] == 1', /\[ \] takes an index or a quoted key/, 3],
    ['exists(type)', /exists\(\) takes a JSON path/, 7],
    ['exists($.a', /closing \)/, 10],
    ['(a OR b', /Unclosed \(/, 0],
    ['a)', /Unmatched \)/, 1],
    ['()', /Empty \( \)/, 0],
    ['a OR', /OR needs a term on both sides/, 2],
    ['OR a', /OR needs a term on both sides/, 0],
    ['$.a >', /value is missing/, 5],
  ])('rejects %s', (q, message, position) => {
    const err = queryError(q);
    expect(err.message).toMatch(message);
    expect(err.position).toBe(position);
  });

  it('never throws anything but QueryError, whatever is typed', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        try {
          parseQuery(s);
        } catch (e) {
          return e instanceof QueryError && e.position >= 0 && e.position <= s.length;
        }
        return true;
      }),
      { numRuns: 3000 },
    );
  });
});
