import type { DatasetIndex, DatasetSummary } from '../../../src-main/api/datasets';
import { pack } from '../../../src-main/services/datasets/packing';
import { CLIMATE_ZONES, LAND_COVER_CLASSES } from '../../../src-main/services/datasets/vocabulary';

export interface IndexRows {
  ids: string[];
  lon: number[];
  lat: number[];
  split: number[];
  lulc: number[];
  season: number[];
  climatezone: number[];
  modalities: number[];
}

/** A datasets.index answer built the way the services build it (packed typed arrays). */
export function indexOf(rows: IndexRows, datasetId = 'ds1'): DatasetIndex {
  const n = rows.ids.length;
  return {
    datasetId,
    revision: 'r1',
    count: n,
    ids: rows.ids,
    lon: pack(Float32Array.from(rows.lon)),
    lat: pack(Float32Array.from(rows.lat)),
    split: pack(Uint8Array.from(rows.split)),
    lulc: pack(Uint8Array.from(rows.lulc)),
    season: pack(Float32Array.from(rows.season)),
    climatezone: pack(Uint8Array.from(rows.climatezone)),
    modalities: pack(Uint8Array.from(rows.modalities)),
    crs_index: pack(new Uint8Array(n)),
    crs: [32632],
  };
}

/** The class vocabularies a DatasetSummary carries, as the services send them. */
export const VOCAB: DatasetSummary['classes'] = {
  lulc: LAND_COVER_CLASSES.map((c) => ({ ...c })),
  climatezone: CLIMATE_ZONES.map((c) => ({ ...c })),
};

export function summaryFor(index: DatasetIndex, overrides: Partial<DatasetSummary> = {}): DatasetSummary {
  return {
    id: index.datasetId,
    path: '/data/test',
    name: 'test',
    layout: 'ben-ge',
    sample: false,
    patches: index.count,
    modalities: {},
    crs: index.crs,
    bbox_wgs84: null,
    splits: { train: 0, val: 0, test: 0, none: 0 },
    split_source: 'csv',
    georeference: { raster: index.count, metadata: 0, none: 0 },
    classes: VOCAB,
    problems: { errors: 0, warnings: 0, items: [] },
    revision: index.revision,
    ...overrides,
  };
}

/** Six patches over Germany and France covering each split, some unknowns and one without a place. */
export const ROWS: IndexRows = {
  ids: ['a', 'b', 'c', 'd', 'e', 'f'],
  lon: [10.5, 10.51, 2.5, 7.0, Number.NaN, 8.25],
  lat: [51.3, 51.3, 46.6, 50.0, Number.NaN, 49.5],
  split: [0, 0, 1, 2, 255, 0],
  lulc: [0, 3, 3, 255, 4, 2],
  season: [0.95, 0.1, 0.5, Number.NaN, 0.7, 0.3],
  climatezone: [15, 15, 14, 26, 255, 0],
  // s2|s1|dem|wc = 15; some lack S1 (2) or everything.
  modalities: [255, 255, 253, 0, 15, 13],
};
