// @vitest-environment happy-dom
// The composer with a payload too large to edit whole (a 64 MB binary frame would be 192 MB of hex in a textarea):
// the editor holds the first part, what follows is sent unchanged after it, and the whole can be saved to a file.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, waitFor } from '@testing-library/preact';
import { Composer, EDIT_BYTES, EDIT_CHARS, splitForEditing } from '../../../src/panel/Composer';
import type { Connection } from '../../../src/model/types';
import type { ReplayRequest } from '../../../src/protocol';
import { base64ToBytes } from '../../../src/model/bytes';
import { fakeHost } from './fake-host';

afterEach(cleanup);

const CONN: Connection = { id: 1, url: 'ws://h/x', state: 'open', openedBeforeCapture: false, target: { type: 'page' } };

function composer(source: { text?: string; bytes?: Uint8Array }) {
  const sent: ReplayRequest[] = [];
  const host = fakeHost({ replay: (r: ReplayRequest) => (sent.push(r), Promise.resolve({ id: 0, ok: true })) });
  const ui = render(<Composer conn={CONN} source={{ conn: 1, frame: 9, nonce: 1, ...source }} host={host} />);
  const editor = () => ui.getByTestId('replay-editor') as HTMLTextAreaElement;
  return { ui, sent, editor };
}

describe('composer, large payloads', () => {
  it('a 64 MB binary payload: the editor holds the first part in hex, an edit there is sent with the rest unchanged', async () => {
    const bytes = new Uint8Array(64 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 4096) bytes[i] = i >>> 12;
    const { ui, sent, editor } = composer({ bytes });
    expect(editor().value.length).toBe(EDIT_BYTES * 3 - 1); // "00 01 …": the first part only
    const notice = ui.getByTestId('composer-rest');
    expect(Number(notice.dataset.restBytes)).toBe(bytes.length - EDIT_BYTES);
    expect(notice.textContent).toMatch(/sent after it unchanged/);
    fireEvent.input(editor(), { target: { value: 'ff ' + editor().value.slice(3) } });
    fireEvent.click(ui.getByTestId('replay-send'));
    await waitFor(() => expect(sent).toHaveLength(1));
    const out = base64ToBytes(sent[0].b64!);
    expect(out.length).toBe(bytes.length);
    expect(out[0]).toBe(0xff);
    expect(Buffer.from(out.subarray(1)).equals(Buffer.from(bytes.subarray(1)))).toBe(true); // (toEqual walks 64M elements slowly)
  }, 60_000); // Node's btoa is far slower than a browser's on 64 MB

  it('a large text payload: cut between characters, never inside a surrogate pair, and sent whole', async () => {
    const text = 'a'.repeat(EDIT_CHARS - 1) + '😀' + 'b'.repeat(2_000_000);
    const split = splitForEditing({ text });
    expect(split.head).toBe('a'.repeat(EDIT_CHARS - 1));
    const { ui, sent, editor } = composer({ text });
    expect(editor().value).toBe(split.head);
    expect(ui.getByTestId('replay-validation').textContent).toMatch(/not checked/);
    fireEvent.click(ui.getByTestId('replay-send'));
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0].text).toBe(text);
  });

  it('saves the whole payload, edit included, to a file; saved messages refuse it', () => {
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    const blobs: Blob[] = [];
    const create = vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => (blobs.push(b as Blob), 'blob:x'));
    const { ui } = composer({ bytes: new Uint8Array(EDIT_BYTES + 10) });
    fireEvent.click(ui.getByTestId('composer-save-file'));
    expect(blobs[0].size).toBe(EDIT_BYTES + 10);
    expect(click).toHaveBeenCalled();
    fireEvent.input(ui.getByTestId('saved-name'), { target: { value: 'big' } });
    expect((ui.getByTestId('saved-save') as HTMLButtonElement).disabled).toBe(true);
    click.mockRestore();
    create.mockRestore();
  });

  it('a payload within the limits is edited whole, as before', () => {
    const { ui, editor } = composer({ text: '{"a":1}' });
    expect(editor().value).toBe('{"a":1}');
    expect(ui.queryByTestId('composer-rest')).toBeNull();
    expect(ui.getByTestId('replay-validation').textContent).toMatch(/Valid JSON/);
  });
});
