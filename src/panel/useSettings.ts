// The user's settings (extension storage): loaded once, saved on change; the live store keeps frames across
// navigations or not as they say (the memory budget is shared among sessions: useSessions.ts).
import { useEffect, useState } from 'preact/hooks';
import type { SessionStore } from '../model/store';
import type { Settings } from '../protocol';
import { loadSettings, saveSettings } from '../platform/settings';

export interface SettingsState {
  /** null until loaded. */
  settings: Settings | null;
  save: (patch: Partial<Settings>) => void;
}

export function useSettings(live: SessionStore): SettingsState {
  const [settings, setSettings] = useState<Settings | null>(null);
  useEffect(() => {
    void loadSettings().then(setSettings);
  }, []);
  useEffect(() => {
    if (settings) live.preserve = settings.preserveAcrossNavigation;
  }, [settings?.preserveAcrossNavigation, live]);
  return { settings, save: (patch) => void saveSettings(patch).then(setSettings) };
}
