/** `frameline-<host>-<yyyy-mm-dd-hhmmss>.<ext>`: what Frameline names the files it saves. */
export function savedFileName(host: string, ext: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  const safeHost = (host || 'session').replace(/:/g, '-').replace(/[^A-Za-z0-9.-]+/g, '_');
  return `frameline-${safeHost}-${stamp}.${ext}`;
}

/** The host of a URL, '' when it has none. */
export function hostOf(url: string | undefined): string {
  try {
    return url ? new URL(url).host : '';
  } catch {
    return '';
  }
}
