// What counts as a credential in a handshake, and how exports hide it unless the user keeps it. Pure.
import type { Header } from '../types';
import { splitProtocols } from '../headers';

export const REDACTED = 'REDACTED';

const CREDENTIAL_HEADERS = new Set(['cookie', 'set-cookie', 'authorization', 'proxy-authorization']);
const CREDENTIAL_HEADER_PART = /token|auth|api[-_]?key|session|secret|password/i;
const CREDENTIAL_PARAMS = new Set([
  'token', 'access_token', 'auth', 'key', 'apikey', 'api_key', 'password', 'secret', 'session', 'sig', 'signature',
]);
// Names built around these words are credentials too (id_token, X-Amz-Signature, sessionId); `auth` alone is not
// matched inside names, as it would catch `author`.
const CREDENTIAL_PARAM_PART = /token|secret|password|passwd|signature|credential|api[-_]?key|session/i;
// Subprotocols that carry a token (Kubernetes: base64url.bearer.authorization.k8s.io.<token>).
const CREDENTIAL_PROTOCOL = /bearer|token|authorization|secret|password/i;

export function isCredentialHeader(name: string): boolean {
  const n = name.toLowerCase();
  return CREDENTIAL_HEADERS.has(n) || CREDENTIAL_HEADER_PART.test(n);
}

export function isCredentialParam(name: string): boolean {
  return CREDENTIAL_PARAMS.has(name.toLowerCase()) || CREDENTIAL_PARAM_PART.test(name);
}

function decodeParam(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s; // malformed escapes: compare the name as written
  }
}

/** A query string (without `?`) with credential parameters' values replaced; everything else kept byte for byte. */
function redactQuery(query: string): string {
  return query
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      return eq > 0 && isCredentialParam(decodeParam(part.slice(0, eq))) ? `${part.slice(0, eq + 1)}${REDACTED}` : part;
    })
    .join('&');
}

/**
 * A URL or request target (`/path?query`) with its userinfo and credential query parameters replaced. Works on the
 * text, not through `new URL`, so nothing else of the URL is normalized.
 */
export function redactUrl(url: string): string {
  let rest = url;
  let head = '';
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(rest);
  if (scheme) {
    head = scheme[0];
    rest = rest.slice(head.length);
    const end = rest.search(/[/?#]/);
    const authority = end < 0 ? rest : rest.slice(0, end);
    const at = authority.lastIndexOf('@');
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      head += (userinfo.includes(':') ? `${REDACTED}:${REDACTED}` : REDACTED) + '@';
      rest = rest.slice(at + 1);
    }
  }
  const hash = rest.indexOf('#');
  const fragment = hash < 0 ? '' : rest.slice(hash);
  const beforeHash = hash < 0 ? rest : rest.slice(0, hash);
  const q = beforeHash.indexOf('?');
  if (q < 0) return head + rest;
  return head + beforeHash.slice(0, q + 1) + redactQuery(beforeHash.slice(q + 1)) + fragment;
}

/** Subprotocols with any that carries a token replaced. */
export function redactProtocols(protocols: readonly string[]): string[] {
  return protocols.map((p) => (CREDENTIAL_PROTOCOL.test(p) ? REDACTED : p));
}

/** A header's value as exports show it: credentials replaced, token-bearing subprotocols too. */
export function redactHeaderValue(name: string, value: string): string {
  if (isCredentialHeader(name)) return REDACTED;
  if (name.toLowerCase() === 'sec-websocket-protocol') return redactProtocols(splitProtocols(value)).join(', ');
  return value;
}

/** `redactHeaderValue` over a list, unless the user keeps credentials. */
export function headersForExport(headers: readonly Header[], keepCredentials: boolean): Header[] {
  return keepCredentials ? headers.map((h) => ({ ...h })) : headers.map((h) => ({ name: h.name, value: redactHeaderValue(h.name, h.value) }));
}

/** Whether `redactUrl`/`redactHeaderValue` would change anything here: exports say so in their header comment. */
export function hasCredentials(url: string, headers: readonly Header[]): boolean {
  return redactUrl(url) !== url || headers.some((h) => redactHeaderValue(h.name, h.value) !== h.value);
}
