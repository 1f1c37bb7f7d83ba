import { describe, expect, it } from 'vitest';
import { MODALITY_BITS as CONTRACT_BITS, SPLIT_CODES as CONTRACT_SPLITS, UNKNOWN_CODE as CONTRACT_UNKNOWN } from '../../../src-main/api/datasets';
import { MODALITY_BITS, MODALITY_LABELS, SPLIT_CODES, UNKNOWN_CODE } from '../../../src-renderer/src/lib/patches/codes';

describe('index codes in the renderer', () => {
  it('are the contract\'s (the renderer keeps its own copy to stay free of zod)', () => {
    expect(MODALITY_BITS).toEqual(CONTRACT_BITS);
    expect(SPLIT_CODES).toEqual(CONTRACT_SPLITS);
    expect(UNKNOWN_CODE).toBe(CONTRACT_UNKNOWN);
    expect(MODALITY_LABELS.map((m) => m.key).sort()).toEqual(Object.keys(CONTRACT_BITS).sort());
  });
});
