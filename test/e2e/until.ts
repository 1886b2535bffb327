// Waiting on the test's own side (the test server's records, the download folder), as waitInFrame waits on a page's.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
export async function until(fn: () => boolean | Promise<boolean>, what: string, timeout = 10_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A HAR file the browser downloaded into `dir` (name starting with `prefix`), once it is complete (parses). */
export async function waitForHar(dir: string, prefix: string, timeout = 20_000): Promise<string> {
  let path = '';
  await until(() => {
    const f = readdirSync(dir).find((n) => n.startsWith(prefix) && n.endsWith('.har'));
    if (!f) return false;
    path = join(dir, f);
    try {
      JSON.parse(readFileSync(path, 'utf8'));
      return true;
    } catch {
      return false; // still being written
    }
  }, `a complete HAR download starting with ${prefix} in ${dir}`, timeout);
  return path;
}
