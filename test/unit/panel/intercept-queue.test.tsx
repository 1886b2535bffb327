// @vitest-environment happy-dom
// Manual intercept in the panel: the switch puts a hold rule before the user's rules, the queue lists what the host
// says is held (payloads as inert text), an edit is forwarded as the edit, a drop drops, and switching off forwards all.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, waitFor } from '@testing-library/preact';
import { App } from '../../../src/panel/App';
import { SessionStore } from '../../../src/model/store';
import type { HeldFrame, HoldDecision, PageRule } from '../../../src/model/intercept/types';
import type { HeldState } from '../../../src/panel/host';
import { INTERCEPT_RULE_ID } from '../../../src/panel/useManualIntercept';
import { RuleDetail } from '../../../src/panel/RuleDetail';
import { timelineHeight } from '../support/layout';
import { fakeHost } from './fake-host';

timelineHeight();
afterEach(cleanup);

function panel() {
  const setRules = vi.fn<(rules: PageRule[]) => void>();
  const release = vi.fn<(key: string, d: HoldDecision) => void>();
  const releaseAll = vi.fn();
  let held: HeldState = { held: [], overflow: 0 };
  const listeners = new Set<() => void>();
  const host = fakeHost({
    setRules,
    release,
    releaseAll,
    held: () => held,
    onHeld: (fn) => (listeners.add(fn), () => listeners.delete(fn)),
  });
  const ui = render(<App store={new SessionStore()} getStatus={() => null} onStatus={() => () => {}} host={host} inDevTools={false} />);
  const hold = (list: HeldFrame[], overflow = 0) =>
    act(() => {
      held = { held: list, overflow };
      for (const fn of listeners) fn();
    });
  return { ui, setRules, release, releaseAll, hold };
}

const frame = (key: string, original: HeldFrame['original'], dir: HeldFrame['dir'] = 'sent'): HeldFrame => ({
  key, rule: INTERCEPT_RULE_ID, dir, url: 'ws://app.test/feed', created: null, t: Date.now(), due: Date.now() + 60_000, original,
});

describe('manual intercept', () => {
  it('the switch sends a hold rule first, with the query and the limit; a bad query holds nothing and says why', async () => {
    const { ui, setRules } = panel();
    fireEvent.click(ui.getByTestId('intercept-toggle'));
    await waitFor(() => expect(setRules.mock.lastCall?.[0][0]).toMatchObject({ id: INTERCEPT_RULE_ID, action: { kind: 'hold', maxMs: 60_000 } }));
    fireEvent.input(ui.getByTestId('intercept-query'), { target: { value: 'dir:received' } });
    fireEvent.input(ui.getByTestId('intercept-timeout'), { target: { value: '5' } });
    await waitFor(() => expect(setRules.mock.lastCall?.[0][0]).toMatchObject({ match: { k: 'dir', dir: 'received' }, action: { kind: 'hold', maxMs: 5000 } }));
    fireEvent.input(ui.getByTestId('intercept-query'), { target: { value: 'size>' } });
    await waitFor(() => expect(ui.getByTestId('intercept-error').textContent).toMatch(/nothing is held/));
    await waitFor(() => expect(setRules.mock.lastCall?.[0]).toEqual([]));
  });

  it('lists held frames as text; forwards an edit as the edit, drops, and forwards all when switched off', () => {
    const { ui, release, releaseAll, hold } = panel();
    fireEvent.click(ui.getByTestId('intercept-toggle'));
    void hold([frame('a', { text: '<img src=x onerror=alert(1)>' }), frame('b', { b64: 'AQL/' }, 'received')]);
    const items = ui.getAllByTestId('intercept-item');
    expect(items.map((i) => i.dataset.dir)).toEqual(['sent', 'received']);
    expect(ui.container.querySelector('img')).toBeNull();
    expect((ui.getByTestId('intercept-edit') as HTMLTextAreaElement).value).toBe('<img src=x onerror=alert(1)>');
    fireEvent.input(ui.getByTestId('intercept-edit'), { target: { value: 'edited' } });
    fireEvent.click(ui.getByTestId('intercept-forward'));
    expect(release).toHaveBeenLastCalledWith('a', { forward: true, payload: { text: 'edited' } });
    // Binary: edited as hex.
    fireEvent.click(items[1]);
    expect((ui.getByTestId('intercept-edit') as HTMLTextAreaElement).value).toBe('01 02 ff');
    fireEvent.input(ui.getByTestId('intercept-edit'), { target: { value: '01 0g' } });
    fireEvent.click(ui.getByTestId('intercept-forward'));
    expect(release).toHaveBeenCalledTimes(1);
    fireEvent.input(ui.getByTestId('intercept-edit'), { target: { value: '0a0b' } });
    fireEvent.click(ui.getByTestId('intercept-forward'));
    expect(release).toHaveBeenLastCalledWith('b', { forward: true, payload: { b64: 'Cgs=' } });
    fireEvent.click(ui.getByTestId('intercept-drop'));
    expect(release).toHaveBeenLastCalledWith('b', { forward: false });
    fireEvent.click(ui.getByTestId('intercept-toggle'));
    expect(releaseAll).toHaveBeenCalled();
    expect(ui.queryByTestId('intercept-bar')).toBeNull();
  });
});

describe('a held frame in the detail', () => {
  it('says how long it was held and why the page let it go by itself', () => {
    const ui = render(
      <RuleDetail
        mark={{ conn: 1, dir: 'sent', rule: INTERCEPT_RULE_ID, action: 'released', original: { text: 'a' }, delivered: { text: 'a' }, ts: 0, waited: 60_000, reason: 'timeout', find: { opcode: 1, payload: 'a', binary: false } }}
      />,
    );
    expect(ui.getByTestId('rule-detail').textContent).toContain('held by manual intercept');
    expect(ui.getByTestId('rule-held').textContent).toBe('held 60.0 s — forwarded unchanged by the page: held past its limit');
    expect(ui.getByTestId('rule-held').dataset.reason).toBe('timeout');
  });
});
