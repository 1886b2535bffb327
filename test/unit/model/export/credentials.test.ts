import { describe, expect, it } from 'vitest';
import {
  hasCredentials, headersForExport, isCredentialHeader, isCredentialParam, redactHeaderValue, redactProtocols, redactUrl,
} from '../../../../src/model/export/credentials';

describe('credentials', () => {
  it('knows credential headers by name, whatever their case', () => {
    for (const n of ['Cookie', 'set-cookie', 'AUTHORIZATION', 'Proxy-Authorization', 'X-Auth-Token', 'x-api-key', 'X-Api_Key', 'X-Session-Id', 'X-CSRF-Token', 'X-Client-Secret']) {
      expect(isCredentialHeader(n), n).toBe(true);
    }
    for (const n of ['Origin', 'User-Agent', 'Host', 'Sec-WebSocket-Protocol', 'Accept-Language', 'X-Request-Id']) {
      expect(isCredentialHeader(n), n).toBe(false);
    }
  });

  it('knows credential query parameters by name', () => {
    for (const n of ['token', 'ACCESS_TOKEN', 'auth', 'key', 'apikey', 'api_key', 'password', 'secret', 'session', 'sig', 'signature', 'id_token', 'X-Amz-Signature', 'X-Amz-Credential', 'sessionId']) {
      expect(isCredentialParam(n), n).toBe(true);
    }
    for (const n of ['room', 'author', 'keyboard_layout_v', 'v', 'EIO', 'transport']) expect(isCredentialParam(n), n).toBe(false);
  });

  it('replaces userinfo and credential parameters, leaving the rest of the URL byte for byte', () => {
    expect(redactUrl('wss://u:p@h.example:8443/a/b?room=1&token=abc&Sig=x%20y&flag#frag')).toBe(
      'wss://REDACTED:REDACTED@h.example:8443/a/b?room=1&token=REDACTED&Sig=REDACTED&flag#frag',
    );
    expect(redactUrl('ws://user@h/?a=%ZZ&access%5Ftoken=q')).toBe('ws://REDACTED@h/?a=%ZZ&access%5Ftoken=REDACTED');
    expect(redactUrl('/socket.io/?EIO=4&transport=websocket&auth=xyz')).toBe('/socket.io/?EIO=4&transport=websocket&auth=REDACTED');
    expect(redactUrl('wss://h/p?token')).toBe('wss://h/p?token'); // no value to hide
    expect(redactUrl('wss://h/a@b?x=1')).toBe('wss://h/a@b?x=1'); // @ in the path is not userinfo
    expect(redactUrl('wss://h.example/Path%20X/?Q=1')).toBe('wss://h.example/Path%20X/?Q=1');
    expect(redactUrl('')).toBe('');
  });

  it('replaces credential header values and token-bearing subprotocols', () => {
    expect(redactHeaderValue('Cookie', 'a=b')).toBe('REDACTED');
    expect(redactHeaderValue('Origin', 'https://x')).toBe('https://x');
    expect(redactHeaderValue('Sec-WebSocket-Protocol', 'base64url.bearer.authorization.k8s.io.ZXlK, v4.channel.k8s.io')).toBe('REDACTED, v4.channel.k8s.io');
    expect(redactProtocols(['graphql-transport-ws', 'mqtt', 'v10.stomp'])).toEqual(['graphql-transport-ws', 'mqtt', 'v10.stomp']);
    const hs = [{ name: 'Cookie', value: 'x' }, { name: 'Origin', value: 'o' }];
    expect(headersForExport(hs, false)).toEqual([{ name: 'Cookie', value: 'REDACTED' }, { name: 'Origin', value: 'o' }]);
    expect(headersForExport(hs, true)).toEqual(hs);
    expect(hasCredentials('wss://h/', hs)).toBe(true);
    expect(hasCredentials('wss://h/?token=1', [])).toBe(true);
    expect(hasCredentials('wss://h/?room=1', [{ name: 'Origin', value: 'o' }])).toBe(false);
  });
});
