// Pairing rules in extension storage: saved and read back; what was stored is checked, malformed entries dropped.
import { beforeEach, describe, expect, it } from 'vitest';
import browser from 'webextension-polyfill';
import { loadPairRules, savePairRules } from '../../../src/platform/settings';

const clear = (browser.storage.local as unknown as { clear(): Promise<void> }).clear;

describe('pair rules storage', () => {
  beforeEach(() => clear());

  it('saves and loads the rules per origin', async () => {
    expect(await loadPairRules()).toEqual({});
    const all = { 'wss://a.example': { requestId: '$.id', answerId: '$.re', method: '$.op' } };
    await savePairRules(all);
    expect(await loadPairRules()).toEqual(all);
  });

  it('drops what is malformed', async () => {
    await browser.storage.local.set({
      'frameline.pairRules': { 'wss://a': { requestId: '$.id', answerId: '$.id', requestDir: 'received' }, 'wss://b': { requestId: 'x' }, 'wss://c': 5 },
    });
    expect(await loadPairRules()).toEqual({ 'wss://a': { requestId: '$.id', answerId: '$.id', requestDir: 'received' } });
    await browser.storage.local.set({ 'frameline.pairRules': 'nonsense' });
    expect(await loadPairRules()).toEqual({});
  });
});
