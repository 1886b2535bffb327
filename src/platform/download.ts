// Saving a file through the browser's download flow, from string chunks (never one giant string).

/** Bytes encoded before they become a Blob part (Blob copies them, so one buffer serves the whole file). */
const BLOCK_BYTES = 8 * 1024 * 1024;
/** Work between two yields to the event loop, so the panel stays responsive while a large file is made. */
const SLICE_MS = 50;

/**
 * Collect chunks into a Blob: encoded to UTF-8 into one reused buffer, a part per buffer's worth (a Blob made of
 * strings encodes them itself, and many strings cost it more than a few large byte parts), yielding to the event
 * loop now and then.
 */
export async function blobFromChunks(chunks: Iterable<string>, type: string): Promise<Blob> {
  const parts: Blob[] = [];
  const enc = new TextEncoder();
  const buf = new Uint8Array(BLOCK_BYTES);
  let used = 0;
  let sliceStart = performance.now();
  for (const c of chunks) {
    let rest = c;
    for (;;) {
      const { read, written } = enc.encodeInto(rest, buf.subarray(used));
      used += written;
      if (read === rest.length) break;
      // The buffer is full: it becomes a part, and the rest of the chunk goes on in it.
      parts.push(new Blob([buf.subarray(0, used)]));
      used = 0;
      rest = rest.slice(read);
    }
    if (used > BLOCK_BYTES - 64 * 1024) {
      parts.push(new Blob([buf.subarray(0, used)]));
      used = 0;
    }
    if (performance.now() - sliceStart > SLICE_MS) {
      await nextTask();
      sliceStart = performance.now();
    }
  }
  if (used) parts.push(new Blob([buf.subarray(0, used)]));
  return new Blob(parts, { type });
}

/** A task of its own, soon (a MessageChannel message: no timer clamp), so input and rendering get their turn. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(0);
  });
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
