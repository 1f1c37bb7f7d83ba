import { describe, expect, it } from 'vitest';
import { LAYER_IDS } from '../../../src-main/core/render/layers';
import { layerLegend } from '../../../src-main/core/render/legend';
import { WORLDCOVER_CLASSES } from '../../../src-main/core/data/modalities';
import { legendView } from '../../../src-renderer/src/lib/map/imagery/legend-view';
import { IMAGERY_LAYERS } from '../../../src-renderer/src/lib/map/imagery/patch-imagery.svelte';

describe('imagery legends in the layer panel', () => {
  it('shows WorldCover as ESA classes with their official colours', () => {
    const view = legendView(layerLegend('worldcover'));
    expect(view.kind).toBe('classes');
    if (view.kind !== 'classes') return;
    expect(view.items.map((i) => [i.label, i.color])).toEqual(WORLDCOVER_CLASSES.map((c) => [c.name, c.color]));
  });

  it('shows NDVI as a ramp, composites as channels, the hillshade as its sun', () => {
    const ndvi = legendView(layerLegend('ndvi'));
    expect(ndvi.kind).toBe('ramp');
    if (ndvi.kind === 'ramp') expect(ndvi.stops.length).toBeGreaterThan(1);
    const s2 = legendView(layerLegend('s2-true'));
    expect(s2).toEqual({ kind: 'rgb', unit: 'reflectance', channels: [{ channel: 'R', source: 'B04' }, { channel: 'G', source: 'B03' }, { channel: 'B', source: 'B02' }] });
    expect(legendView(layerLegend('dem-hillshade'))).toEqual({ kind: 'shade', azimuth: 315, altitude: 45 });
  });

  it('offers every layer the services render, stacked with WorldCover on top', () => {
    expect(IMAGERY_LAYERS.map((l) => l.id).sort()).toEqual([...LAYER_IDS].sort());
    expect(IMAGERY_LAYERS.at(-1)!.id).toBe('worldcover');
  });
});
