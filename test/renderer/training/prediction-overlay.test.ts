import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src-main/api/errors';
import { clientWith } from '../support/fake-client';
import type { PredictionsResult } from '../../../src-main/api/training';
import { PatchData, type PatchDataChange } from '../../../src-renderer/src/lib/patches/patch-data.svelte';
import { predictionOverlay } from '../../../src-renderer/src/lib/training/prediction-overlay.svelte';
import { indexOf, ROWS, summaryFor } from '../patches/helpers';

// The map's patch data and the prediction overlay wired as the Workbench wires them, over a scripted client.
const index = indexOf(ROWS);
const summary = summaryFor(index, { splits: { train: 3, val: 1, test: 1, none: 1 } });
const p = (index: number, truth: number, confidence: number) => ({ index, className: `c${index}`, confidence, truth, value: null, mask: null });
// Predictions for the first two patches of the map's dataset: the first right, the second wrong.
const result: PredictionsResult = {
  dir: '/w/run/predictions/x',
  heads: [{ target: 'lulc', task: 'classification', classNames: ['c0', 'c1', 'c2', 'c3'], colors: ['#006400', '#ffbb22', '#ffff4c', '#f096ff'] }],
  patches: [
    { id: ROWS.ids[0], split: 'train', byTarget: { lulc: p(3, 3, 0.9) } },
    { id: ROWS.ids[1], split: 'train', byTarget: { lulc: p(1, 2, 0.4) } },
  ],
};

describe('prediction overlay on the map', () => {
  it('loads a predict folder, colours the patches by it, switches mode, and gives the attribute colouring back', async () => {
    const { client, calls } = clientWith({
      'datasets.list': () => ({ open: [], recent: [], sample_path: '/s' }),
      'datasets.open': () => summary,
      'datasets.index': () => index,
      'training.predictions': () => result,
    });
    const data = new PatchData(client);
    await data.openFolder('/data/test');
    const changes: PatchDataChange[] = [];
    data.onChange((c) => changes.push(c));
    const before = Array.from(data.colouring!.codes);

    const overlay = predictionOverlay(client);
    expect(predictionOverlay(client)).toBe(overlay);
    const unbind = overlay.bind((o) => data.setColouringOverride(o));
    await overlay.load('/w/run/predictions/x', '/data/test');
    expect(calls.at(-1)).toEqual(['training.predictions', { dir: '/w/run/predictions/x', data: '/data/test' }]);
    expect(overlay.target).toBe('lulc');
    expect(changes).toContain('colour');
    const codes = Array.from(data.colouring!.codes);
    expect(codes.slice(0, 2)).toEqual([3, 1]);
    expect(codes.slice(2).every((c) => c === 255)).toBe(true);
    expect(data.legend.map((c) => c.label)).toEqual(['c1', 'c3', 'Not predicted']);

    overlay.show('lulc', 'correct');
    expect(Array.from(data.colouring!.codes).slice(0, 2)).toEqual([0, 1]);
    expect(overlay.rowsFor(ROWS.ids[1])).toEqual([{ target: 'lulc', task: 'classification', predicted: 'c1', truth: 'c2', confidence: 0.4, right: false }]);

    overlay.hide();
    expect(Array.from(data.colouring!.codes)).toEqual(before);
    // Choosing an attribute in the Data panel also ends the override.
    overlay.show();
    data.onChange((c) => c === 'colour' && !data.colouringOverride && overlay.dropped());
    data.setColourBy('split');
    expect(data.colouringOverride).toBeNull();
    expect(overlay.shown).toBe(false);
    unbind();
  });

  it('tells the map layers about a new result, the mask view and the swipe (clamped to 0..1)', async () => {
    const { client } = clientWith({ 'training.predictions': () => result });
    const overlay = predictionOverlay(client);
    const seen: string[] = [];
    const off = overlay.onChange((c) => seen.push(c));
    await overlay.load('/w/run/predictions/x', null);
    expect(overlay.data).toBeNull();
    overlay.setMaskView('errors');
    overlay.setSwipe(1.7);
    expect(overlay.swipe).toBe(1);
    overlay.setSwipe(null);
    off();
    overlay.setSwipe(0.3);
    expect(seen).toEqual(['result', 'maskView', 'swipe', 'swipe']);
    expect(overlay.swipe).toBe(0.3);
  });

  it('keeps the service refusal as its error', async () => {
    const { client } = clientWith({
      'training.predictions': () => {
        throw new ApiError('forbidden', 'outside the registered folders');
      },
    });
    const overlay = predictionOverlay(client);
    await overlay.load('/etc', null);
    expect(overlay.error).toMatch(/outside the registered folders/);
    expect(overlay.shown).toBe(false);
  });
});
