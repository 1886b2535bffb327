// Saving a file through the browser's download flow, from string chunks (never one giant string).

/** Collect chunks into Blob parts, yielding to the event loop now and then so the panel stays responsive. */
export async function blobFromChunks(chunks: Iterable<string>, type: string): Promise<Blob> {
  const parts: Blob[] = [];
  let pending: string[] = [];
  let pendingLength = 0;
  let sinceYield = performance.now();
  for (const c of chunks) {
    pending.push(c);
    pendingLength += c.length;
    if (pendingLength > 4 * 1024 * 1024) {
      parts.push(new Blob(pending));
      pending = [];
      pendingLength = 0;
    }
    if (performance.now() - sinceYield > 30) {
      await new Promise((r) => setTimeout(r, 0));
      sinceYield = performance.now();
    }
  }
  if (pending.length) parts.push(new Blob(pending));
  return new Blob(parts, { type });
}

export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
