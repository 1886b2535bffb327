// A JSON validator that walks a text without making values: where a quick path must know a text parses (as
// JSON.parse would) before it trusts what it read of it.

const MAX_DEPTH = 64;

const isWs = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9;

export function skipWs(t: string, i: number): number {
  while (i < t.length && isWs(t.charCodeAt(i))) i++;
  return i;
}

/** Index just past the string opening at `i` (a quote), -1 when it is not a valid JSON string. */
export function skipString(t: string, i: number): number {
  for (let j = i + 1; j < t.length; j++) {
    const c = t.charCodeAt(j);
    if (c === 34) return j + 1;
    if (c < 32) return -1;
    if (c === 92) {
      const e = t.charCodeAt(++j);
      if (e === 117 /* u */) {
        for (let k = 1; k <= 4; k++) if (!isHex(t.charCodeAt(j + k))) return -1;
        j += 4;
      } else if (!(e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116)) return -1;
    }
  }
  return -1;
}

const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** Index just past the number at `i`, -1 when none starts there. */
export function skipNumber(t: string, i: number): number {
  if (t.charCodeAt(i) === 45) i++;
  const c = t.charCodeAt(i);
  if (c === 48) i++;
  else if (c >= 49 && c <= 57) while (isDigit(t.charCodeAt(i))) i++;
  else return -1;
  if (t.charCodeAt(i) === 46) {
    if (!isDigit(t.charCodeAt(++i))) return -1;
    while (isDigit(t.charCodeAt(i))) i++;
  }
  const e = t.charCodeAt(i);
  if (e === 101 || e === 69) {
    i++;
    const s = t.charCodeAt(i);
    if (s === 43 || s === 45) i++;
    if (!isDigit(t.charCodeAt(i))) return -1;
    while (isDigit(t.charCodeAt(i))) i++;
  }
  return i;
}

/** Index just past the value at `i` (no whitespace before it), -1 when it is not JSON (or nests too deep). */
export function skipValue(t: string, i: number, depth = 0): number {
  const c = t.charCodeAt(i);
  if (c === 34) return skipString(t, i);
  if (c === 123 || c === 91) {
    if (depth >= MAX_DEPTH) return -1;
    const close = c === 123 ? 125 : 93;
    i = skipWs(t, i + 1);
    if (t.charCodeAt(i) === close) return i + 1;
    for (;;) {
      if (c === 123) {
        if (t.charCodeAt(i) !== 34) return -1;
        i = skipWs(t, skipString(t, i));
        if (i < 0 || t.charCodeAt(i) !== 58) return -1;
        i = skipWs(t, i + 1);
      }
      i = skipValue(t, i, depth + 1);
      if (i < 0) return -1;
      i = skipWs(t, i);
      const d = t.charCodeAt(i);
      if (d === close) return i + 1;
      if (d !== 44) return -1;
      i = skipWs(t, i + 1);
    }
  }
  if (c === 116) return t.startsWith('true', i) ? i + 4 : -1;
  if (c === 102) return t.startsWith('false', i) ? i + 5 : -1;
  if (c === 110) return t.startsWith('null', i) ? i + 4 : -1;
  return skipNumber(t, i);
}

/** Whether `t` from `i` on is one JSON value with whitespace around it. */
export function isJsonFrom(t: string, i: number): boolean {
  const e = skipValue(t, skipWs(t, i));
  return e >= 0 && skipWs(t, e) === t.length;
}
