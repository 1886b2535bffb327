import { defineConfig } from 'vitest/config';
import preact from '@preact/preset-vite';

export default defineConfig({
  plugins: [preact()],
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.{ts,tsx}'],
          environment: 'node',
          // The polyfill refuses to load outside an extension: an in-memory stand-in (storage only).
          alias: { 'webextension-polyfill': new URL('./test/unit/support/browser-stub.ts', import.meta.url).pathname },
        },
      },
      {
        extends: true,
        test: {
          name: 'bench',
          include: ['test/bench/**/*.bench.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 600_000,
          pool: 'forks',
          execArgv: ['--expose-gc', '--max-old-space-size=8192'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          // One real browser at a time on a 2-core machine.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
