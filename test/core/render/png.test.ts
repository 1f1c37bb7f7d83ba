import { describe, expect, it } from 'vitest';

describe('PNG text', () => {
  it('reads back a text chunk without decoding the image', async () => {
    const { encode } = await import('fast-png');
    const { readPngText } = await import('../../../src-main/core/render/png');
    const png = encode({ width: 2, height: 1, data: new Uint8Array(8).fill(7), channels: 4, depth: 8, text: { terrafuse: '{"a":[1,2]}', other: 'x' } });
    expect(readPngText(png, 'terrafuse')).toBe('{"a":[1,2]}');
    expect(readPngText(png, 'missing')).toBeUndefined();
    expect(readPngText(new Uint8Array([1, 2, 3]), 'terrafuse')).toBeUndefined();
  });
});
