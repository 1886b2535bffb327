// Runs a Playwright test file Frameline generated, with playwright-core (the test runner, @playwright/test, is not a
// dependency): `test` and `expect.poll` as the generated file uses them, a Chromium page, and what the page shows at
// the end printed as JSON. Usage: node playwright-test-shim.mjs <spec.mjs> <selector of what to print>
// The spec imports '@playwright/test': the caller puts a package of that name beside it that re-exports this file.
import { chromium } from 'playwright-core';

const tests = [];
export const test = (name, fn) => tests.push({ name, fn });

export const expect = {
  poll(fn, { message = 'the condition', timeout = 10_000 } = {}) {
    return {
      async toBe(want) {
        const deadline = Date.now() + timeout;
        for (;;) {
          const got = await fn();
          if (got === want) return;
          if (Date.now() > deadline) throw new Error(`expect.poll timed out: ${message} (got ${JSON.stringify(got)}, want ${JSON.stringify(want)})`);
          await new Promise((r) => setTimeout(r, 50));
        }
      },
    };
  },
};

export async function run(spec, selector, executablePath) {
  await import(spec);
  const browser = await chromium.launch({ executablePath, headless: true });
  try {
    const out = [];
    for (const t of tests) {
      const page = await browser.newPage();
      await t.fn({ page });
      out.push({ name: t.name, shown: await page.textContent(selector) });
      await page.close();
    }
    return out;
  } finally {
    await browser.close();
  }
}
