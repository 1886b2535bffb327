// Running generated scripts for real: `node --check`, and a script run to its end with its output collected.
import { spawn, spawnSync } from 'node:child_process';

export function nodeCheck(file: string): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

/** Run `node file ...args` (asynchronously: a server in this process must keep answering) until it exits. */
export function runNode(file: string, args: string[] = [], timeoutMs = 15_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`timed out: ${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
