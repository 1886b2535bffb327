// Connection names in the narrow list lead with what differs; the host is said once when every connection shares it.
import { describe, expect, it } from 'vitest';
import { connectionName, sharedHost } from '../../../src/panel/format';
import type { Connection } from '../../../src/model/types';

const c = (url: string): Connection => ({ id: 1, url, state: 'open', openedBeforeCapture: false, target: { type: 'page' } });

describe('connection names', () => {
  it('share the host once, or name it after the path when hosts differ', () => {
    const same = [c('wss://app.example/feed?x=1'), c('wss://app.example/chat')];
    expect(sharedHost(same)).toBe('app.example');
    expect(same.map((x) => connectionName(x, 'app.example'))).toEqual(['/feed?x=1', '/chat']);
    const mixed = [c('ws://127.0.0.1:8080/a'), c('ws://127.0.0.1:9090/')];
    expect(sharedHost(mixed)).toBeNull();
    expect(mixed.map((x) => connectionName(x, null))).toEqual(['/a · 127.0.0.1:8080', '/ · 127.0.0.1:9090']);
    // A connection with no URL yet does not stop the others sharing theirs.
    expect(sharedHost([c(''), c('ws://h/x')])).toBe('h');
    expect(connectionName(c(''), 'h')).toBe('URL unknown (opened before capture)');
  });
});
