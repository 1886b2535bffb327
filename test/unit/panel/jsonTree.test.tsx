// @vitest-environment happy-dom
// The JSON tree's right-click menu copies a value (strings as they are, the rest as JSON) or its path in the filter's
// syntax, so a path read off a frame can be pasted into a query.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, waitFor } from '@testing-library/preact';

const copied: string[] = [];
vi.mock('../../../src/platform/clipboard', () => ({ copyText: (t: string) => (copied.push(t), Promise.resolve()) }));
const { JsonTree, pathText, valueText } = await import('../../../src/panel/JsonTree');

afterEach(cleanup);

describe('JSON tree copy', () => {
  it('writes paths as the query language reads them, values as text', () => {
    expect(pathText([])).toBe('$');
    expect(pathText(['a', 'odd key', 0, '$ok', '1x'])).toBe('$.a["odd key"][0].$ok["1x"]');
    expect(valueText('plain "text"')).toBe('plain "text"');
    expect(valueText({ a: [1, null] })).toBe('{\n  "a": [\n    1,\n    null\n  ]\n}');
    expect(valueText(new Uint8Array([1, 255]))).toBe('01 ff');
  });

  it('right-click on a line copies its path or its value', async () => {
    const ui = render(<JsonTree value={{ a: { 'odd key': [10, 'x<b>'] } }} />);
    fireEvent.click([...ui.container.querySelectorAll('.j-toggle')].find((l) => l.textContent?.includes('odd key'))!);
    const line = [...ui.container.querySelectorAll('.j-line')].find((l) => l.textContent === '1: "x<b>"')!;
    fireEvent.contextMenu(line);
    expect(ui.getByTestId('json-menu').dataset.path).toBe('$.a["odd key"][1]');
    fireEvent.click(ui.getByTestId('json-copy-path'));
    await waitFor(() => expect(copied.at(-1)).toBe('$.a["odd key"][1]'));
    fireEvent.contextMenu(line);
    fireEvent.click(ui.getByTestId('json-copy-value'));
    await waitFor(() => expect(copied.at(-1)).toBe('x<b>'));
    expect(ui.getByTestId('json-copy-notice').textContent).toBe('Copied the value.');
    expect(ui.container.querySelector('b')).toBeNull();
  });
});
