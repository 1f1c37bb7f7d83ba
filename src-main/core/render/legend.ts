/** What each layer's colours mean, for the layer panel and the inspector. */
import { WORLDCOVER_CLASSES } from '../data/modalities';
import { LAYER_CHANNELS, type LayerId } from './layers';
import { NDVI_RAMP, type RampStop } from './ramp';

export type Legend =
  | {
      layer: LayerId;
      kind: 'classes';
      title: string;
      /** Pixels without a class (nodata) are transparent. */
      classes: { index: number; value: number; name: string; color: string }[];
    }
  | { layer: LayerId; kind: 'ramp'; title: string; unit: string; stops: RampStop[] }
  | { layer: LayerId; kind: 'rgb'; title: string; unit: string; channels: { channel: 'R' | 'G' | 'B'; source: string }[] }
  | { layer: LayerId; kind: 'shade'; title: string; azimuth: number; altitude: number };

const RGB = ['R', 'G', 'B'] as const;

function rgb(layer: LayerId, title: string, unit: string): Legend {
  return { layer, kind: 'rgb', title, unit, channels: (LAYER_CHANNELS[layer] ?? []).map((source, k) => ({ channel: RGB[k], source })) };
}

export function layerLegend(layer: LayerId): Legend {
  switch (layer) {
    case 'worldcover':
      return {
        layer,
        kind: 'classes',
        title: 'ESA WorldCover',
        classes: WORLDCOVER_CLASSES.map((c, index) => ({ index, value: c.code, name: c.name, color: c.color })),
      };
    case 'ndvi':
      return { layer, kind: 'ramp', title: 'NDVI', unit: 'NDVI', stops: NDVI_RAMP.stops.map((s) => ({ ...s })) };
    case 's2-true':
      return rgb(layer, 'Sentinel-2 true colour', 'reflectance');
    case 's2-false':
      return rgb(layer, 'Sentinel-2 false colour (NIR, red, green)', 'reflectance');
    case 's1':
      return rgb(layer, 'Sentinel-1 VV / VH composite', 'dB');
    case 'dem-hillshade':
      return { layer, kind: 'shade', title: 'DEM hillshade', azimuth: 315, altitude: 45 };
  }
}
