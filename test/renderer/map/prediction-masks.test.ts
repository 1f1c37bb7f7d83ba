import { describe, expect, it } from 'vitest';
import type { PredictionsResult } from '../../../src-main/api/training';
import { maskRequests, maskTarget, swipeClip } from '../../../src-renderer/src/lib/map/prediction-masks';

const p = (id: string, mask: string | null) => ({
  id,
  split: null,
  byTarget: { worldcover: { index: 0, className: 'Tree cover', confidence: 0.5, truth: null, value: null, mask } },
});
const result: PredictionsResult = {
  dir: '/w/pred',
  heads: [{ target: 'worldcover', task: 'segmentation', classNames: ['Tree cover'], colors: ['#006400'] }],
  patches: [p('a', 'masks/a__worldcover.tif'), p('b', null), p('c', 'masks/c__worldcover.tif'), p('d', 'masks/d__worldcover.tif')],
};

describe('prediction masks on the map', () => {
  it('asks for the patches with a mask, the given ones first, at most max', () => {
    expect(maskTarget(result)).toBe('worldcover');
    expect(maskRequests(result, 'prediction', null).map((r) => r.patchId)).toEqual(['a', 'c', 'd']);
    expect(maskRequests(result, 'prediction', null, ['d', 'b', 'x']).map((r) => r.patchId)).toEqual(['d', 'a', 'c']);
    expect(maskRequests(result, 'prediction', null, [], 2)).toHaveLength(2);
    expect(maskRequests(result, 'errors', '/data')[0]).toEqual({ dir: '/w/pred', patchId: 'a', target: 'worldcover', view: 'errors', data: '/data' });
  });

  it('nothing to ask for: errors without the dataset, or no WorldCover segmentation head', () => {
    expect(maskRequests(result, 'errors', null)).toEqual([]);
    const cls: PredictionsResult = { ...result, heads: [{ target: 'lulc', task: 'classification', classNames: [], colors: [] }] };
    expect(maskTarget(cls)).toBeNull();
    expect(maskRequests(cls, 'prediction', null)).toEqual([]);
  });

  it('swipe clip: the left part of the canvas, clamped', () => {
    expect(swipeClip(0.25, 800, 600)).toEqual([0, 0, 200, 600]);
    expect(swipeClip(1.5, 800, 600)).toEqual([0, 0, 800, 600]);
    expect(swipeClip(-1, 800, 600)).toEqual([0, 0, 0, 600]);
  });
});
