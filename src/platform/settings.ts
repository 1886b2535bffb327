// User settings in extension storage.
import { DEFAULT_SETTINGS, type Settings } from '../protocol';

const KEY = 'frameline.settings';

export async function loadSettings(): Promise<Settings> {
  try {
    const got = await chrome.storage.local.get(KEY);
    return { ...DEFAULT_SETTINGS, ...(got?.[KEY] ?? {}) };
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

export async function saveSettings(patch: Partial<Settings>): Promise<Settings> {
  const next = { ...(await loadSettings()), ...patch };
  await chrome.storage.local.set({ [KEY]: next });
  return next;
}
