// The browser lookup on fake file systems: each platform's places, the env variables, puppeteer's cache.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { computeExecutablePath, Browser, BrowserPlatform } from '@puppeteer/browsers';
import {
  BrowserNotFoundError, cacheRelativePath, describeMissing, findChromium, findFirefox, kindOfPath, puppeteerCacheDir,
  type LookupOptions,
} from '../../../scripts/find-browsers.mjs';

/** A file system holding exactly `files` (and their parent directories). */
function fakeFs(files: string[], sep = '/'): Pick<LookupOptions, 'exists' | 'listDir'> & { checked: string[] } {
  const set = new Set(files);
  const checked: string[] = [];
  return {
    checked,
    exists: (p) => {
      checked.push(p);
      return set.has(p);
    },
    listDir: (dir) => {
      const prefix = dir.endsWith(sep) ? dir : dir + sep;
      const names = new Set<string>();
      for (const f of set) if (f.startsWith(prefix)) names.add(f.slice(prefix.length).split(sep)[0]);
      if (!names.size) throw Object.assign(new Error(`ENOENT: ${dir}`), { code: 'ENOENT' });
      return [...names];
    },
  };
}

const linux = (files: string[], env: Record<string, string> = {}): LookupOptions => ({
  platform: 'linux', homedir: '/home/u', env, ...fakeFs(files),
});
const mac = (files: string[], env: Record<string, string> = {}): LookupOptions => ({
  platform: 'darwin', homedir: '/Users/u', env, ...fakeFs(files),
});
const WIN_ENV = {
  ProgramFiles: 'C:\\Program Files',
  'ProgramFiles(x86)': 'C:\\Program Files (x86)',
  LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local',
};
const windows = (files: string[], env: Record<string, string> = WIN_ENV): LookupOptions => ({
  platform: 'win32', homedir: 'C:\\Users\\u', env, ...fakeFs(files, '\\'),
});

function notFound(fn: () => unknown): BrowserNotFoundError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BrowserNotFoundError);
    return e as BrowserNotFoundError;
  }
  throw new Error('expected BrowserNotFoundError');
}

describe('Linux', () => {
  it('finds Debian\'s Chromium and Firefox ESR first', () => {
    const o = linux(['/usr/bin/chromium', '/usr/bin/google-chrome', '/usr/bin/firefox-esr', '/usr/bin/firefox']);
    expect(findChromium(o)).toEqual({ path: '/usr/bin/chromium', kind: 'chromium', source: 'system' });
    expect(findFirefox(o)).toEqual({ path: '/usr/bin/firefox-esr', source: 'system' });
  });

  it('falls back through chromium-browser, the snaps and branded Chrome, in order', () => {
    expect(findChromium(linux(['/usr/bin/chromium-browser', '/snap/bin/chromium'])).path).toBe('/usr/bin/chromium-browser');
    expect(findChromium(linux(['/snap/bin/chromium', '/usr/bin/google-chrome']))).toEqual({
      path: '/snap/bin/chromium', kind: 'chromium', source: 'system',
    });
    expect(findChromium(linux(['/usr/bin/google-chrome-stable', '/usr/bin/google-chrome']))).toEqual({
      path: '/usr/bin/google-chrome-stable', kind: 'chrome', source: 'system',
    });
    expect(findChromium(linux(['/usr/bin/google-chrome'])).kind).toBe('chrome');
    expect(findFirefox(linux(['/usr/bin/firefox', '/snap/bin/firefox'])).path).toBe('/usr/bin/firefox');
    expect(findFirefox(linux(['/snap/bin/firefox'])).path).toBe('/snap/bin/firefox');
  });

  it('looks at no other platform\'s places', () => {
    const fs = fakeFs(['/Applications/Chromium.app/Contents/MacOS/Chromium']);
    notFound(() => findChromium({ platform: 'linux', homedir: '/home/u', env: {}, ...fs }));
    expect(fs.checked.every((p) => !p.includes('.app'))).toBe(true);
  });
});

describe('the env variables', () => {
  it('win over everything, with the kind guessed from the path', () => {
    const o = linux(['/usr/bin/chromium', '/opt/google/chrome/chrome', '/usr/bin/firefox-esr', '/opt/ff/firefox'], {
      PUPPETEER_EXECUTABLE_PATH: '/opt/google/chrome/chrome',
      FIREFOX_EXECUTABLE_PATH: '/opt/ff/firefox',
    });
    expect(findChromium(o)).toEqual({ path: '/opt/google/chrome/chrome', kind: 'chrome', source: 'env' });
    expect(findFirefox(o)).toEqual({ path: '/opt/ff/firefox', source: 'env' });
  });

  it('set to a missing file is an error naming it, never a fallback', () => {
    const o = linux(['/usr/bin/chromium', '/usr/bin/firefox-esr'], {
      PUPPETEER_EXECUTABLE_PATH: '/nope/chrome',
      FIREFOX_EXECUTABLE_PATH: '/nope/firefox',
    });
    const c = notFound(() => findChromium(o));
    expect(c.envVar).toBe('PUPPETEER_EXECUTABLE_PATH');
    expect(c.message).toContain('PUPPETEER_EXECUTABLE_PATH is set to /nope/chrome, which does not exist');
    const f = notFound(() => findFirefox(o));
    expect(f.message).toContain('FIREFOX_EXECUTABLE_PATH is set to /nope/firefox, which does not exist');
  });

  it('set but empty counts as unset', () => {
    expect(findChromium(linux(['/usr/bin/chromium'], { PUPPETEER_EXECUTABLE_PATH: '' })).source).toBe('system');
  });

  it('kinds from paths', () => {
    expect(kindOfPath('/x/chrome/linux-131.0.6778.85/chrome-linux64/chrome')).toBe('chrome-for-testing');
    expect(kindOfPath('/Applications/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing')).toBe('chrome-for-testing');
    expect(kindOfPath('C:\\Program Files\\Chromium\\Application\\chrome.exe')).toBe('chromium');
    expect(kindOfPath('/usr/lib/chromium/chromium')).toBe('chromium');
    expect(kindOfPath('C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe')).toBe('chrome');
    expect(kindOfPath('/Applications/Google Chrome.app/Contents/MacOS/Google Chrome')).toBe('chrome');
    // Unknown names keep today's behaviour (--load-extension).
    expect(kindOfPath('/opt/my-browser/bin/browser')).toBe('chromium');
  });
});

describe('macOS', () => {
  it('prefers Chrome for Testing, then Chromium, then branded Chrome; /Applications before ~/Applications', () => {
    const cft = 'Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing';
    expect(findChromium(mac([`/Users/u/Applications/${cft}`, '/Applications/Chromium.app/Contents/MacOS/Chromium']))).toEqual({
      path: `/Users/u/Applications/${cft}`, kind: 'chrome-for-testing', source: 'system',
    });
    expect(findChromium(mac([
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
      '/Users/u/Applications/Chromium.app/Contents/MacOS/Chromium',
    ]))).toEqual({ path: '/Users/u/Applications/Chromium.app/Contents/MacOS/Chromium', kind: 'chromium', source: 'system' });
    expect(findChromium(mac(['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'])).kind).toBe('chrome');
  });

  it('finds Firefox, ESR, Developer Edition and Nightly apps', () => {
    expect(findFirefox(mac(['/Applications/Firefox.app/Contents/MacOS/firefox'])).path).toBe('/Applications/Firefox.app/Contents/MacOS/firefox');
    for (const app of ['Firefox ESR', 'Firefox Developer Edition', 'Firefox Nightly']) {
      expect(findFirefox(mac([`/Users/u/Applications/${app}.app/Contents/MacOS/firefox`])).path).toBe(
        `/Users/u/Applications/${app}.app/Contents/MacOS/firefox`,
      );
    }
  });
});

describe('Windows', () => {
  it('looks under Program Files, Program Files (x86) and LocalAppData, with Windows paths', () => {
    expect(findChromium(windows(['C:\\Users\\u\\AppData\\Local\\Google\\Chrome for Testing\\Application\\chrome.exe',
      'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe']))).toEqual({
      path: 'C:\\Users\\u\\AppData\\Local\\Google\\Chrome for Testing\\Application\\chrome.exe',
      kind: 'chrome-for-testing',
      source: 'system',
    });
    expect(findChromium(windows(['C:\\Program Files (x86)\\Chromium\\Application\\chrome.exe'])).kind).toBe('chromium');
    expect(findChromium(windows(['C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe']))).toEqual({
      path: 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe', kind: 'chrome', source: 'system',
    });
    expect(findFirefox(windows(['C:\\Program Files\\Mozilla Firefox\\firefox.exe'])).path).toBe('C:\\Program Files\\Mozilla Firefox\\firefox.exe');
    expect(findFirefox(windows(['C:\\Users\\u\\AppData\\Local\\Firefox Nightly\\firefox.exe'])).path).toBe(
      'C:\\Users\\u\\AppData\\Local\\Firefox Nightly\\firefox.exe',
    );
  });

  it('reads the env names in any case', () => {
    const o = windows(['C:\\PF\\Mozilla Firefox\\firefox.exe'], { PROGRAMFILES: 'C:\\PF' });
    expect(findFirefox(o).path).toBe('C:\\PF\\Mozilla Firefox\\firefox.exe');
  });

  it('finds puppeteer\'s cache under the home directory', () => {
    const exe = 'C:\\Users\\u\\.cache\\puppeteer\\chrome\\win64-131.0.6778.85\\chrome-win64\\chrome.exe';
    expect(findChromium(windows([exe]))).toEqual({ path: exe, kind: 'chrome-for-testing', source: 'puppeteer-cache' });
    const ff = 'C:\\Users\\u\\.cache\\puppeteer\\firefox\\win64-stable_139.0.4\\core\\firefox.exe';
    expect(findFirefox(windows([ff]))).toEqual({ path: ff, source: 'puppeteer-cache' });
  });
});

describe("puppeteer's cache", () => {
  const cache = '/home/u/.cache/puppeteer';
  const chrome = (v: string, platform = 'linux') => `${cache}/chrome/${platform}-${v}/chrome-linux64/chrome`;
  const firefox = (v: string) => `${cache}/firefox/linux-${v}/firefox/firefox`;

  it('comes after the system browsers', () => {
    expect(findChromium(linux(['/usr/bin/chromium', chrome('131.0.6778.85')])).source).toBe('system');
  });

  it('takes the newest version (numerically), and skips an install without its executable', () => {
    const files = [chrome('99.0.4844.51'), chrome('131.0.6778.85'), chrome('131.0.6778.108'), `${cache}/chrome/linux-140.0.1.2/broken`];
    expect(findChromium(linux(files))).toEqual({ path: chrome('131.0.6778.108'), kind: 'chrome-for-testing', source: 'puppeteer-cache' });
    expect(findFirefox(linux([firefox('stable_128.0'), firefox('stable_139.0.4'), firefox('stable_139.0')]))).toEqual({
      path: firefox('stable_139.0.4'), source: 'puppeteer-cache',
    });
  });

  it('ignores other platforms\' installs and puppeteer\'s .metadata', () => {
    const o = linux([`${cache}/chrome/.metadata`, `${cache}/chrome/mac_arm-140.0.0.0/chrome-mac-arm64/x`, chrome('120.0.0.0', 'linux_arm')]);
    expect(findChromium(o).path).toBe(chrome('120.0.0.0', 'linux_arm'));
  });

  it('honours PUPPETEER_CACHE_DIR', () => {
    const exe = '/srv/pptr/chrome/linux-131.0.6778.85/chrome-linux64/chrome';
    expect(findChromium(linux([exe], { PUPPETEER_CACHE_DIR: '/srv/pptr' })).path).toBe(exe);
    expect(puppeteerCacheDir({ platform: 'linux', homedir: '/home/u', env: {} })).toBe(cache);
  });

  it('lays out its executables as @puppeteer/browsers does', () => {
    const builds = { [Browser.CHROME]: ['131.0.6778.85'], [Browser.FIREFOX]: ['stable_139.0.4', 'esr_128.11.0esr', 'nightly_141.0a1', '139.0a1'] };
    for (const browser of [Browser.CHROME, Browser.FIREFOX] as const) {
      for (const platform of Object.values(BrowserPlatform)) {
        for (const buildId of builds[browser]) {
          const theirs = computeExecutablePath({ cacheDir: null, browser, platform, buildId });
          expect(cacheRelativePath(browser, platform, buildId).join('/'), `${browser} ${platform} ${buildId}`).toBe(theirs);
        }
      }
    }
  });
});

describe('nothing found', () => {
  it('lists every place it looked and how to install', () => {
    const c = notFound(() => findChromium(linux([])));
    expect(c.looked).toEqual([
      'PUPPETEER_EXECUTABLE_PATH (not set)',
      '/usr/bin/chromium',
      '/usr/bin/chromium-browser',
      '/snap/bin/chromium',
      '/usr/bin/google-chrome-stable',
      '/usr/bin/google-chrome',
      '/home/u/.cache/puppeteer/chrome/<platform>-<version>/chrome-linux64/chrome (nothing installed there)',
    ]);
    for (const l of c.looked) expect(c.message).toContain(l);
    expect(c.message).toContain('sudo apt-get install -y chromium');
    expect(c.message).toContain('npm run browsers');

    const f = notFound(() => findFirefox(mac([])));
    expect(f.looked).toContain('/Applications/Firefox.app/Contents/MacOS/firefox');
    expect(f.looked).toContain('/Users/u/Applications/Firefox Nightly.app/Contents/MacOS/firefox');
    expect(f.looked.at(-1)).toBe('/Users/u/.cache/puppeteer/firefox/<platform>-<version>/Firefox.app/Contents/MacOS/firefox (nothing installed there)');
  });

  it('lists the cache installs it tried', () => {
    const broken = '/home/u/.cache/puppeteer/firefox/linux-stable_139.0.4/firefox/firefox';
    const f = notFound(() => findFirefox(linux(['/home/u/.cache/puppeteer/firefox/linux-stable_139.0.4/README'])));
    expect(f.looked.at(-1)).toBe(broken);
  });

  it('says both at once, with one install line', () => {
    const errors = [notFound(() => findChromium(linux([]))), notFound(() => findFirefox(linux([])))];
    const message = describeMissing(errors);
    expect(message).toContain('Chromium / Chrome not found');
    expect(message).toContain('Firefox not found');
    expect(message).toContain('sudo apt-get install -y chromium firefox-esr');
    expect(message.match(/npm run browsers/g)).toHaveLength(1);
  });

  it('on Windows with none of its env set, still looks in puppeteer\'s cache', () => {
    const c = notFound(() => findChromium(windows([], {})));
    expect(c.looked).toEqual([
      'PUPPETEER_EXECUTABLE_PATH (not set)',
      'C:\\Users\\u\\.cache\\puppeteer\\chrome\\<platform>-<version>\\chrome-win64\\chrome.exe (nothing installed there)',
    ]);
  });
});

describe('.puppeteerrc.cjs', () => {
  it('agrees with the lookup on this machine (it require()s the same module)', () => {
    const rc = createRequire(import.meta.url)('../../../.puppeteerrc.cjs') as { executablePath?: string; skipDownload: boolean };
    let expected: string | undefined;
    try {
      expected = findChromium().path;
    } catch {
      // Nothing found here: the config then leaves puppeteer's default.
    }
    expect(rc.executablePath).toBe(expected);
    expect(rc.skipDownload).toBe(Boolean(expected) || process.env.PUPPETEER_SKIP_DOWNLOAD !== 'false');
  });
});
