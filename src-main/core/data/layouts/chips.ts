/**
 * A folder of plain multi-band GeoTIFF chips (the catch-all layout):
 *   <folder>/*.tif|.tiff or <folder>/images/*.tif   one chip per file
 *   labels.csv (optional)                            columns file,label (file with or without extension)
 *   masks/<same name> or <stem>_mask.tif (optional)   per-pixel WorldCover codes
 * The band count says what a chip is: 12 bands = Sentinel-2 in B01..B12,B8A order of `S2_BANDS`; 13 bands =
 * Sentinel-2 with B10 (EuroSAT order B01..B08,B8A,B09,B10,B11,B12), B10 dropped; 2 bands = Sentinel-1 VH,VV.
 * Labels: a WorldCover class name or code sets the chip's `lulc`; BigEarthNet class names (separated by ';') set
 * its 43/19-class labels; any other text is kept as a chip label with its vocabulary in `chipClasses`.
 */
import { basename, extname, join } from 'node:path';
import { S1_BANDS, S2_BANDS, WORLDCOVER_CLASSES } from '../modalities';
import type { S1Band, S2Band } from '../modalities';
import { normaliseName, readCsvTable } from '../csv-table';
import { BEN43_TO_BEN19, ben19Index, ben43Index } from '../bigearthnet-nomenclature';
import { DataFileError, type DataProblem } from '../problems';
import { readRasterInfo } from '../raster-io';
import { TIFF_RE, isDir, isFile, listNames } from './fs-util';
import type { BandFile, DatasetIndex, PatchEntry } from './types';

export function looksLikeChips(root: string): boolean {
  const dir = isDir(join(root, 'images')) ? join(root, 'images') : root;
  return listNames(dir).some((n) => TIFF_RE.test(n) && !/_mask\.tiff?$/i.test(n));
}

/** 13-band EuroSAT order -> index of each of our 12 bands. */
const S2_FROM_13: Record<S2Band, number> = { B01: 0, B02: 1, B03: 2, B04: 3, B05: 4, B06: 5, B07: 6, B08: 7, B8A: 8, B09: 9, B11: 11, B12: 12 };

function worldCoverClassOf(label: string): number {
  const n = normaliseName(label);
  const i = WORLDCOVER_CLASSES.findIndex((c) => normaliseName(c.name) === n || String(c.code) === label.trim());
  return i;
}

export async function readChipsIndex(root: string): Promise<DatasetIndex> {
  const problems: DataProblem[] = [];
  const imageDir = isDir(join(root, 'images')) ? join(root, 'images') : root;
  const maskDir = join(root, 'masks');
  const maskNames = new Set(listNames(maskDir));
  const names = listNames(imageDir).filter((n) => TIFF_RE.test(n) && !/_mask\.tiff?$/i.test(n));
  const local = new Set(listNames(imageDir));

  // Labels.
  const tables: string[] = [];
  const labelOf = new Map<string, string>();
  const labelsFile = ['labels.csv', 'labels.CSV'].map((n) => join(root, n)).find(isFile);
  if (labelsFile) {
    tables.push(labelsFile);
    try {
      const t = readCsvTable(labelsFile, problems);
      const fileCol = t.header.find((h) => /^(file|filename|path|image|patch_id|id)$/i.test(h)) ?? t.header[0];
      const labelCol = t.header.find((h) => /^(label|labels|class)$/i.test(h)) ?? t.header[1];
      if (!labelCol) problems.push({ severity: 'error', file: labelsFile, reason: 'needs two columns: file,label' });
      else for (const r of t.rows) {
        const f = r.values[fileCol];
        const stem = basename(f, extname(f));
        if (!f) problems.push({ severity: 'warning', file: labelsFile, reason: `line ${r.line}: empty file name; row skipped` });
        else labelOf.set(stem, r.values[labelCol]);
      }
    } catch (err) {
      if (err instanceof DataFileError) problems.push({ severity: 'error', file: err.file, reason: err.reason });
      else throw err;
    }
  }

  const patches: PatchEntry[] = [];
  const chipClasses = new Set<string>();
  for (const name of names) {
    const path = join(imageDir, name);
    const id = basename(name, extname(name));
    const entry: PatchEntry = { id, files: {}, meta: {}, labels: {} };
    let count: number;
    try {
      count = (await readRasterInfo(path)).count;
    } catch (err) {
      if (err instanceof DataFileError) problems.push({ severity: 'error', file: err.file, reason: `${err.reason}; chip skipped`, patchId: id });
      else throw err;
      continue;
    }
    if (count === 12 || count === 13) {
      const s2 = {} as Record<S2Band, BandFile>;
      S2_BANDS.forEach((b, i) => {
        s2[b] = { path, band: count === 12 ? i : S2_FROM_13[b] };
      });
      entry.files.s2 = s2;
    } else if (count === 2) {
      const s1 = {} as Record<S1Band, BandFile>;
      S1_BANDS.forEach((b, i) => {
        s1[b] = { path, band: i };
      });
      entry.files.s1 = s1;
    } else {
      problems.push({ severity: 'error', file: path, reason: `${count} bands: a chip needs 12 or 13 Sentinel-2 bands or 2 Sentinel-1 bands; chip skipped`, patchId: id });
      continue;
    }
    const mask = maskNames.has(name) ? join(maskDir, name) : [`${id}_mask.tif`, `${id}_mask.tiff`].filter((n) => local.has(n)).map((n) => join(imageDir, n))[0];
    if (mask) entry.files.worldcover = { path: mask, band: 0 };
    const label = labelOf.get(id);
    if (label !== undefined) {
      entry.meta.chipLabel = label;
      chipClasses.add(label);
      const wc = worldCoverClassOf(label);
      if (wc >= 0) entry.meta.lulc = wc;
      const parts = label.split(/[;|]/).map((s) => s.trim()).filter(Boolean);
      if (parts.length && parts.every((p) => ben43Index(p) >= 0)) {
        entry.labels.ben43 = parts;
        entry.labels.ben19 = [...new Set(parts.map((p) => BEN43_TO_BEN19[p as keyof typeof BEN43_TO_BEN19]).filter((x): x is NonNullable<typeof x> => x !== null))];
      } else if (parts.length && parts.every((p) => ben19Index(p) >= 0)) entry.labels.ben19 = parts;
    }
    patches.push(entry);
  }
  for (const stem of labelOf.keys()) {
    if (!patches.some((p) => p.id === stem)) problems.push({ severity: 'warning', file: labelsFile!, reason: `label for '${stem}' but no such chip` });
  }
  return { root, layout: 'chips', name: basename(root), patches, splitSource: 'none', tables, problems, chipClasses: [...chipClasses].sort() };
}
