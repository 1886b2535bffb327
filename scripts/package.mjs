// npm run package: the store zips of both builds, in dist/packages/ (run after npm run build).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
for (const target of ['chrome', 'firefox']) {
  const dir = `dist/${target}`;
  if (!existsSync(`${dir}/manifest.json`)) {
    console.error(`✖ ${dir} is missing: run npm run build first.`);
    process.exit(1);
  }
  const r = spawnSync(
    'npx',
    ['web-ext', 'build', '--source-dir', dir, '--artifacts-dir', 'dist/packages', '--filename', `frameline-${target}-${version}.zip`, '--overwrite-dest'],
    { stdio: 'inherit' },
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
}
