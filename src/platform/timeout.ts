// Every call into the inspected page has a time limit: a page that never answers (busy, paused, or hostile) must not
// leave Frameline waiting for ever.

/** Rejects with `Error(message)` when `p` has not settled within `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, message = 'timed out'): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(message)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
