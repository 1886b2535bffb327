// A file saved from string chunks is exactly their UTF-8, whatever the chunks' sizes and characters.
import { describe, expect, it } from 'vitest';
import { blobFromChunks } from '../../../src/platform/download';

describe('blobFromChunks', () => {
  it('keeps every character, multi-byte ones across the encoding buffer edge and chunks larger than it', async () => {
    const edge = 8 * 1024 * 1024;
    const chunks = ['{"a":"', 'x'.repeat(edge - 8), '€😀é\u0000"', 'y'.repeat(edge * 2 + 3), '😀'.repeat(1000), '"}'];
    const blob = await blobFromChunks(chunks, 'application/json');
    const want = chunks.join('');
    expect(blob.type).toBe('application/json');
    expect(blob.size).toBe(new TextEncoder().encode(want).length);
    expect(await blob.text()).toBe(want);
  });

  it('makes an empty file from no chunks', async () => {
    expect((await blobFromChunks([], 'application/json')).size).toBe(0);
  });
});
