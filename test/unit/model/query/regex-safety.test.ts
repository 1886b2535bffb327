// Regular expressions whose shape can backtrack exponentially (or polynomially, with two repetitions in a row) are
// refused, where they start; the others run.
import { createContext, runInContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../../../src/model/query';
import { regexHazard } from '../../../../src/model/query/regex-safety';
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

describe('query language: regex hazards under the i flag', () => {
  it.each([
    ['/(?:a|A)*b/i', 1],
    ['/x([a-z]|[A-Z])+y/i', 2],
    ['/(?:GET|get )+/i', 1],
  ])('refuses %s: its alternatives overlap once case is ignored', (q, position) => {
    const err = queryError(q);
    expect(err.message).toMatch(/alternatives can start with the same character once case is ignored/);
    expect(err.position).toBe(position);
  });

  it.each(['/(?:a|A)*b/', '/x([a-z]|[A-Z])+y/', '/(?:GET|get )+/', '/a*A*b/'])('accepts %s (without the i flag the alternatives differ)', (q) => {
    expect(() => parseQuery(q)).not.toThrow();
  });
});

describe('query language: adjacent repetitions over the same characters (polynomial)', () => {
  it.each([
    ['/a*a*a*a*a*a*b/', 1, 'a* and a*'],
    ['/.*.*.*.*=x/', 1, '.* and .*'],
    ['/k=\\s*\\s*x/', 3, '\\s* and \\s*'],
    ['/\\d+\\.?\\d*,/', 1, '\\d+ and \\d*'], // through an optional character
    ['/a+(?:-)?a+b/', 1, 'a+ and a+'], // through an optional group
    ['/x(?:,\\s*)?\\s*y/', 6, '\\s* and \\s*'], // from inside an optional group
    ['/"[^"]*.*"/', 2, '[^"]* and .*'], // . overlaps almost anything
    ['/\\w+\\s*\\w+$/', 1, '\\w+ and \\w+'],
    ['/(?:ab)*(?:ab)+c/', 1, '(?:ab)* and (?:ab)+'],
    ['/(?:x?\\s*){2}y/', 6, '\\s* and \\s*'], // one repeat's end meets the next's start
    ['$.name ~ /\\d+\\d+x/', 10, '\\d+ and \\d+'],
    ['/.*\\s*$/', 1, '.* and \\s*'], // the README's examples
    ['/\\s*(?:,\\s*)?\\s*x/', 8, '\\s* and \\s*'],
  ])('refuses %s', (q, position, parts) => {
    const err = queryError(q);
    expect(err.message).toMatch(/two repetitions in a row/);
    expect(err.message).toContain(`, ${parts}, `);
    expect(err.message).toMatch(/Keep only one/);
    expect(err.position).toBe(position);
  });

  it('says when the overlap is only there because case is ignored', () => {
    expect(queryError('/a*A*b/i').message).toMatch(/a\* and A\*, that can match the same characters once case is ignored \(the i flag\)/);
    expect(queryError('/a*a*b/i').message).not.toMatch(/case is ignored/);
  });

  it.each([
    '/"price":1\\d\\d\\.5/',
    '/bob|glob/i',
    '/^b/',
    '/"type":"(trade|quote)"/',
    '/a.*b/', // one repetition: left to the probe
    '/foo.*bar.*baz/', // separated by characters that must match: left to the probe
    '/^a+$/',
    '/"price":\\d+\\.?\\d*/', // nothing after them can fail: the first split matches
    '/\\d+(\\.\\d+)?,/',
    '/"name":"[^"]*"/',
    '/^\\{"op":"(sub|unsub)"/',
    '/error|warn(ing)?/i',
    '/(GET|POST) \\/api\\/\\w+/',
    '/[a-z]+\\d+x/i',
    '/(?:foo|Bar)+/i',
    '/\\s*:\\s*/',
    '/"id":\\d+,"user":"\\w+"/',
    '/\\w+\\s+\\w+x/',
    '/(?=a*)a*b/',
    '/[^\\n]*\\n.*x/',
  ])('accepts %s', (q) => {
    expect(() => parseQuery(q)).not.toThrow();
  });
});

describe('query language: what the checks accept runs quickly', () => {
  // Patterns from a small grammar (atoms, optional groups, repeats; the i flag at times), each with at most two
  // unbounded repetitions: the checks do not bound the power of `.*x.*x.*` chains, which the probe is there for.
  // Each accepted one is run on runs of one character (or a short cycle) ending with a character that breaks them,
  // in a context whose timeout interrupts a runaway regex instead of hanging the test.
  it('finishes every accepted generated pattern on adversarial texts', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const pick = <T,>(a: T[]) => a[Math.floor(random() * a.length)];
    const atoms = ['a', 'A', 'b', 'x', '1', ' ', '.', '\\d', '\\w', '\\s', '[a-c]', '[^x]', '[A-Z]'];
    const piece = (): string => {
      if (random() < 0.35) {
        const alt = () => Array.from({ length: 1 + Math.floor(random() * 2) }, () => pick(atoms) + pick(['', '', '*', '+', '?'])).join('');
        return `(?:${Array.from({ length: 1 + Math.floor(random() * 3) }, alt).join('|')})${pick(['', '*', '+', '?', '{1,}', '*?'])}`;
      }
      return pick(atoms) + pick(['', '', '*', '+', '?']);
    };
    const patterns: Array<[string, string]> = [];
    while (patterns.length < 400) {
      const src = (random() < 0.3 ? '^' : '') + Array.from({ length: 1 + Math.floor(random() * 3) }, piece).join('') + (random() < 0.2 ? '$' : '');
      if ((src.match(/\*|\+|\{1,\}/g) ?? []).length <= 2) patterns.push([src, random() < 0.3 ? 'i' : '']);
    }
    const texts = ['a', 'A', 'b', 'x', '1', ' ', 'ab', 'aA', 'a1 '].flatMap((p) => ['!', '\n'].map((end) => p.repeat(200 / p.length + 1).slice(0, 200) + end));
    const ctx = createContext({ texts, re: /x/ });
    const slow: string[] = [];
    let accepted = 0;
    for (const [src, flags] of patterns) {
      if (regexHazard(src, flags)) continue;
      accepted++;
      ctx.re = new RegExp(src, flags);
      const t0 = performance.now();
      try {
        runInContext('for (const t of texts) re.test(t)', ctx, { timeout: 250 });
      } catch {
        slow.push(`/${src}/${flags} (stopped)`);
      }
      if (performance.now() - t0 > 100) slow.push(`/${src}/${flags}`);
    }
    expect(slow).toEqual([]);
    expect(accepted).toBeGreaterThan(200); // the grammar is not all hazards
    expect(accepted).toBeLessThan(patterns.length); // nor all safe
  });
});
