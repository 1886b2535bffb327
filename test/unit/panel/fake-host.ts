// A capture host for panel tests: does nothing, holds nothing; tests override what they watch.
import type { HeldState, PanelHost } from '../../../src/panel/host';

export function fakeHost(over: Partial<PanelHost> = {}): PanelHost {
  const held: HeldState = { held: [], overflow: 0 };
  return {
    attach() {},
    reload() {},
    setRules() {},
    replay: () => Promise.resolve({ id: 0, ok: true }),
    release() {},
    releaseAll() {},
    held: () => held,
    onHeld: () => () => {},
    ...over,
  };
}
