// Intercept rules: validation messages, what the page gets, descriptions, paths, and the JSON import/export.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  describeAction,
  formatPath,
  newRuleId,
  parsePath,
  parseRulesJson,
  rulesJson,
  toPageRules,
  validateRule,
} from '../../../../src/model/intercept/rules';
import type { InterceptRule, RuleAction } from '../../../../src/model/intercept/types';
import { QueryError } from '../../../../src/model/query';

const rule = (query: string, action: RuleAction, o: Partial<InterceptRule> = {}): InterceptRule => ({ id: newRuleId(), query, action, enabled: true, ...o });

describe('validateRule', () => {
  it.each<[string, RuleAction]>([
    ['', { kind: 'block' }],
    ['dir:sent $.type == "ping"', { kind: 'delay', ms: 0 }],
    ['hello', { kind: 'delay', ms: 60_000 }],
    ['conn:chat', { kind: 'close', code: 1000, reason: '' }],
    ['conn:chat', { kind: 'close', code: 4999, reason: 'é'.repeat(61) + 'x' }],
    ['dir:sent', { kind: 'respond', reply: { text: '{"ok":true}' }, forward: false }],
    ['op:binary', { kind: 'respond', reply: { hex: 'de ad BE ef' }, forward: true }],
    ['', { kind: 'respond', reply: { hex: '' }, forward: false }],
    ['$.price > 1', { kind: 'rewrite', rewrite: { op: 'replace', payload: { text: 'x' } } }],
    ['x', { kind: 'rewrite', rewrite: { op: 'regex', source: '(\\d+)', flags: 'g', replacement: '<$1>' } }],
    ['x', { kind: 'rewrite', rewrite: { op: 'json-set', path: ['price'], value: '1' } }],
    ['x', { kind: 'rewrite', rewrite: { op: 'json-set', path: ['a', 0, 'odd key'], value: ' {"b": [null]} ' } }],
    ['x', { kind: 'rewrite', rewrite: { op: 'json-delete', path: ['token'] } }],
  ])('accepts %s with %j', (query, action) => {
    expect(validateRule(rule(query, action))).toBeNull();
  });

  it.each<[string, RuleAction, RegExp]>([
    ['time:>5s', { kind: 'block' }, /^Query: time: cannot be used in a rule: .* \(at 1\)$/],
    ['a conn:2', { kind: 'block' }, /^Query: conn:2 cannot be used in a rule.* \(at 8\)$/],
    ['/(a+)+/', { kind: 'block' }, /^Query: .*repeats a group that itself repeats/],
    ['dir:sent dir:received', { kind: 'block' }, /can never match/],
    ['', { kind: 'delay', ms: -1 }, /whole number of ms from 0 to 60000/],
    ['', { kind: 'delay', ms: 60_001 }, /from 0 to 60000/],
    ['', { kind: 'delay', ms: 1.5 }, /whole number/],
    ['', { kind: 'close', code: 1001, reason: '' }, /1000 or from 3000 to 4999/],
    ['', { kind: 'close', code: 5000, reason: '' }, /1000 or from 3000 to 4999/],
    ['', { kind: 'close', code: 3000.5, reason: '' }, /1000 or from 3000 to 4999/],
    ['', { kind: 'close', code: 4000, reason: 'é'.repeat(62) }, /at most 123 bytes in UTF-8 \(this one is 124\)/],
    ['', { kind: 'close', code: 4000, reason: '😀'.repeat(31) }, /this one is 124/],
    ['', { kind: 'respond', reply: { hex: 'de ad zz' }, forward: false }, /The reply's hex has “z”, which is not a hex digit/],
    ['', { kind: 'respond', reply: { hex: 'abc' }, forward: false }, /odd number of digits/],
    ['', { kind: 'rewrite', rewrite: { op: 'replace', payload: { hex: '0x01' } } }, /The replacement's hex has “x”/],
    ['dir:received', { kind: 'respond', reply: { text: 'x' }, forward: false }, /mock reply answers frames the app sends/],
    ['-dir:sent $.id == 1', { kind: 'respond', reply: { text: 'x' }, forward: false }, /mock reply answers frames the app sends/],
    ['', { kind: 'rewrite', rewrite: { op: 'regex', source: '(', flags: '', replacement: '' } }, /^Rewrite: Invalid regular expression/],
    ['', { kind: 'rewrite', rewrite: { op: 'regex', source: '(\\w|\\d)+$', flags: 'g', replacement: '' } }, /^Rewrite: .*alternatives can start with the same character/],
    ['', { kind: 'rewrite', rewrite: { op: 'regex', source: 'a', flags: 'gg', replacement: '' } }, /^Rewrite: .*flags/i],
    ['', { kind: 'rewrite', rewrite: { op: 'regex', source: '', flags: 'g', replacement: 'x' } }, /regular expression is empty/],
    ['', { kind: 'rewrite', rewrite: { op: 'json-set', path: [], value: '1' } }, /needs at least one step/],
    ['', { kind: 'rewrite', rewrite: { op: 'json-delete', path: [] } }, /needs at least one step/],
    ['', { kind: 'rewrite', rewrite: { op: 'json-delete', path: ['a', -1] } }, /invalid step: -1/],
    ['', { kind: 'rewrite', rewrite: { op: 'json-set', path: ['a'], value: 'hello' } }, /not valid JSON: hello/],
    ['', { kind: 'rewrite', rewrite: { op: 'json-set', path: ['a'], value: '' } }, /not valid JSON/],
    ['', { kind: 'nope' } as unknown as RuleAction, /Unknown action/],
    ['', { kind: 'rewrite', rewrite: { op: 'nope' } } as unknown as RuleAction, /Unknown rewrite/],
  ])('refuses %s with %j', (query, action, message) => {
    expect(validateRule(rule(query, action))).toMatch(message);
  });

  it('lets a respond rule match both directions (received frames are simply not answered)', () => {
    expect(validateRule(rule('hello', { kind: 'respond', reply: { text: 'x' }, forward: false }))).toBeNull();
  });
});

describe('toPageRules', () => {
  it('keeps enabled, valid rules in order, with their matches compiled and hex cleaned', () => {
    const rules = [
      rule('dir:sent', { kind: 'block' }, { id: 'a' }),
      rule('hello', { kind: 'block' }, { id: 'off', enabled: false }),
      rule('time:>1s', { kind: 'block' }, { id: 'bad' }),
      rule('op:binary', { kind: 'respond', reply: { hex: 'DE AD\nbe ef' }, forward: true }, { id: 'b' }),
      rule('', { kind: 'delay', ms: 500 }, { id: 'c' }),
    ];
    expect(toPageRules(rules)).toEqual([
      { id: 'a', match: { k: 'dir', dir: 'sent' }, action: { kind: 'block' } },
      { id: 'b', match: { k: 'op', op: 'binary' }, action: { kind: 'respond', reply: { hex: 'deadbeef' }, forward: true } },
      { id: 'c', match: { k: 'all' }, action: { kind: 'delay', ms: 500 } },
    ]);
  });

  it('shares nothing with the stored rules', () => {
    const r = rule('x', { kind: 'rewrite', rewrite: { op: 'json-set', path: ['a'], value: '1' } });
    const [p] = toPageRules([r]);
    (p.action as { rewrite: { path: unknown[] } }).rewrite.path.push('b');
    expect(r.action).toEqual({ kind: 'rewrite', rewrite: { op: 'json-set', path: ['a'], value: '1' } });
  });
});

describe('describeAction', () => {
  it.each<[RuleAction, string]>([
    [{ kind: 'block' }, 'block'],
    [{ kind: 'delay', ms: 500 }, 'delay 500 ms'],
    [{ kind: 'close', code: 4000, reason: '' }, 'close 4000'],
    [{ kind: 'close', code: 1000, reason: 'bye' }, 'close 1000 “bye”'],
    [{ kind: 'respond', reply: { text: 'x' }, forward: false }, 'mock reply'],
    [{ kind: 'respond', reply: { text: 'x' }, forward: true }, 'mock reply + forward'],
    [{ kind: 'rewrite', rewrite: { op: 'json-set', path: ['price'], value: '1' } }, 'rewrite $.price = 1'],
    [{ kind: 'rewrite', rewrite: { op: 'json-set', path: ['a b', 0], value: '"x"' } }, 'rewrite $["a b"][0] = "x"'],
    [{ kind: 'rewrite', rewrite: { op: 'json-delete', path: ['token'] } }, 'delete $.token'],
    [{ kind: 'rewrite', rewrite: { op: 'regex', source: 'a+', flags: 'g', replacement: 'b' } }, 'rewrite /a+/g → “b”'],
    [{ kind: 'rewrite', rewrite: { op: 'replace', payload: { text: 'hi' } } }, 'replace with “hi”'],
    [{ kind: 'rewrite', rewrite: { op: 'replace', payload: { hex: '00' } } }, 'replace with bytes'],
    [{ kind: 'rewrite', rewrite: { op: 'replace', payload: { text: 'x'.repeat(100) } } }, `replace with “${'x'.repeat(29)}…”`],
  ])('%j → %s', (a, text) => {
    expect(describeAction(a)).toBe(text);
  });
});

describe('parsePath', () => {
  it.each<[string, (string | number)[]]>([
    ['$.a.b[0]', ['a', 'b', 0]],
    ['  $["odd key"].x  ', ['odd key', 'x']],
    ["$['q\\'s'][12]", ["q's", 12]],
    ['$.0', ['0']],
    ['$', []],
  ])('reads %s', (text, steps) => {
    expect(parsePath(text)).toEqual(steps);
  });

  it.each<[string, RegExp, number]>([
    ['a.b', /starts with \$/, 0],
    ['  .b', /starts with \$/, 2],
    ['$.', /needs a name after "."/, 1],
    ['$.a[x]', /takes an index or a quoted key/, 3],
    ['$.a[1', /Unclosed \[/, 3],
    ['$["a"', /quoted key needs its closing \]/, 1],
    ['$.a b', /Unexpected " "/, 3],
  ])('refuses %s', (text, message, position) => {
    let err: unknown;
    try {
      parsePath(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QueryError);
    expect((err as QueryError).message).toMatch(message);
    expect((err as QueryError).position).toBe(position);
  });

  it('reads back what formatPath writes', () => {
    const step = fc.oneof(fc.string({ maxLength: 8 }), fc.nat({ max: 1000 }));
    fc.assert(
      fc.property(fc.array(step, { maxLength: 5 }), (steps) => {
        expect(parsePath(formatPath(steps))).toEqual(steps);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('rules JSON', () => {
  const rules: InterceptRule[] = [
    rule('dir:sent $.type == "order"', { kind: 'rewrite', rewrite: { op: 'json-set', path: ['price'], value: '1' } }, { id: 'r1' }),
    rule('conn:ticker', { kind: 'delay', ms: 250 }, { id: 'r2', enabled: false }),
    rule('dir:sent "ping"', { kind: 'respond', reply: { hex: 'de ad' }, forward: false }, { id: 'r3' }),
    rule('', { kind: 'close', code: 4000, reason: 'test' }, { id: 'r4' }),
  ];

  it('exports a versioned document and imports it back unchanged', () => {
    const text = rulesJson(rules);
    expect(JSON.parse(text)).toMatchObject({ frameline: 'rules', version: 1 });
    expect(parseRulesJson(text)).toEqual({ rules });
  });

  it('gives fresh ids to rules without one, or with one already used; enabled defaults to true', () => {
    const doc = {
      frameline: 'rules',
      version: 1,
      rules: [
        { id: 'same', query: 'a', action: { kind: 'block' } },
        { id: 'same', query: 'b', action: { kind: 'block' }, enabled: false },
        { query: 'c', action: { kind: 'block' } },
        { id: '', query: 'd', action: { kind: 'block' } },
        { id: 7, query: 'e', action: { kind: 'block' } },
      ],
    };
    const r = parseRulesJson(JSON.stringify(doc));
    if ('error' in r) throw new Error(r.error);
    expect(r.rules.map((x) => x.query)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(r.rules[0].id).toBe('same');
    expect(new Set(r.rules.map((x) => x.id)).size).toBe(5);
    expect(r.rules.every((x) => typeof x.id === 'string' && x.id.length > 0)).toBe(true);
    expect(r.rules.map((x) => x.enabled)).toEqual([true, false, true, true, true]);
  });

  it('imports only the fields of a rule and its action', () => {
    const doc = { frameline: 'rules', version: 1, rules: [{ id: 'x', query: '', action: { kind: 'delay', ms: 5, extra: 1 }, enabled: true, note: 'hi' }] };
    expect(parseRulesJson(JSON.stringify(doc))).toEqual({ rules: [{ id: 'x', query: '', action: { kind: 'delay', ms: 5 }, enabled: true }] });
  });

  it.each<[string, RegExp]>([
    ['{"frameline": "rules", "version": 1, "rules": [', /^Not JSON/],
    ['', /^Not JSON/],
    ['[]', /Not a Frameline rules file/],
    ['{"frameline": "session", "version": 1, "rules": []}', /Not a Frameline rules file/],
    ['{"frameline": "rules", "rules": []}', /no valid version/],
    ['{"frameline": "rules", "version": 2, "rules": []}', /version 2; this Frameline reads version 1/],
    ['{"frameline": "rules", "version": 1}', /no "rules" list/],
    ['{"frameline": "rules", "version": 1, "rules": [null]}', /^Rule 1: not an object/],
    ['{"frameline": "rules", "version": 1, "rules": [{"action": {"kind": "block"}}]}', /^Rule 1: its query must be text/],
    ['{"frameline": "rules", "version": 1, "rules": [{"query": "", "action": "block"}]}', /^Rule 1: its action must be an object/],
    ['{"frameline": "rules", "version": 1, "rules": [{"query": "", "action": {"kind": "block"}, "enabled": "yes"}]}', /^Rule 1: enabled must be true or false/],
    ['{"frameline": "rules", "version": 1, "rules": [{"query": "", "action": {"kind": "rewrite"}}]}', /^Rule 1: a rewrite action needs its rewrite/],
    ['{"frameline": "rules", "version": 1, "rules": [{"query": "", "action": {"kind": "respond", "forward": false, "reply": {"hex": 5}}}]}', /^Rule 1: The reply's hex must be a string/],
  ])('refuses %s', (text, message) => {
    const r = parseRulesJson(text);
    expect('error' in r && r.error).toMatch(message);
  });

  it('names the first bad rule and its problem, and imports none of them', () => {
    const doc = JSON.parse(rulesJson(rules));
    doc.rules[1].query = 'proto:mqtt';
    doc.rules[3].action.code = 1;
    expect(parseRulesJson(JSON.stringify(doc))).toEqual({ error: expect.stringMatching(/^Rule 2: Query: proto: cannot be used in a rule/) });
  });

  it('leaves the rules a failed import would have replaced as they were', () => {
    const before = structuredClone(rules);
    const text = rulesJson(rules);
    expect('error' in parseRulesJson(text.slice(0, -5))).toBe(true);
    expect(rules).toEqual(before);
  });

  it('never throws, whatever the file holds', () => {
    const anyRule = fc.oneof(
      fc.anything(),
      fc.record({ id: fc.anything(), query: fc.oneof(fc.string(), fc.anything()), action: fc.anything(), enabled: fc.anything() }, { requiredKeys: [] }),
      fc.record({
        query: fc.string({ maxLength: 12 }),
        action: fc.record(
          {
            kind: fc.constantFrom('block', 'delay', 'close', 'respond', 'rewrite', 'x'),
            ms: fc.anything(),
            code: fc.anything(),
            reason: fc.anything(),
            forward: fc.anything(),
            reply: fc.oneof(fc.anything(), fc.record({ text: fc.anything() }), fc.record({ hex: fc.anything() })),
            rewrite: fc.oneof(
              fc.anything(),
              fc.record(
                { op: fc.constantFrom('replace', 'regex', 'json-set', 'json-delete'), payload: fc.anything(), source: fc.anything(), flags: fc.anything(), replacement: fc.anything(), path: fc.anything(), value: fc.anything() },
                { requiredKeys: ['op'] },
              ),
            ),
          },
          { requiredKeys: ['kind'] },
        ),
      }),
    );
    const file = fc.oneof(
      fc.string(),
      fc.record({ frameline: fc.constant('rules'), version: fc.constant(1), rules: fc.array(anyRule, { maxLength: 3 }) }).map((d) => JSON.stringify(d)),
    );
    fc.assert(
      fc.property(file, (text) => {
        const r = parseRulesJson(text);
        if ('rules' in r) for (const x of r.rules) expect(validateRule(x)).toBeNull();
        else expect(typeof r.error).toBe('string');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('newRuleId', () => {
  it('is unique within a session', () => {
    const ids = new Set(Array.from({ length: 5000 }, newRuleId));
    expect(ids.size).toBe(5000);
  });
});

describe('message breakpoints', () => {
  it('a break rule is valid in either direction, described, sent to the page and round-trips through a file', () => {
    const rule: InterceptRule = { id: 'bp', query: '$.type == "order"', action: { kind: 'break' }, enabled: true };
    expect(validateRule(rule)).toBeNull();
    expect(describeAction(rule.action)).toBe('pause in the debugger');
    expect(toPageRules([rule])).toEqual([{ id: 'bp', match: expect.any(Object) as object, action: { kind: 'break' } }]);
    const back = parseRulesJson(rulesJson([rule]));
    expect('rules' in back && back.rules[0].action).toEqual({ kind: 'break' });
  });
});

describe('hold (manual intercept)', () => {
  it('is valid from 1 ms to 10 min, described with its limit, and sent to the page', () => {
    const ok = (maxMs: number) => validateRule(rule('', { kind: 'hold', maxMs }));
    expect(ok(1)).toBeNull();
    expect(ok(30_000)).toBeNull();
    expect(ok(600_000)).toBeNull();
    for (const bad of [0, -5, 600_001, 1.5, NaN, '30' as unknown as number]) expect(ok(bad)).toMatch(/hold waits/);
    expect(describeAction({ kind: 'hold', maxMs: 30_000 })).toBe('hold for review (≤ 30 s)');
    expect(describeAction({ kind: 'hold', maxMs: 600_000 })).toBe('hold for review (≤ 10 min)');
    expect(describeAction({ kind: 'hold', maxMs: 1500 })).toBe('hold for review (≤ 1.5 s)');
    expect(describeAction({ kind: 'hold', maxMs: 800 })).toBe('hold for review (≤ 800 ms)');
    const r = rule('dir:sent', { kind: 'hold', maxMs: 5000, extra: 1 } as RuleAction, { id: 'h' });
    expect(toPageRules([r])).toEqual([{ id: 'h', match: expect.any(Object) as object, action: { kind: 'hold', maxMs: 5000 } }]);
  });

  it('is never kept in a rules file: left out of an export, refused in an import', () => {
    const kept = rule('x', { kind: 'block' }, { id: 'b' });
    const back = parseRulesJson(rulesJson([rule('', { kind: 'hold', maxMs: 5000 }), kept]));
    expect(back).toEqual({ rules: [kept] });
    const file = JSON.stringify({ frameline: 'rules', version: 1, rules: [{ id: 'h', query: '', action: { kind: 'hold', maxMs: 5000 } }] });
    expect(parseRulesJson(file)).toEqual({ error: expect.stringMatching(/^Rule 1: hold .*panel/) as string });
  });
});
