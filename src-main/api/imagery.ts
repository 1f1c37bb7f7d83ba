import { z } from 'zod';
import { method } from './define';
import { BBoxWgs84, Extent } from './datasets';

/**
 * Patch imagery as map layers: the main process decodes and renders, the renderer gets a PNG plus where it goes
 * (extent in the patch's own CRS, with the proj4 definition to register that CRS in OpenLayers).
 */

export const ImageryLayer = z.enum(['s2-true', 's2-false', 'ndvi', 's1', 'dem-hillshade', 'worldcover']);
export type ImageryLayer = z.infer<typeof ImageryLayer>;

const PerChannel = z.union([z.number(), z.array(z.number()).min(1).max(3)]);

/**
 * Contrast stretch. percentile: per band over valid pixels (numpy 'linear'); minmax: per band; fixed: a value
 * range in the layer's unit (reflectance, NDVI, dB, shade byte 0..255), one number or one per channel.
 */
export const Stretch = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('percentile'), low: z.number().min(0).max(100).default(2), high: z.number().min(0).max(100).default(98) }),
  z.object({ mode: z.literal('minmax') }),
  z.object({ mode: z.literal('fixed'), min: PerChannel, max: PerChannel }),
]);
export type Stretch = z.infer<typeof Stretch>;

const PatchRef = z.object({ datasetId: z.string().min(1), patchId: z.string().min(1) });

export const RenderedImage = z.object({
  datasetId: z.string(),
  patchId: z.string(),
  layer: ImageryLayer,
  /** PNG bytes, base64 (`data:image/png;base64,` + this is an <img> / ol ImageStatic url). */
  png_base64: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  /** Where the image goes, [minx, miny, maxx, maxy] in crs_epsg (pixel space [0, 0, width, height] when crs_epsg is null). */
  extent: Extent,
  crs_epsg: z.number().int().nullable(),
  proj4: z.string().nullable(),
  extent_wgs84: BBoxWgs84.nullable(),
  /** Value range each channel was stretched over, in the layer's unit; null for a channel without valid pixels. */
  ranges: z.array(z.tuple([z.number(), z.number()]).nullable()),
  /** The stretch applied (the layer's default when the request had none); null for class maps and raw shades. */
  stretch: Stretch.nullable(),
  /** Where the image came from: the memory cache, the workspace's disk cache, or rendered now. */
  cache: z.enum(['memory', 'disk', 'rendered']),
});
export type RenderedImage = z.infer<typeof RenderedImage>;

export const HistogramModality = z.enum(['s2', 's1', 'dem', 'worldcover']);

export const BandHistogram = z.object({
  band: z.string(),
  /** Valid minimum / maximum (the histogram's range; equal-width bins, the last one closed). */
  min: z.number().nullable(),
  max: z.number().nullable(),
  mean: z.number().nullable(),
  bins: z.number().int(),
  counts: z.array(z.number().int()),
  valid: z.number().int(),
  invalid: z.number().int(),
});

export const Histograms = z.object({
  datasetId: z.string(),
  patchId: z.string(),
  modality: HistogramModality,
  /** reflectance (S2 DN / 10000), dB, m, or class. */
  unit: z.string(),
  bands: z.array(BandHistogram),
  /** WorldCover only: pixels per class (the one band's bins are these classes). */
  classes: z.array(z.object({ index: z.number().int(), code: z.number().int(), name: z.string(), color: z.string(), count: z.number().int() })).optional(),
});
export type Histograms = z.infer<typeof Histograms>;

export const Legend = z.discriminatedUnion('kind', [
  z.object({
    layer: ImageryLayer,
    kind: z.literal('classes'),
    title: z.string(),
    classes: z.array(z.object({ index: z.number().int(), value: z.number(), name: z.string(), color: z.string() })),
  }),
  z.object({ layer: ImageryLayer, kind: z.literal('ramp'), title: z.string(), unit: z.string(), stops: z.array(z.object({ value: z.number(), color: z.string() })) }),
  z.object({
    layer: ImageryLayer,
    kind: z.literal('rgb'),
    title: z.string(),
    unit: z.string(),
    channels: z.array(z.object({ channel: z.enum(['R', 'G', 'B']), source: z.string() })),
  }),
  z.object({ layer: ImageryLayer, kind: z.literal('shade'), title: z.string(), azimuth: z.number(), altitude: z.number() }),
]);
export type Legend = z.infer<typeof Legend>;

export const LayerInfo = z.object({
  id: ImageryLayer,
  title: z.string(),
  /** The modality a patch needs for this layer (index `modalities` bit of the same name). */
  modality: z.enum(['s2', 's1', 'dem', 'worldcover']),
  default_stretch: Stretch.nullable(),
});

export const imageryMethods = {
  'imagery.layers': method(z.object({}), z.object({ layers: z.array(LayerInfo) }), 'The patch layers the map can show.'),
  'imagery.render': method(
    PatchRef.extend({ layer: ImageryLayer, stretch: Stretch.optional() }),
    RenderedImage,
    "Render one patch layer as PNG with its extent in the patch's CRS (cached in memory and in the workspace).",
  ),
  'imagery.histogram': method(
    PatchRef.extend({ modality: HistogramModality, bins: z.number().int().min(1).max(1024).default(64) }),
    Histograms,
    'Per-band histograms of one patch modality.',
  ),
  'imagery.legend': method(z.object({ layer: ImageryLayer }), Legend, 'Colour legend of a layer (WorldCover classes, NDVI ramp, RGB channels).'),
};
