// Two targets from one source: `vite build --mode chrome` → dist/chrome, `--mode firefox` → dist/firefox.
import { defineConfig, type Plugin } from 'vite';
import preact from '@preact/preset-vite';
import { crx, type ManifestV3Export } from '@crxjs/vite-plugin';
import baseManifest from './manifest.json' with { type: 'json' };

/** Firefox: background scripts instead of a service worker, no chrome.debugger, gecko settings (see README). */
function firefoxManifest(m: typeof baseManifest): ManifestV3Export {
  const { minimum_chrome_version: _ignored, background, permissions, ...rest } = m;
  return {
    ...rest,
    background: { scripts: [background.service_worker], type: 'module' },
    // No chrome.debugger (nor chrome.system.cpu) in Firefox: a page hook in every frame (MAIN world, standalone IIFE so it runs before the
    // page's scripts) with an isolated relay beside it, and webRequest for handshake headers (ws/wss only).
    permissions: [...permissions.filter((p) => p !== 'debugger' && p !== 'system.cpu'), 'webRequest'],
    host_permissions: ['ws://*/*', 'wss://*/*'],
    content_scripts: [
      { matches: ['<all_urls>'], js: ['src/entries/hook-main.iife.ts'], run_at: 'document_start', all_frames: true, match_about_blank: true, world: 'MAIN' },
      { matches: ['<all_urls>'], js: ['src/entries/hook-relay.iife.ts'], run_at: 'document_start', all_frames: true, match_about_blank: true },
    ],
    browser_specific_settings: {
      gecko: {
        id: 'frameline@frameline.dev',
        strict_min_version: '140.0',
        data_collection_permissions: { required: ['none'] },
      },
      gecko_android: { strict_min_version: '142.0' },
    },
  } as ManifestV3Export;
}

/**
 * Frameline never renders raw HTML: drop Preact's `dangerouslySetInnerHTML` assignment (a hostile payload can then
 * never become markup, and `web-ext lint` has no unsafe innerHTML assignment to report). Fails the build if Preact's
 * code changes shape, rather than silently keeping it.
 */
function noRawHtml(): Plugin {
  return {
    name: 'frameline:no-raw-html',
    transform(code, id) {
      if (!/[\\/]preact[\\/]dist[\\/]preact\.mjs/.test(id)) return null;
      const re = /\((\w+)\.innerHTML=(\w+)\.__html\)/g;
      if (!re.test(code)) this.error('Preact changed: its dangerouslySetInnerHTML assignment was not found');
      return { code: code.replace(re, '(()=>{throw new Error("Frameline renders no raw HTML")})()'), map: null };
    },
  };
}

/**
 * protobufjs generates its encoders and decoders with `new Function`, which the extension's CSP forbids; Frameline uses
 * its parser and reflection only and reads the wire itself. Ship no code generator at all: a call fails loudly.
 */
function noCodegen(): Plugin {
  return {
    name: 'frameline:no-codegen',
    transform(code, id) {
      if (!/[\\/]protobufjs[\\/]src[\\/]util[\\/]codegen\.js$/.test(id)) return null;
      if (!code.includes('module.exports = codegen')) this.error('protobufjs changed: its codegen module was not found');
      return { code: 'module.exports = function codegen() { throw new Error("Frameline generates no code"); };', map: null };
    },
  };
}

export default defineConfig(({ mode }) => {
  const firefox = mode === 'firefox';
  return {
    plugins: [
      noRawHtml(),
      noCodegen(),
      preact(),
      crx({
        manifest: firefox ? firefoxManifest(baseManifest) : (baseManifest),
        browser: firefox ? 'firefox' : 'chrome',
      }),
    ],
    build: {
      outDir: firefox ? 'dist/firefox' : 'dist/chrome',
      emptyOutDir: true,
      target: firefox ? 'firefox140' : 'chrome125',
      // The panel page is referenced only by chrome.devtools.panels.create: make it a build input.
      rollupOptions: {
        input: { panel: 'src/panel/index.html' },
        // A message breakpoint is a `debugger` statement in the page hook (src/capture/intercept-in-page.ts): keep it.
        output: { minify: { compress: { dropDebugger: false } } },
      },
    },
  };
});
