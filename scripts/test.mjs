// npm test: type-check, lint, unit tests, build, then the real-browser e2e tests. Prints a final `N passed, N failed`
// line (summed over both vitest runs) and exits non-zero on any failure. A missing browser is a failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { missingBrowsers } from './check-browsers.mjs';
import { describeMissing } from './find-browsers.mjs';

const out = join(process.cwd(), 'test-results');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const totals = { passed: 0, failed: 0, skipped: 0 };
let ok = true;

const run = (label, cmd, args) => {
  console.log(`\n▶ ${label}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  return r.status === 0;
};

function vitest(project) {
  const file = join(out, `${project}.json`);
  const passed = run(`${project} tests`, 'npx', [
    'vitest', 'run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${file}`,
  ]);
  if (existsSync(file)) {
    const j = JSON.parse(readFileSync(file, 'utf8'));
    totals.passed += j.numPassedTests;
    totals.failed += j.numFailedTests + (j.numFailedTestSuites && !j.numFailedTests ? j.numFailedTestSuites : 0);
    totals.skipped += j.numPendingTests + j.numTodoTests;
    if (j.numTotalTests === 0) {
      console.error(`✖ ${project}: no tests ran`);
      ok = false;
    }
  } else {
    totals.failed += 1; // the run died before reporting
  }
  ok &&= passed;
}

for (const [label, args] of [['type-check', ['tsc', '--noEmit']], ['lint', ['eslint', 'src', 'test']]]) {
  // Each counts as one check.
  if (run(label, 'npx', args)) totals.passed += 1;
  else {
    totals.failed += 1;
    ok = false;
  }
}
vitest('unit');

const missing = missingBrowsers();
if (missing.length) {
  console.error(describeMissing(missing));
  console.error('The e2e tests need real browsers; they are not skipped.');
  totals.failed += 1;
  ok = false;
} else if (run('build (dist/chrome, dist/firefox)', 'npm', ['run', 'build', '--silent'])) {
  // The Firefox build must lint clean (0 errors, 0 warnings): counted as one check.
  if (run('web-ext lint (dist/firefox)', 'node', ['scripts/lint-firefox.mjs'])) totals.passed += 1;
  else {
    totals.failed += 1;
    ok = false;
  }
  vitest('e2e');
} else {
  totals.failed += 1;
  ok = false;
}

const line = `${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`;
writeFileSync(join(out, 'summary.txt'), line + '\n');
console.log('');
console.log(line);
process.exit(ok && totals.failed === 0 ? 0 : 1);
