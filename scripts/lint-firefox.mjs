// `web-ext lint` on dist/firefox: passes only with 0 errors and 0 warnings (prints each finding otherwise).
import { spawnSync } from 'node:child_process';

const r = spawnSync('npx', ['web-ext', 'lint', '--source-dir', 'dist/firefox', '--output', 'json'], { encoding: 'utf8' });
let report;
try {
  report = JSON.parse(r.stdout);
} catch {
  console.error(r.stdout, r.stderr);
  console.error('✖ web-ext lint did not produce a report');
  process.exit(1);
}
const { errors, warnings, notices } = report.summary;
for (const kind of ['errors', 'warnings', 'notices']) for (const m of report[kind]) console.log(`${kind}: ${m.code} ${m.file ?? ''} ${m.message}`);
console.log(`web-ext lint dist/firefox: ${errors} errors, ${warnings} warnings, ${notices} notices`);
process.exit(errors === 0 && warnings === 0 ? 0 : 1);
