// Regular expressions whose shape can backtrack exponentially are refused, where they start; the others run.
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../../../src/model/query';
import { queryError } from './fixtures';

describe('query language', () => {
  it.each([
    ['/(a+)+$/', 1],
    ['/^(\\w+\\s?)*$/', 2],
    ['/x(?:ab*){2,}/', 2],
    ['/(a?b?)+c/', 1],
    ['$.name ~ /((a)+)*/', 10],
  ])('refuses %s: nested repetition can take exponential time', (q, position) => {
    const err = queryError(q);
    expect(err.message).toMatch(/exponential time/);
    expect(err.position).toBe(position);
  });

  it.each([
    ['/(a|a)*$/', 1],
    ['/^(a|ab)+c/', 2],
    ['/(\\w|\\d)+x/', 1],
    ['/x(?:\\s|\\t){2,}/', 2],
    ['/(.|a)*/', 1],
  ])('refuses %s: a repeated choice whose alternatives overlap can take exponential time', (q, position) => {
    const err = queryError(q);
    expect(err.message).toMatch(/alternatives can start with the same character/);
    expect(err.position).toBe(position);
  });

  it.each(['/(foo|bar)+/', '/(GET|POST) /', '/(.|\\n)*/', '/(\\d|x)+/', '/(a|b)c|(a|b)d/', '/[a|a]*/'])('accepts %s (alternatives start apart, or are not repeated)', (q) => {
    expect(() => parseQuery(q)).not.toThrow();
  });

  it.each(['/\\d+/', '/(ab)+/', '/[(+)]+x*/', '/(a{2})+/', '/(?:https?):/', '/a+?b*?/'])('accepts %s', (q) => {
    expect(() => parseQuery(q)).not.toThrow();
  });
});
