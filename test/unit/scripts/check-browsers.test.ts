// npm test's browser check: every missing browser is reported (never skipped), with where it was looked for.
import { describe, expect, it } from 'vitest';
import { checkBrowsers, missingBrowsers } from '../../../scripts/check-browsers.mjs';
import { describeMissing } from '../../../scripts/find-browsers.mjs';

const on = (files: string[], env: Record<string, string> = {}) => ({
  platform: 'linux' as const,
  homedir: '/home/u',
  env,
  exists: (p: string) => files.includes(p),
  listDir: (): string[] => [],
});

describe('checkBrowsers', () => {
  it('returns both browsers when both are there', () => {
    const { found, missing } = checkBrowsers(on(['/usr/bin/chromium', '/usr/bin/firefox-esr']));
    expect(missing).toEqual([]);
    expect(found.chromium).toEqual({ path: '/usr/bin/chromium', kind: 'chromium', source: 'system' });
    expect(found.firefox).toEqual({ path: '/usr/bin/firefox-esr', source: 'system' });
  });

  it('reports each missing one, and a bad env path as such', () => {
    expect(missingBrowsers(on([])).map((e) => e.browser)).toEqual(['chromium', 'firefox']);
    const missing = missingBrowsers(on(['/usr/bin/chromium'], { FIREFOX_EXECUTABLE_PATH: '/gone/firefox' }));
    expect(missing.map((e) => [e.browser, e.envVar])).toEqual([['firefox', 'FIREFOX_EXECUTABLE_PATH']]);
    expect(describeMissing(missing)).toContain('FIREFOX_EXECUTABLE_PATH is set to /gone/firefox, which does not exist');
  });
});
