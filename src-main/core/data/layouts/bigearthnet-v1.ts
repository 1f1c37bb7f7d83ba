/**
 * BigEarthNet-MM v1 layout:
 *   BigEarthNet-S2…/<patch>/<patch>_<BAND>.tif + <patch>_labels_metadata.json   (B01..B12, B8A; no B10)
 *   BigEarthNet-S1…/<patch>/<patch>_{VV,VH}.tif + <patch>_labels_metadata.json   (JSON names corresponding_s2_patch)
 * The S2 archive alone (`BigEarthNet-v1.0/`) is accepted too. A patch is identified by its S2 name, as in ben-ge;
 * an S1 patch whose S2 partner is absent is still a patch (with S1 only), named after that partner.
 *
 * Real-world quirks handled: S1 JSONs spell the lower-right y `lly`; some names have 5-digit time fields
 * (`20170924T93021`), so times come from the JSON, not the name.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { S1_BANDS, S2_BANDS } from '../modalities';
import type { S1Band, S2Band } from '../modalities';
import { DataFileError, type DataProblem } from '../problems';
import { parseAcquisitionTime, seasonOfDate } from '../season';
import { BEN43_TO_BEN19, ben43Index } from '../bigearthnet-nomenclature';
import { findTiff, listNames, subdirs } from './fs-util';
import type { BandFile, DatasetIndex, PatchEntry } from './types';

export interface BenLabelsJson {
  labels?: unknown;
  coordinates?: { ulx?: number; uly?: number; lrx?: number; lry?: number; lly?: number };
  projection?: string;
  corresponding_s2_patch?: string;
  acquisition_date?: string;
  acquisition_time?: string;
}

/** Folders of the S2 and S1 archives under `root` (BigEarthNet-S2, BigEarthNet-S1-v1.0, BigEarthNet-v1.0, ...). */
export function benArchiveDirs(root: string): { s2: string[]; s1: string[] } {
  const dirs = subdirs(root);
  return {
    s2: dirs.filter((d) => /^BigEarthNet(-S2.*|-v1\.0)$/i.test(d)).map((d) => join(root, d)),
    s1: dirs.filter((d) => /^BigEarthNet-S1/i.test(d)).map((d) => join(root, d)),
  };
}

/** v1 when patch folders sit directly under the archive folder (v2 has tile folders in between). */
export function looksLikeBenV1(root: string): boolean {
  const { s2, s1 } = benArchiveDirs(root);
  for (const archive of [...s2, ...s1]) {
    const first = subdirs(archive)[0];
    if (!first) continue;
    if (listNames(join(archive, first)).some((n) => n.endsWith('_labels_metadata.json') || /\.tiff?$/i.test(n))) return true;
  }
  return false;
}

function readJson(file: string, problems: DataProblem[], patchId: string): BenLabelsJson | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as BenLabelsJson;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'labels metadata file not found' : `unreadable labels metadata (${err instanceof Error ? err.message : String(err)})`;
    problems.push({ severity: 'warning', file, reason, patchId });
    return undefined;
  }
}

export function bandFiles<B extends string>(dir: string, id: string, bands: readonly B[], problems: DataProblem[], modality: string, patchId: string): Record<B, BandFile> | undefined {
  const names = new Set(listNames(dir));
  const files = {} as Record<B, BandFile>;
  let ok = true;
  for (const b of bands) {
    const f = findTiff(names, `${id}_${b}`);
    if (f) files[b] = { path: join(dir, f), band: 0 };
    else {
      ok = false;
      problems.push({ severity: 'error', file: join(dir, `${id}_${b}.tif`), reason: `missing band file; ${modality} of this patch skipped`, patchId, modality });
    }
  }
  return ok ? files : undefined;
}

/** 43-class names from a labels JSON; unknown names are reported, 19-class names derived through the mapping. */
export function labelsFromJson(json: BenLabelsJson, file: string, problems: DataProblem[], patchId: string): { ben43: string[]; ben19: string[] } | undefined {
  if (!Array.isArray(json.labels)) return undefined;
  const ben43: string[] = [];
  for (const l of json.labels) {
    if (typeof l === 'string' && ben43Index(l) >= 0) ben43.push(l);
    else problems.push({ severity: 'warning', file, reason: `unknown BigEarthNet label ${JSON.stringify(l)} ignored`, patchId });
  }
  const ben19 = [...new Set(ben43.map((l) => BEN43_TO_BEN19[l as keyof typeof BEN43_TO_BEN19]).filter((x): x is NonNullable<typeof x> => x !== null))];
  return { ben43, ben19 };
}

export function readBenV1Index(root: string): DatasetIndex {
  const problems: DataProblem[] = [];
  const { s2, s1 } = benArchiveDirs(root);
  if (s2.length === 0 && s1.length === 0) throw new DataFileError(root, 'no BigEarthNet-S2 or BigEarthNet-S1 folder');
  const entries = new Map<string, PatchEntry>();
  const jsonFiles = new Map<string, BenLabelsJson>();

  for (const archive of s2) {
    for (const id of subdirs(archive)) {
      const dir = join(archive, id);
      const entry: PatchEntry = { id, files: {}, meta: {}, labels: {}, sidecars: [] };
      const files = bandFiles<S2Band>(dir, id, S2_BANDS, problems, 's2', id);
      if (files) entry.files.s2 = files;
      const jsonFile = join(dir, `${id}_labels_metadata.json`);
      const json = readJson(jsonFile, problems, id);
      if (json) {
        entry.sidecars!.push(jsonFile);
        jsonFiles.set(id, json);
        const labels = labelsFromJson(json, jsonFile, problems, id);
        if (labels) entry.labels = labels;
        if (json.acquisition_date) entry.meta.timestampS2 = json.acquisition_date;
      }
      entries.set(id, entry);
    }
  }
  for (const archive of s1) {
    for (const s1Id of subdirs(archive)) {
      const dir = join(archive, s1Id);
      const jsonFile = join(dir, `${s1Id}_labels_metadata.json`);
      const json = readJson(jsonFile, problems, s1Id);
      const partner = json?.corresponding_s2_patch;
      if (!partner) {
        problems.push({ severity: 'error', file: jsonFile, reason: 'no corresponding_s2_patch: cannot pair this Sentinel-1 patch; skipped', patchId: s1Id, modality: 's1' });
        continue;
      }
      let entry = entries.get(partner);
      if (!entry) {
        entry = { id: partner, files: {}, meta: {}, labels: {}, sidecars: [] };
        entries.set(partner, entry);
        const labels = labelsFromJson(json, jsonFile, problems, partner);
        if (labels) entry.labels = labels;
      }
      entry.sidecars!.push(jsonFile);
      if (!jsonFiles.has(partner)) jsonFiles.set(partner, json);
      entry.meta.s1Id = s1Id;
      if (json.acquisition_time) entry.meta.timestampS1 = json.acquisition_time;
      const files = bandFiles<S1Band>(dir, s1Id, S1_BANDS, problems, 's1', partner);
      if (files) entry.files.s1 = files;
    }
  }
  const patches = [...entries.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const p of patches) {
    const when = parseAcquisitionTime(p.meta.timestampS2 ?? p.meta.timestampS1 ?? p.id);
    if (when) p.meta.season = seasonOfDate(when);
  }
  for (const p of patches) {
    const json = jsonFiles.get(p.id);
    const corners = json && jsonCorners(json);
    const epsg = json?.projection ? epsgOfWkt(json.projection) : undefined;
    if (corners && epsg) p.meta.statedBounds = { epsg, bounds: [corners.ulx, corners.lry, corners.lrx, corners.uly] };
  }
  return { root, layout: 'bigearthnet-v1', name: basename(root), patches, splitSource: 'none', tables: [], problems };
}

/** The UTM corners a BigEarthNet JSON states (`lly` for S1's lower-right y), for tests and as a footprint fallback. */
export function jsonCorners(json: BenLabelsJson): { ulx: number; uly: number; lrx: number; lry: number } | undefined {
  const c = json.coordinates;
  if (!c) return undefined;
  const lry = c.lry ?? c.lly;
  if (c.ulx === undefined || c.uly === undefined || c.lrx === undefined || lry === undefined) return undefined;
  return { ulx: c.ulx, uly: c.uly, lrx: c.lrx, lry };
}

/** The EPSG code of a WKT's outermost AUTHORITY (the last one in the text). */
export function epsgOfWkt(wkt: string): number | undefined {
  const all = [...wkt.matchAll(/AUTHORITY\["EPSG","(\d+)"\]/g)];
  const last = all[all.length - 1];
  return last ? Number(last[1]) : undefined;
}
