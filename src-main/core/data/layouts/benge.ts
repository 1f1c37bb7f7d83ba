/**
 * ben-ge layout, as the lecture tutorial reads ben-ge-800:
 *   sentinel-2/<id>/<id>_<BAND>.tif            Sentinel-2 L2A bands (BigEarthNet patches; 20/60 m bands coarser)
 *   sentinel-1/<id_s1>/<id_s1>_<VH|VV>.tif      Sentinel-1 backscatter in dB, paired through meta `patch_id_s1`
 *   esaworldcover/<id>_esaworldcover.tif        WorldCover codes
 *   dem/<id>_dem.tif                            Copernicus DEM, metres
 *   <name>_meta.csv                             patch_id, patch_id_s1, timestamps, season_s2/_s1, lon, lat, climatezone
 *   <name>_esaworldcover.csv                    patch_id + fractions of the 11 WorldCover classes
 *   <name>_era-5.csv                            patch_id + ERA-5 variables
 *   <name>_climatezones.csv (optional)          patch_id, climatezone (the full ben-ge ships it separately)
 *   <name>_train.csv / _val.csv / _test.csv     one patch id per line (also accepted: splits/<split>.csv|.txt)
 * Files may end in .tif or .tiff.
 */
import { basename, join } from 'node:path';
import { ERA5_VARIABLES, S1_BANDS, S2_BANDS, WORLDCOVER_CLASSES } from '../modalities';
import type { S1Band, S2Band } from '../modalities';
import { normaliseName, numberField, readCsvTable, type CsvTable } from '../csv-table';
import { DataFileError, type DataProblem } from '../problems';
import { findTiff, isDir, isFile, listNames, subdirs } from './fs-util';
import type { BandFile, DatasetIndex, PatchEntry, SplitName } from './types';
import { SPLIT_NAMES } from './types';

/** The `<name>` of a ben-ge folder: prefix of its `<name>_meta.csv`, else the folder name. */
export function bengeName(root: string): string {
  const meta = listNames(root).find((n) => n.endsWith('_meta.csv'));
  return meta ? meta.slice(0, -'_meta.csv'.length) : basename(root);
}

export function looksLikeBenge(root: string): boolean {
  const names = listNames(root);
  return isDir(join(root, 'sentinel-2')) || isDir(join(root, 'esaworldcover')) || names.some((n) => n.endsWith('_meta.csv'));
}

function tableIfExists(root: string, candidates: string[], problems: DataProblem[], headerless = false): CsvTable | undefined {
  for (const c of candidates) {
    const file = join(root, c);
    if (!isFile(file)) continue;
    try {
      return readCsvTable(file, problems, { headerless });
    } catch (err) {
      if (err instanceof DataFileError) problems.push({ severity: 'error', file: err.file, reason: err.reason });
      else throw err;
    }
  }
  return undefined;
}

function idColumn(table: CsvTable): string | undefined {
  return table.header.find((h) => h === 'patch_id') ?? table.header.find((h) => normaliseName(h) === 'patchid');
}

/** Rows keyed by patch id; rows without an id are reported. */
function byId(table: CsvTable, problems: DataProblem[]): Map<string, CsvTable['rows'][number]> {
  const col = idColumn(table);
  const map = new Map<string, CsvTable['rows'][number]>();
  if (!col) {
    problems.push({ severity: 'error', file: table.file, reason: `no patch_id column (columns: ${table.header.join(', ')})` });
    return map;
  }
  for (const row of table.rows) {
    const id = row.values[col];
    if (!id) {
      problems.push({ severity: 'warning', file: table.file, reason: `line ${row.line}: empty patch_id; row skipped` });
      continue;
    }
    map.set(id, row);
  }
  return map;
}

/** Column of each WorldCover class in a fractions table: by class name (any spelling) or by code. */
function fractionColumns(table: CsvTable): (string | undefined)[] {
  return WORLDCOVER_CLASSES.map((c) => {
    const want = normaliseName(c.name);
    return table.header.find((h) => normaliseName(h) === want) ?? table.header.find((h) => h.trim() === String(c.code));
  });
}

function s2Files(dir: string, id: string): { files?: Record<S2Band, BandFile>; missing: string[] } {
  const names = new Set(listNames(dir));
  const files = {} as Record<S2Band, BandFile>;
  const missing: string[] = [];
  for (const b of S2_BANDS) {
    const f = findTiff(names, `${id}_${b}`);
    if (f) files[b] = { path: join(dir, f), band: 0 };
    else missing.push(join(dir, `${id}_${b}.tif`));
  }
  return missing.length ? { missing } : { files, missing };
}

function s1Files(dir: string, id: string): { files?: Record<S1Band, BandFile>; missing: string[] } {
  const names = new Set(listNames(dir));
  const files = {} as Record<S1Band, BandFile>;
  const missing: string[] = [];
  for (const b of S1_BANDS) {
    const f = findTiff(names, `${id}_${b}`);
    if (f) files[b] = { path: join(dir, f), band: 0 };
    else missing.push(join(dir, `${id}_${b}.tif`));
  }
  return missing.length ? { missing } : { files, missing };
}

export function readBengeIndex(root: string): DatasetIndex {
  const problems: DataProblem[] = [];
  const name = bengeName(root);
  const tables: string[] = [];
  const track = (t: CsvTable | undefined): CsvTable | undefined => {
    if (t) tables.push(t.file);
    return t;
  };
  const meta = track(tableIfExists(root, [`${name}_meta.csv`], problems));
  const fractions = track(tableIfExists(root, [`${name}_esaworldcover.csv`], problems));
  const era5 = track(tableIfExists(root, [`${name}_era-5.csv`, `${name}_era5.csv`], problems));
  const climate = track(tableIfExists(root, [`${name}_climatezones.csv`], problems));

  const metaRows = meta ? byId(meta, problems) : new Map<string, CsvTable['rows'][number]>();
  const s2Root = join(root, 'sentinel-2');
  const s1Root = join(root, 'sentinel-1');
  const demNames = new Set(listNames(join(root, 'dem')));
  const wcNames = new Set(listNames(join(root, 'esaworldcover')));

  // Patch ids: the meta table's, in its order, then any S2 folder the table does not list.
  const ids: string[] = [...metaRows.keys()];
  const known = new Set(ids);
  for (const d of subdirs(s2Root)) if (!known.has(d)) {
    ids.push(d);
    known.add(d);
  }
  if (ids.length === 0) {
    // A DEM/WorldCover-only folder: ids from the WorldCover maps.
    for (const n of [...wcNames].sort()) {
      const m = /^(.*)_esaworldcover\.tiff?$/i.exec(n);
      if (m && !known.has(m[1])) {
        ids.push(m[1]);
        known.add(m[1]);
      }
    }
  }

  const fractionRows = fractions ? byId(fractions, problems) : undefined;
  const fracCols = fractions ? fractionColumns(fractions) : [];
  if (fractions && fracCols.some((c) => c === undefined)) {
    const absent = WORLDCOVER_CLASSES.filter((_, i) => fracCols[i] === undefined).map((c) => c.name);
    problems.push({ severity: 'warning', file: fractions.file, reason: `no column for WorldCover classes ${absent.join(', ')}; taken as 0` });
  }
  const era5Rows = era5 ? byId(era5, problems) : undefined;
  if (era5) {
    const absent = ERA5_VARIABLES.filter((v) => !era5.header.includes(v));
    if (absent.length) problems.push({ severity: 'warning', file: era5.file, reason: `missing ERA-5 columns ${absent.join(', ')} (taken as missing)` });
  }
  const climateRows = climate ? byId(climate, problems) : undefined;

  const patches: PatchEntry[] = [];
  for (const id of ids) {
    const entry: PatchEntry = { id, files: {}, meta: {}, labels: {} };
    const row = metaRows.get(id);
    if (row && meta) {
      const v = row.values;
      if (v.patch_id_s1) entry.meta.s1Id = v.patch_id_s1;
      if (v.timestamp_s2) entry.meta.timestampS2 = v.timestamp_s2;
      if (v.timestamp_s1) entry.meta.timestampS1 = v.timestamp_s1;
      const season = numberField(meta, row, meta.header.includes('season_s2') ? 'season_s2' : 'season', problems);
      if (season !== undefined) entry.meta.season = Math.min(1, Math.max(0, season));
      const lon = numberField(meta, row, 'lon', problems);
      const lat = numberField(meta, row, 'lat', problems);
      if (lon !== undefined && lat !== undefined) {
        entry.meta.lon = lon;
        entry.meta.lat = lat;
      }
      const cz = numberField(meta, row, 'climatezone', problems);
      if (cz !== undefined) entry.meta.climatezone = cz;
    }
    const czRow = climateRows?.get(id);
    if (czRow && climate && entry.meta.climatezone === undefined) {
      const cz = numberField(climate, czRow, 'climatezone', problems);
      if (cz !== undefined) entry.meta.climatezone = cz;
    }
    const fRow = fractionRows?.get(id);
    if (fRow && fractions) {
      const values = fracCols.map((c) => (c ? numberField(fractions, fRow, c, problems) : 0));
      if (values.every((x) => x !== undefined)) {
        let f = values as number[];
        const sum = f.reduce((s, x) => s + x, 0);
        if (sum > 1.5) f = f.map((x) => x / 100); // percentages
        entry.meta.worldcoverFractions = f;
      }
    }
    const eRow = era5Rows?.get(id);
    if (eRow && era5) {
      entry.meta.era5 = ERA5_VARIABLES.map((v) => numberField(era5, eRow, v, problems) ?? NaN);
    }

    // Rasters.
    const s2Dir = join(s2Root, id);
    if (isDir(s2Dir)) {
      const r = s2Files(s2Dir, id);
      if (r.files) entry.files.s2 = r.files;
      else for (const f of r.missing) problems.push({ severity: 'error', file: f, reason: 'missing band file; Sentinel-2 of this patch skipped', patchId: id, modality: 's2' });
    }
    if (entry.meta.s1Id) {
      const s1Dir = join(s1Root, entry.meta.s1Id);
      if (isDir(s1Dir)) {
        const r = s1Files(s1Dir, entry.meta.s1Id);
        if (r.files) entry.files.s1 = r.files;
        else for (const f of r.missing) problems.push({ severity: 'error', file: f, reason: 'missing band file; Sentinel-1 of this patch skipped', patchId: id, modality: 's1' });
      }
    }
    const dem = findTiff(demNames, `${id}_dem`);
    if (dem) entry.files.dem = { path: join(root, 'dem', dem), band: 0 };
    const wc = findTiff(wcNames, `${id}_esaworldcover`);
    if (wc) entry.files.worldcover = { path: join(root, 'esaworldcover', wc), band: 0 };
    patches.push(entry);
  }

  // Splits.
  let splitSource: DatasetIndex['splitSource'] = 'none';
  const byIdEntry = new Map(patches.map((p) => [p.id, p]));
  for (const split of SPLIT_NAMES) {
    const t = track(tableIfExists(root, [`${name}_${split}.csv`, `splits/${split}.csv`, `splits/${split}.txt`], problems, true));
    if (!t) continue;
    splitSource = 'csv';
    for (const row of t.rows) {
      const id = row.values.value;
      const p = byIdEntry.get(id);
      if (p) p.split = split as SplitName;
      else if (row.line > 1 || !/patch/i.test(id)) {
        problems.push({ severity: 'warning', file: t.file, reason: `line ${row.line}: unknown patch id '${id}'` });
      }
    }
  }
  return { root, layout: 'ben-ge', name, patches, splitSource, tables, problems };
}
