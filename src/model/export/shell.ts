// POSIX shell words and command lines for the copied curl/websocat commands. Pure.

const PLAIN = /^[A-Za-z0-9_/.:=,+@%-]+$/;

/**
 * One shell word that the shell turns back into exactly `s`: bare when every character is inert, else single-quoted
 * with each `'` written as `'\''`. NUL cannot be part of a program argument at all, so it is dropped.
 */
export function shellQuote(s: string): string {
  const clean = s.replace(/\0/g, '');
  if (PLAIN.test(clean)) return clean;
  return `'${clean.replace(/'/g, `'\\''`)}'`;
}

/** A command, one group of arguments per line joined with backslash-newline (the shell reads it as one line). */
export function commandLines(groups: readonly (readonly string[])[]): string {
  return groups
    .filter((g) => g.length)
    .map((g) => g.map(shellQuote).join(' '))
    .join(' \\\n  ');
}
