/**
 * What is in a dataset folder, without building the cache: layout, patch and modality counts, CRSs, WGS84 extent,
 * splits, missing modalities and problems (`inspectDataset`); and one patch's files per modality and band with
 * native size, type and statistics (`inspectPatch`). Backs `terrafuse inspect`.
 */
import { bandStatistics, readRaster } from '../geo/raster';
import type { BandStatistics } from '../geo/types';
import { S1_BANDS, S2_BANDS } from './modalities';
import { readDatasetIndex } from './layouts/detect';
import { modalityCounts, SPATIAL_SOURCES, type BandFile, type DatasetIndex, type LayoutName, type PatchEntry } from './layouts/types';
import { patchFootprint, type Footprint } from './georef';
import { readRasterInfo } from './raster-io';
import { DataFileError, DatasetError, type DataProblem } from './problems';

export interface DatasetSummary {
  layout: LayoutName;
  patches: number;
  modalities: Record<string, number>;
  crs: number[];
  bbox_wgs84: [number, number, number, number] | null;
  splits: { source: DatasetIndex['splitSource']; train: number; val: number; test: number; unassigned: number };
  missing: Record<string, number>;
  problems: { count: number; errors: number; warnings: number; first: DataProblem[] };
  name: string;
  root: string;
}

/** The first raster of a patch (its grid reference): S2 B02, else S1 VV, else DEM / WorldCover / reference map. */
function referenceFile(p: PatchEntry): string | undefined {
  return p.files.s2?.B02.path ?? p.files.s1?.VV.path ?? p.files.dem?.path ?? p.files.worldcover?.path ?? p.files.reference?.path;
}

export async function inspectDataset(dir: string, options: { layout?: LayoutName; onProgress?: (done: number, total: number) => void } = {}): Promise<DatasetSummary> {
  const index = await readDatasetIndex(dir, { layout: options.layout });
  const problems = [...index.problems];
  const crs = new Set<number>();
  let bbox: [number, number, number, number] | null = null;
  const grow = (b: [number, number, number, number]): void => {
    bbox = bbox ? [Math.min(bbox[0], b[0]), Math.min(bbox[1], b[1]), Math.max(bbox[2], b[2]), Math.max(bbox[3], b[3])] : [...b];
  };
  for (let i = 0; i < index.patches.length; i++) {
    const p = index.patches[i];
    options.onProgress?.(i, index.patches.length);
    const file = referenceFile(p);
    let fp: Footprint | null = null;
    if (file) {
      try {
        const info = await readRasterInfo(file);
        if (info.crs_epsg !== null) {
          // Footprint of the file itself (any resolution covers the whole patch).
          const [a, b, c, d, e, f] = info.transform;
          fp = patchFootprint({ epsg: info.crs_epsg, transform: [(a * info.width) / 120, b, c, d, (e * info.height) / 120, f] }, p.meta);
        }
      } catch (err) {
        if (err instanceof DataFileError) problems.push({ severity: 'error', file: err.file, reason: err.reason, patchId: p.id });
        else throw err;
      }
    }
    fp ??= patchFootprint(null, p.meta);
    if (fp?.epsg !== null && fp?.epsg !== undefined && fp.source === 'raster') crs.add(fp.epsg);
    if (fp?.bboxWgs84) grow(fp.bboxWgs84);
  }
  options.onProgress?.(index.patches.length, index.patches.length);
  const counts = modalityCounts(index);
  const missing: Record<string, number> = {};
  for (const [k, n] of Object.entries(counts)) if (n < index.patches.length) missing[k] = index.patches.length - n;
  const count = (s: string): number => index.patches.filter((p) => p.split === s).length;
  const splits = { source: index.splitSource, train: count('train'), val: count('val'), test: count('test'), unassigned: index.patches.filter((p) => !p.split).length };
  return {
    layout: index.layout,
    patches: index.patches.length,
    modalities: counts,
    crs: [...crs].sort((a, b) => a - b),
    bbox_wgs84: bbox,
    splits,
    missing,
    problems: {
      count: problems.length,
      errors: problems.filter((p) => p.severity === 'error').length,
      warnings: problems.filter((p) => p.severity === 'warning').length,
      first: problems.slice(0, 20),
    },
    name: index.name,
    root: index.root,
  };
}

export interface BandReport extends BandStatistics {
  file: string;
  band: number;
  width: number;
  height: number;
  dtype: string;
  crs_epsg: number | null;
  nodata: number | null;
}

export interface PatchReport {
  id: string;
  layout: LayoutName;
  split: string | null;
  footprint: Footprint | null;
  meta: PatchEntry['meta'];
  labels: PatchEntry['labels'];
  modalities: Record<string, Record<string, BandReport | { error: string; file: string }>>;
}

async function bandReport(bf: BandFile): Promise<BandReport | { error: string; file: string }> {
  try {
    const r = await readRaster(bf.path, { bands: [bf.band + 1], pool: null });
    const stats = bandStatistics(r.bands[0], r.info.nodata);
    return { file: bf.path, band: bf.band + 1, width: r.info.width, height: r.info.height, dtype: r.info.dtype, crs_epsg: r.info.crs_epsg, nodata: r.info.nodata, ...stats };
  } catch (err) {
    return { file: bf.path, error: err instanceof Error ? err.message : String(err) };
  }
}

export async function inspectPatch(dir: string, id: string, options: { layout?: LayoutName } = {}): Promise<PatchReport> {
  const index = await readDatasetIndex(dir, { layout: options.layout });
  const p = index.patches.find((x) => x.id === id || x.meta.s1Id === id);
  if (!p) {
    // A user's typo, not a bug: DatasetError is printed by the CLI as one line.
    const examples = index.patches.slice(0, 3).map((x) => x.id).join(', ');
    throw new DatasetError(index.root, `no patch '${id}' (${index.patches.length} patches, e.g. ${examples})`);
  }
  const modalities: PatchReport['modalities'] = {};
  let grid: { epsg: number; transform: [number, number, number, number, number, number] } | null = null;
  for (const src of SPATIAL_SOURCES) {
    const files = p.files[src];
    if (!files) continue;
    const bands: [string, BandFile][] =
      src === 's2' ? S2_BANDS.map((b) => [b, p.files.s2![b]]) : src === 's1' ? S1_BANDS.map((b) => [b, p.files.s1![b]]) : [[src, files as BandFile]];
    const out: PatchReport['modalities'][string] = {};
    for (const [name, bf] of bands) {
      const r = await bandReport(bf);
      out[name] = r;
      if (!grid && 'width' in r && r.crs_epsg !== null) {
        const info = await readRasterInfo(bf.path);
        const [a, b, c, d, e, f] = info.transform;
        grid = { epsg: r.crs_epsg, transform: [(a * info.width) / 120, b, c, d, (e * info.height) / 120, f] };
      }
    }
    modalities[src] = out;
  }
  return { id: p.id, layout: index.layout, split: p.split ?? null, footprint: patchFootprint(grid, p.meta), meta: p.meta, labels: p.labels, modalities };
}
