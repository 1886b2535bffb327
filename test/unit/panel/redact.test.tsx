// @vitest-environment happy-dom
// Export's payload redaction goes through the same regex check as a filter: refused before anything is written, with a
// message naming the option.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, renderHook } from '@testing-library/preact';
import { useHarIO, type Notice } from '../../../src/panel/useHarIO';
import { DEFAULT_EXPORT, parseRedact } from '../../../src/panel/ExportImport';
import { SessionStore } from '../../../src/model/store';

afterEach(() => cleanup());

describe('export redaction regex', () => {
  it('compiles plain text literally and /…/flags as a regex, always global', () => {
    expect(parseRedact('')).toBeNull();
    expect(parseRedact('a*a*b')).toEqual(/a\*a\*b/g);
    expect(parseRedact('/"password":"[^"]*"/i')).toEqual(/"password":"[^"]*"/gi);
  });

  it.each([
    ['/(?:a|A)*b/i', /alternatives can start with the same character once case is ignored/],
    ['/\\s*\\s*x/', /two repetitions in a row, \\s\* and \\s\*/],
    ['/(a+)+$/', /repeats a group that itself repeats/],
  ])('refuses %s as a filter would', (input, why) => {
    const r = parseRedact(input);
    expect(r).toMatchObject({ kind: 'unsafe' });
    expect((r as { error: string }).error).toMatch(why);
  });

  it('says an invalid regex is invalid', () => {
    expect(parseRedact('/(/')).toMatchObject({ kind: 'invalid' });
  });

  it('does not export with a refused regex, and names the option', async () => {
    const notices: Notice[] = [];
    const notify = vi.fn((n: Notice) => notices.push(n));
    const { result } = renderHook(() => useHarIO({ store: new SessionStore(), connFilter: null, notify, open: () => ({ ok: true, id: 1 }) }));
    void act(() => result.current.setExportOptions({ ...DEFAULT_EXPORT, redact: '/"token":.*\\s*,/' }));
    await act(() => result.current.exportHar());
    expect(notices).toHaveLength(1);
    expect(notices[0].kind).toBe('error');
    expect(notices[0].text).toMatch(/^Export \(Redact in payloads\): the redaction regex is refused\. This regular expression has two repetitions in a row, \.\* and \\s\*.* Nothing was exported\.$/);
  });
});
