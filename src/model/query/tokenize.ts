// The tokens of a query: words, quoted text, /regexes/, JSON paths, exists(…), comparisons, parentheses, - and OR.
import { QueryError } from './types';

export type Token =
  | { k: 'word'; v: string; pos: number; quoted: boolean }
  | { k: 'regex'; source: string; flags: string; pos: number }
  | { k: 'lparen' | 'rparen' | 'minus' | 'or'; pos: number }
  | { k: 'json'; path: string; pos: number } // $.a.b
  | { k: 'exists'; path: string; pos: number }
  | { k: 'cmp'; v: string; pos: number };

const CMP = ['==', '!=', '>=', '<=', '>', '<', '~'];

export function readQuoted(input: string, i: number): { value: string; end: number } {
  const quote = input[i];
  let out = '';
  let j = i + 1;
  while (j < input.length && input[j] !== quote) {
    if (input[j] === '\\' && j + 1 < input.length) {
      out += input[j + 1];
      j += 2;
    } else out += input[j++];
  }
  if (j >= input.length) throw new QueryError(`Unclosed quote ${quote}`, i);
  return { value: out, end: j + 1 };
}

function readRegex(input: string, i: number): { source: string; flags: string; end: number } {
  let j = i + 1;
  let inClass = false;
  while (j < input.length) {
    const c = input[j];
    if (c === '\\') j += 2;
    else {
      if (c === '[') inClass = true;
      else if (c === ']') inClass = false;
      else if (c === '/' && !inClass) break;
      j++;
    }
  }
  if (j >= input.length) throw new QueryError('Unclosed regular expression: add the closing /', i);
  const source = input.slice(i + 1, j);
  let k = j + 1;
  while (k < input.length && /[a-z]/i.test(input[k])) k++;
  return { source, flags: input.slice(j + 1, k), end: k };
}

function readPath(input: string, i: number): { path: string; end: number } {
  // $ followed by .name, ["key"], [0] segments
  let j = i + 1;
  while (j < input.length) {
    const c = input[j];
    if (c === '.') {
      j++;
      while (j < input.length && /[\w$-]/.test(input[j])) j++;
    } else if (c === '[') {
      const close = input[j + 1] === '"' || input[j + 1] === "'" ? readQuoted(input, j + 1).end : j + 1;
      const end = input.indexOf(']', close);
      if (end < 0) throw new QueryError('Unclosed [ in JSON path', j);
      j = end + 1;
    } else break;
  }
  return { path: input.slice(i, j), end: j };
}

export function tokenize(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const pos = i;
    if (c === '(') {
      out.push({ k: 'lparen', pos });
      i++;
    } else if (c === ')') {
      out.push({ k: 'rparen', pos });
      i++;
    } else if (c === '-' && i + 1 < input.length && !/\s/.test(input[i + 1]) && (out.length === 0 || out[out.length - 1].k !== 'cmp')) {
      out.push({ k: 'minus', pos });
      i++;
    } else if (c === '"' || c === "'") {
      const q = readQuoted(input, i);
      out.push({ k: 'word', v: q.value, pos, quoted: true });
      i = q.end;
    } else if (c === '/') {
      const r = readRegex(input, i);
      out.push({ k: 'regex', source: r.source, flags: r.flags, pos });
      i = r.end;
    } else if (c === '$' && (input[i + 1] === '.' || input[i + 1] === '[' || /[\s=!<>~]/.test(input[i + 1] ?? ' '))) {
      const p = readPath(input, i);
      out.push({ k: 'json', path: p.path, pos });
      i = p.end;
    } else if (input.startsWith('exists(', i)) {
      const start = i + 'exists('.length;
      let j = start;
      while (j < input.length && /\s/.test(input[j])) j++;
      if (input[j] !== '$') throw new QueryError('exists() takes a JSON path such as $.error', j);
      const p = readPath(input, j);
      let k = p.end;
      while (k < input.length && /\s/.test(input[k])) k++;
      if (input[k] !== ')') throw new QueryError('exists( needs its closing )', k);
      out.push({ k: 'exists', path: p.path, pos });
      i = k + 1;
    } else {
      const cmp = CMP.find((o) => input.startsWith(o, i));
      if (cmp && out.length && out[out.length - 1].k === 'json') {
        out.push({ k: 'cmp', v: cmp, pos });
        i += cmp.length;
        continue;
      }
      let j = i;
      while (j < input.length && !/[\s()]/.test(input[j])) {
        if ((input[j] === '"' || input[j] === "'") && j > i) {
          // field:"quoted value"
          j = readQuoted(input, j).end;
          continue;
        }
        j++;
      }
      const v = input.slice(i, j);
      if (v === 'OR') out.push({ k: 'or', pos });
      else out.push({ k: 'word', v, pos, quoted: false });
      i = j;
    }
  }
  return out;
}
