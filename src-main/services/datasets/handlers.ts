import type { ApiHandlers } from '../../api/contract';
import { ApiError } from '../../api/errors';
import type { Stretch } from '../../api/imagery';
import { defaultStretch, LAYER_IDS, LAYER_SOURCE, type LayerId } from '../../core/render/layers';
import { layerLegend } from '../../core/render/legend';
import type { ImageryService } from './imagery-service';
import { pack } from './packing';
import { patchDetail } from './patch-detail';
import { summaryOf, type DatasetsService } from './service';

type DatasetsHandlers = Pick<
  ApiHandlers,
  | 'datasets.open' | 'datasets.sample' | 'datasets.list' | 'datasets.close' | 'datasets.index' | 'datasets.footprints' | 'datasets.patch'
  | 'imagery.layers' | 'imagery.render' | 'imagery.histogram' | 'imagery.legend'
>;

const LAYER_TITLES: Record<LayerId, string> = {
  's2-true': 'Sentinel-2 true colour',
  's2-false': 'Sentinel-2 false colour (NIR)',
  ndvi: 'NDVI',
  s1: 'Sentinel-1 VV/VH',
  'dem-hillshade': 'DEM hillshade',
  worldcover: 'ESA WorldCover',
};

export function datasetsHandlers(datasets: DatasetsService, imagery: ImageryService): DatasetsHandlers {
  return {
    // Imagery caches need no flush on refresh: their keys hold the revision and the source files' size and mtime.
    'datasets.open': async ({ path, register, refresh }) => summaryOf(await datasets.openFolder(path, { register, refresh })),
    'datasets.sample': async ({ wait }) => datasets.sample(wait),
    'datasets.list': async () => ({ open: datasets.list().map(summaryOf), recent: datasets.recent(), sample_path: datasets.samplePath() }),
    'datasets.close': async ({ datasetId }) => {
      imagery.forget(datasetId);
      return { closed: datasets.close(datasetId) };
    },
    'datasets.index': async ({ datasetId, ids }) => {
      const ds = await datasets.get(datasetId);
      const c = ds.columns;
      return {
        datasetId: ds.id,
        revision: ds.revision,
        count: ds.size,
        ...(ids ? { ids: [...ds.ids] } : {}),
        lon: pack(c.lon),
        lat: pack(c.lat),
        split: pack(c.split),
        lulc: pack(c.lulc),
        season: pack(c.season),
        climatezone: pack(c.climatezone),
        modalities: pack(c.modalities),
        crs_index: pack(c.crsIndex),
        crs: [...ds.crs],
        ...(c.ben19 ? { ben19: pack(c.ben19) } : {}),
        ...(c.chipLabel ? { chip_label: pack(c.chipLabel) } : {}),
      };
    },
    'datasets.footprints': async ({ datasetId, bbox, limit }) => {
      const ds = await datasets.get(datasetId);
      if (bbox && !(bbox[1] <= bbox[3])) throw new ApiError('bad_request', `bbox south ${bbox[1]} is north of north ${bbox[3]}`);
      const r = ds.footprints(bbox, limit);
      return { datasetId: ds.id, revision: ds.revision, total: r.total, truncated: r.total > r.indices.length, indices: pack(r.indices), corners_wgs84: pack(r.corners) };
    },
    'datasets.patch': async ({ datasetId, patchId }) => {
      const ds = await datasets.get(datasetId);
      const i = ds.indexOf(patchId);
      if (i < 0) throw new ApiError('not_found', `dataset ${ds.name} has no patch ${patchId}`);
      return patchDetail(ds, i);
    },
    'imagery.layers': async () => ({
      layers: LAYER_IDS.map((id) => ({ id, title: LAYER_TITLES[id], modality: LAYER_SOURCE[id], default_stretch: defaultStretch(id) as Stretch | null })),
    }),
    'imagery.render': async (req) => imagery.render(req),
    'imagery.histogram': async (req) => imagery.histogram(req),
    'imagery.legend': async ({ layer }) => layerLegend(layer),
  };
}
