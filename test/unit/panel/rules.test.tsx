// @vitest-environment happy-dom
// Intercept rules in the panel: the section refuses a bad rule inline, pushes the enabled rules to the host as they
// change, keeps them per origin, survives a bad import; marked frames show on their row and in the detail; the banner.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, waitFor } from '@testing-library/preact';
import { App } from '../../../src/panel/App';
import { SessionStore } from '../../../src/model/store';
import { DetailPane } from '../../../src/panel/DetailPane';
import { Timeline } from '../../../src/panel/Timeline';
import { RulesBanner } from '../../../src/panel/RulesBanner';
import { compilePageMatch } from '../../../src/model/intercept/page-match';
import { rulesJson } from '../../../src/model/intercept/rules';
import type { InterceptRule, PageRule } from '../../../src/model/intercept/types';
import type { CaptureRecord, Connection, RuleMark } from '../../../src/model/types';
import type { PanelHost } from '../../../src/panel/host';
import { loadInterceptRules, saveInterceptRules } from '../../../src/platform/settings';
import { EMPTY_FIELDS, fieldsOf, ruleFromFields, type RuleFields } from '../../../src/panel/ruleFields';
import { timelineHeight } from '../support/layout';
import { fakeHost } from './fake-host';

timelineHeight();
afterEach(cleanup);

const ORIGIN = 'https://app.example';

function panel(origin: string | null = ORIGIN) {
  const setRules = vi.fn<(rules: PageRule[]) => void>();
  const host: PanelHost = fakeHost({ setRules });
  const ui = render(
    <App
      store={new SessionStore()}
      getStatus={() => null}
      onStatus={() => () => {}}
      host={host}
      inDevTools={false}
      followOrigin={(fn) => {
        fn(origin);
        return () => {};
      }}
    />,
  );
  return { ui, setRules };
}

async function openRules(ui: ReturnType<typeof render>) {
  fireEvent.click(ui.getByTestId('tab-rules'));
  await waitFor(() => expect(ui.getByTestId('rules').dataset.loaded).toBe('true'));
}

const type = (ui: ReturnType<typeof render>, id: string, value: string) => fireEvent.input(ui.getByTestId(id), { target: { value } });
const rows = (ui: ReturnType<typeof render>) => ui.queryAllByTestId('rule-row');

describe('rules section', () => {
  it('refuses an invalid query inline, in words, and adds nothing', async () => {
    const { ui, setRules } = panel('https://a.example');
    await openRules(ui);
    await waitFor(() => expect(setRules).toHaveBeenCalledWith([])); // the panel's first push
    type(ui, 'rule-query', 'dir:sent size>');
    fireEvent.click(ui.getByTestId('rule-add'));
    expect(ui.getByTestId('rule-error').textContent).toMatch(/^Query: .+ \(at \d+\)$/);
    type(ui, 'rule-query', 'latency>200ms');
    fireEvent.click(ui.getByTestId('rule-add'));
    expect(ui.getByTestId('rule-error').textContent).toContain('cannot be used in a rule');
    expect(rows(ui)).toHaveLength(0);
    expect(setRules).toHaveBeenCalledTimes(1);
  });

  it('pushes a valid rule compiled, again without it when disabled, and keeps it for the origin', async () => {
    const { ui, setRules } = panel();
    await openRules(ui);
    type(ui, 'rule-query', 'dir:sent "ping"');
    fireEvent.change(ui.getByTestId('rule-action'), { target: { value: 'delay' } });
    type(ui, 'rule-value', '250');
    fireEvent.click(ui.getByTestId('rule-add'));
    expect(ui.queryByTestId('rule-error')).toBeNull();
    const row = rows(ui)[0];
    expect({ ...row.dataset }).toMatchObject({ action: 'delay', enabled: 'true', hits: '0' });
    const id = row.dataset.ruleId!;
    await waitFor(() => expect(setRules).toHaveBeenLastCalledWith([{ id, match: compilePageMatch('dir:sent "ping"'), action: { kind: 'delay', ms: 250 } }]));
    await waitFor(async () => expect((await loadInterceptRules(ORIGIN)).map((r) => r.id)).toEqual([id]));

    fireEvent.change(ui.getByTestId('rule-enabled'), { target: { checked: false } });
    await waitFor(() => expect(setRules).toHaveBeenLastCalledWith([]));
    expect(rows(ui)[0].dataset.enabled).toBe('false');
    await waitFor(async () => expect((await loadInterceptRules(ORIGIN))[0].enabled).toBe(false));
    await saveInterceptRules(ORIGIN, []);
  });

  it('edits, reorders and deletes rules; each change that alters what the page runs is pushed', async () => {
    const { ui, setRules } = panel('https://b.example');
    await openRules(ui);
    type(ui, 'rule-query', '"a"');
    fireEvent.click(ui.getByTestId('rule-add'));
    type(ui, 'rule-query', '"b"');
    fireEvent.change(ui.getByTestId('rule-action'), { target: { value: 'close' } });
    type(ui, 'rule-value', '4000');
    type(ui, 'rule-reason', 'bye');
    fireEvent.click(ui.getByTestId('rule-add'));
    expect(rows(ui).map((r: HTMLElement) => r.dataset.action)).toEqual(['block', 'close']);
    fireEvent.click(ui.getAllByTestId('rule-up')[1]);
    expect(rows(ui).map((r: HTMLElement) => r.dataset.action)).toEqual(['close', 'block']);
    await waitFor(() => expect(setRules.mock.lastCall![0].map((r: PageRule) => r.action.kind)).toEqual(['close', 'block']));
    fireEvent.click(ui.getAllByTestId('rule-edit')[1]);
    expect((ui.getByTestId('rule-query') as HTMLInputElement).value).toBe('"a"');
    fireEvent.change(ui.getByTestId('rule-action'), { target: { value: 'rewrite' } });
    fireEvent.change(ui.getByTestId('rule-rewrite-op'), { target: { value: 'json-set' } });
    type(ui, 'rule-path', '$.price');
    type(ui, 'rule-value', 'not json');
    fireEvent.click(ui.getByTestId('rule-add'));
    expect(ui.getByTestId('rule-error').textContent).toContain('not valid JSON');
    type(ui, 'rule-value', '0');
    fireEvent.click(ui.getByTestId('rule-add'));
    expect(rows(ui).map((r: HTMLElement) => r.dataset.action)).toEqual(['close', 'rewrite']);
    await waitFor(() => expect(setRules.mock.lastCall![0][1].action).toEqual({ kind: 'rewrite', rewrite: { op: 'json-set', path: ['price'], value: '0' } }));
    fireEvent.click(ui.getAllByTestId('rule-delete')[0]);
    expect(rows(ui).map((r: HTMLElement) => r.dataset.action)).toEqual(['rewrite']);
    await waitFor(() => expect(setRules.mock.lastCall![0]).toHaveLength(1));
    await saveInterceptRules('https://b.example', []);
  });

  it('a bad import file shows why and keeps the rules; a good one adds its rules', async () => {
    const { ui } = panel('https://c.example');
    await openRules(ui);
    type(ui, 'rule-query', '"keep me"');
    fireEvent.click(ui.getByTestId('rule-add'));
    const input = ui.getByTestId('rules-import') as HTMLInputElement;
    const pick = (name: string, text: string) => {
      Object.defineProperty(input, 'files', { configurable: true, value: [new File([text], name, { type: 'application/json' })] });
      fireEvent.change(input);
    };
    pick('bad.json', '{"frameline":"rules","version":1,"rules":[{"query":"size>","action":{"kind":"block"}}]}');
    await waitFor(() => expect(ui.getByTestId('rule-error').textContent).toMatch(/^bad\.json: Rule 1: Query: .*Nothing was imported\.$/));
    pick('junk.json', 'not json');
    await waitFor(() => expect(ui.getByTestId('rule-error').textContent).toContain('junk.json: Not JSON'));
    expect(rows(ui)).toHaveLength(1);
    const good: InterceptRule[] = [{ id: 'r-imported', query: 'dir:received', action: { kind: 'delay', ms: 10 }, enabled: false }];
    pick('good.json', rulesJson(good));
    await waitFor(() => expect(rows(ui).map((r: HTMLElement) => r.dataset.ruleId)).toContain('r-imported'));
    expect(rows(ui)).toHaveLength(2);
    expect(ui.queryByTestId('rule-error')).toBeNull();
    await saveInterceptRules('https://c.example', []);
  });

  it('loads the rules kept for the origin and drops malformed ones', async () => {
    const kept: InterceptRule = { id: 'k1', query: '"x"', action: { kind: 'block' }, enabled: true };
    await saveInterceptRules('https://d.example', [kept, { id: 'bad', query: 'size>', action: { kind: 'block' }, enabled: true }, { id: 'k2' } as InterceptRule]);
    expect(await loadInterceptRules('https://d.example')).toEqual([kept]);
    const { ui, setRules } = panel('https://d.example');
    await openRules(ui);
    expect(rows(ui).map((r: HTMLElement) => r.dataset.ruleId)).toEqual(['k1']);
    await waitFor(() => expect(setRules).toHaveBeenCalledWith([{ id: 'k1', match: compilePageMatch('"x"'), action: { kind: 'block' } }]));
    await saveInterceptRules('https://d.example', []);
  });

  it('follows the origin: another origin stops the old rules at once and loads its own; the same origin again changes nothing', async () => {
    const a: InterceptRule = { id: 'a1', query: '"a"', action: { kind: 'block' }, enabled: true };
    const b: InterceptRule = { id: 'b1', query: '"b"', action: { kind: 'delay', ms: 5 }, enabled: true };
    await saveInterceptRules('https://a.origin', [a]);
    await saveInterceptRules('https://b.origin', [b]);
    let tell: (o: string | null) => void = () => {};
    const setRules = vi.fn<(rules: PageRule[]) => void>();
    const host: PanelHost = fakeHost({ setRules });
    const follow = (fn: (o: string | null) => void) => ((tell = fn), () => {});
    const ui = render(<App store={new SessionStore()} getStatus={() => null} onStatus={() => () => {}} host={host} inDevTools={false} followOrigin={follow} />);
    tell('https://a.origin');
    await waitFor(() => expect(setRules.mock.lastCall?.[0].map((r: PageRule) => r.id)).toEqual(['a1']));
    tell('https://b.origin');
    expect(setRules).toHaveBeenLastCalledWith([]);
    await waitFor(() => expect(setRules.mock.lastCall?.[0].map((r: PageRule) => r.id)).toEqual(['b1']));
    const pushes = setRules.mock.calls.length;
    tell('https://b.origin');
    await openRules(ui);
    expect(rows(ui).map((r: HTMLElement) => r.dataset.ruleId)).toEqual(['b1']);
    expect(ui.getByTestId('rules-origin').textContent).toBe('https://b.origin');
    expect(ui.getByTestId('rules-banner').dataset.active).toBe('1');
    expect(setRules).toHaveBeenCalledTimes(pushes);
    await saveInterceptRules('https://a.origin', []);
    await saveInterceptRules('https://b.origin', []);
  });
});

describe('rule fields', () => {
  const made = (f: Partial<RuleFields>) => ruleFromFields({ ...EMPTY_FIELDS, ...f }, 'id', true);
  it('make each action, and read back the fields that made it', () => {
    const cases: Partial<RuleFields>[] = [
      { query: 'dir:sent', action: 'block' },
      { action: 'delay', value: '1500' },
      { action: 'close', value: '4001', reason: 'bye' },
      { query: 'dir:sent', action: 'respond', value: '0a ff', binary: true, forward: true },
      { action: 'rewrite', rewriteOp: 'replace', value: 'x' },
      { action: 'rewrite', rewriteOp: 'regex', path: '/"p":\\d+/g', value: '"p":0' },
      { action: 'rewrite', rewriteOp: 'regex', path: 'plain', value: 'z' },
      { action: 'rewrite', rewriteOp: 'json-set', path: '$.a["b c"][0]', value: '{"x":1}' },
      { action: 'rewrite', rewriteOp: 'json-delete', path: '$.secret' },
    ];
    for (const c of cases) {
      const r = made(c);
      if ('error' in r) throw new Error(`${JSON.stringify(c)}: ${r.error}`);
      expect(ruleFromFields(fieldsOf(r.rule), 'id', true)).toEqual(r);
    }
    expect(made({ action: 'rewrite', rewriteOp: 'regex', path: '/(a/', value: '' })).toMatchObject({ error: expect.stringMatching(/^Rewrite: /) });
  });
  it('say what is wrong with a field', () => {
    expect(made({ action: 'delay', value: 'soon' })).toEqual({ error: 'A delay is a whole number of milliseconds, like 500' });
    expect(made({ action: 'close', value: '1006' })).toMatchObject({ error: expect.stringContaining('3000 to 4999') });
    expect(made({ action: 'respond', value: 'zz', binary: true, query: 'dir:sent' })).toMatchObject({ error: expect.stringContaining('not a hex digit') });
    expect(made({ action: 'respond', value: 'x', query: 'dir:received' })).toMatchObject({ error: expect.stringContaining('dir:sent') });
    expect(made({ action: 'rewrite', rewriteOp: 'json-delete', path: 'price' })).toMatchObject({ error: expect.stringMatching(/^JSON path: .*starts with \$/) });
  });
});

const conn: Connection = {
  id: 1,
  url: 'ws://h/x',
  state: 'open',
  openedBeforeCapture: false,
  target: { type: 'page' },
  response: { status: 101, statusText: 'Switching Protocols', headers: [] },
};
const frame = (id: number, text: string, dir: 'sent' | 'received' = 'sent', mark?: 'intercepted'): CaptureRecord => ({
  t: 'frame',
  frame: { id, conn: 1, dir, opcode: 1, ts: id, size: text.length, text, ...(mark ? { mark } : {}) },
});
const ruled = (mark: Partial<RuleMark> & Pick<RuleMark, 'action' | 'original'>): CaptureRecord => ({ t: 'ruled', mark: { conn: 1, dir: 'sent', rule: 'r1', ts: 1, ...mark } });

describe('marked frames', () => {
  it('a mark that arrives after its frame puts data-rule and data-action on the row, with a badge', async () => {
    const store = new SessionStore();
    store.apply([{ t: 'anchor', anchor: 1_700_000_000 }, { t: 'conn', conn }, frame(1, '{"price":0}'), frame(2, 'other')]);
    const ui = render(<Timeline store={store} selected={null} onSelect={() => {}} />);
    const row = (id: number) => ui.getAllByTestId('frame-row').find((r) => r.dataset.frameId === String(id))!;
    await waitFor(() => expect(row(1)).toBeTruthy());
    expect(row(1).hasAttribute('data-rule')).toBe(false);
    // Placed by payload on the frame the network carried (the rewritten one).
    store.apply([ruled({ action: 'rewritten', original: { text: '{"price":9}' }, delivered: { text: '{"price":0}' }, find: { opcode: 1, payload: '{"price":0}', binary: false } })]);
    await waitFor(() => expect(row(1).dataset.rule).toBe('r1'));
    expect(row(1).dataset.action).toBe('rewritten');
    expect(row(1).querySelector('.badge-rule')!.textContent).toBe('rewritten');
    expect(row(2).hasAttribute('data-action')).toBe(false);
  });

  it('the detail shows the rule, the original beside what was delivered, as inert text', () => {
    const store = new SessionStore();
    const original = '<img src=x onerror=alert(1)>';
    store.apply([
      { t: 'conn', conn },
      frame(1, 'safe'),
      ruled({ action: 'rewritten', original: { text: original }, delivered: { text: 'safe' }, frame: 1 }),
      frame(2, 'blocked one', 'sent', 'intercepted'),
      ruled({ rule: 'gone', action: 'blocked', original: { text: 'blocked one' }, frame: 2 }),
      frame(3, 'reply', 'received', 'intercepted'),
      ruled({ action: 'mocked', dir: 'sent', original: { b64: 'AP8=' }, delivered: { text: 'reply' }, forwarded: true, frame: 3 }),
    ]);
    const rule: InterceptRule = { id: 'r1', query: '$.price > 1', action: { kind: 'rewrite', rewrite: { op: 'replace', payload: { text: 'safe' } } }, enabled: true };
    const ruleOf = (id: string) => (id === 'r1' ? rule : undefined);
    const show = (id: number) => render(<DetailPane store={store} frame={store.frameById(id)} ruleOf={ruleOf} />);

    let ui = show(1);
    const detail = ui.getByTestId('rule-detail');
    expect({ ...detail.dataset }).toMatchObject({ rule: 'r1', action: 'rewritten' });
    expect(detail.textContent).toContain('replace with “safe”');
    expect(detail.textContent).toContain('$.price > 1');
    expect(ui.getByTestId('rule-original').querySelector('pre')!.textContent).toBe(original);
    expect(ui.getByTestId('rule-original').querySelector('img')).toBeNull();
    expect(ui.getByTestId('rule-delivered').querySelector('pre')!.textContent).toBe('safe');
    cleanup();

    ui = show(2);
    expect(ui.getByTestId('rule-detail').textContent).toContain('a rule no longer kept');
    expect(ui.getByTestId('rule-delivered').textContent).toContain('not delivered');
    cleanup();

    ui = show(3);
    expect(ui.getByTestId('rule-original').querySelector('pre')!.textContent).toBe('00 ff');
    expect(ui.getByTestId('rule-forwarded').dataset.forwarded).toBe('true');
    expect(ui.getByTestId('rule-delivered').textContent).toContain('The server also got the original.');
  });

  it('the banner counts active rules and changed frames, and tells the host’s note and lost hits', () => {
    const store = new SessionStore();
    store.apply([{ t: 'conn', conn }, frame(1, 'x'), ruled({ action: 'blocked', original: { text: 'x' }, frame: 1 })]);
    const ui = render(<RulesBanner active={3} store={store} intercept={{ rules: 0, contexts: 0, lost: 2, note: 'Intercept rules do not act in Firefox yet.' }} />);
    const banner = ui.getByTestId('rules-banner');
    expect({ ...banner.dataset }).toMatchObject({ active: '3', changed: '1' });
    expect(banner.textContent).toContain('3 rules active, 1 frame changed');
    expect(ui.getByTestId('rules-note').textContent).toBe('Intercept rules do not act in Firefox yet.');
    expect(ui.getByTestId('rules-lost').dataset.count).toBe('2');
    cleanup();
    expect(render(<RulesBanner active={0} store={store} />).queryByTestId('rules-banner')).toBeNull();
  });
});
