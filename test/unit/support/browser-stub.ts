// Unit tests run outside an extension, where webextension-polyfill refuses to load: this stands in for it with
// in-memory storage and nothing else (the platform code that needs more is covered by the e2e tests).
const local = new Map<string, unknown>();

const browser = {
  storage: {
    local: {
      get(key: string | string[]) {
        const keys = Array.isArray(key) ? key : [key];
        const out: Record<string, unknown> = {};
        for (const k of keys) if (local.has(k)) out[k] = structuredClone(local.get(k));
        return Promise.resolve(out);
      },
      set(items: Record<string, unknown>) {
        for (const [k, v] of Object.entries(items)) local.set(k, structuredClone(v));
        return Promise.resolve();
      },
      clear() {
        local.clear();
        return Promise.resolve();
      },
    },
  },
  runtime: {
    getManifest: () => ({ version: 'test' }),
    // Tests that need a Port give one (vi.spyOn(browser.runtime, 'connect')).
    connect: (): never => {
      throw new Error('no runtime Port in unit tests');
    },
  },
};

export default browser;
