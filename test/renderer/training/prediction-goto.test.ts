import { describe, expect, it } from 'vitest';
import { clientWith } from '../support/fake-client';
import { PatchData } from '../../../src-renderer/src/lib/patches/patch-data.svelte';
import { PredictionOverlay } from '../../../src-renderer/src/lib/training/prediction-overlay.svelte';
import { indexOf, ROWS, summaryFor } from '../patches/helpers';

// Going from the Predict section to a predicted patch: the map shows the dataset predicted on (opened once, not
// registered again), and the overlay passes "go to this patch" on to the map side.
const index = indexOf(ROWS);
const summary = summaryFor(index, { path: '/data/test' });

describe('going to a predicted patch', () => {
  it('shows the dataset predicted on: opened without registering it, and only when the map shows another', async () => {
    const { client, calls } = clientWith({
      'datasets.list': () => ({ open: [], recent: [], sample_path: '/s' }),
      'datasets.open': () => summary,
      'datasets.index': () => index,
    });
    const data = new PatchData(client);
    expect(await data.show('/data/test')).toBe(true);
    expect(calls.filter(([m]) => m === 'datasets.open')).toEqual([['datasets.open', { path: '/data/test', register: false }]]);
    expect(data.indexOf(ROWS.ids[2])).toBe(2);
    // Already on the map: nothing asked again.
    const before = calls.length;
    expect(await data.show('/data/test')).toBe(true);
    expect(calls.length).toBe(before);
  });

  it('passes a patch id to every map listener until it unsubscribes', () => {
    const { client } = clientWith({});
    const overlay = new PredictionOverlay(client);
    const seen: string[] = [];
    const stop = overlay.onGoTo((id) => seen.push(id));
    overlay.goTo('P_1');
    stop();
    overlay.goTo('P_2');
    expect(seen).toEqual(['P_1']);
  });
});
