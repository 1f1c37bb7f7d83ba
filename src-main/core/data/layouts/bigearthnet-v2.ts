/**
 * BigEarthNet v2 (reBEN) layout:
 *   BigEarthNet-S2/<tile folder>/<patch>/<patch>_<BAND>.tif|.tiff
 *   BigEarthNet-S1/<scene folder>/<patch>/<patch>_{VV,VH}.tif|.tiff
 *   Reference_Maps/<tile folder>/<patch>/<patch>_reference_map.tif|.tiff   (CORINE codes per pixel)
 *   metadata.parquet (optional): patch_id, labels (19-class names), split, s1_name, country
 * Without the parquet, S1 patches are paired with S2 patches by their shared MGRS tile and grid position (the last
 * three name fields, e.g. `33UUP_26_57`), labels come from the reference maps and there are no fixed splits.
 */
import { join } from 'node:path';
import { basename } from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { S1_BANDS, S2_BANDS } from '../modalities';
import type { S1Band, S2Band } from '../modalities';
import { BEN43_TO_BEN19, ben19Index, ben43Index } from '../bigearthnet-nomenclature';
import type { DataProblem } from '../problems';
import { findTiff, isFile, listNames, subdirs } from './fs-util';
import { bandFiles } from './bigearthnet-v1';
import type { DatasetIndex, PatchEntry, SplitName } from './types';

export function looksLikeBenV2(root: string): boolean {
  if (isFile(join(root, 'metadata.parquet')) || subdirs(root).includes('Reference_Maps')) return true;
  for (const d of subdirs(root).filter((x) => /^BigEarthNet-S[12]/i.test(x))) {
    const tile = subdirs(join(root, d))[0];
    if (tile && subdirs(join(root, d, tile)).length > 0) return true;
  }
  return false;
}

/** `S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP_26_57` -> `33UUP_26_57`; S1 names end in `33UUP_26_57` too. */
export function gridKey(name: string): string | undefined {
  const m = /_T?(\d{2}[A-Z]{3})_(\d+)_(\d+)$/.exec(name);
  return m ? `${m[1]}_${m[2]}_${m[3]}` : undefined;
}

interface ParquetRow {
  patch_id?: string;
  labels?: unknown;
  split?: string;
  s1_name?: string;
  country?: string;
}

function splitName(v: string | undefined): SplitName | undefined {
  if (!v) return undefined;
  const s = v.toLowerCase();
  if (s === 'train') return 'train';
  if (s === 'val' || s === 'validation') return 'val';
  if (s === 'test') return 'test';
  return undefined;
}

/** Patch folders two levels below an archive folder: name -> folder. */
function patchDirs(archive: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const group of subdirs(archive)) for (const p of subdirs(join(archive, group))) out.set(p, join(archive, group, p));
  return out;
}

export async function readBenV2Index(root: string): Promise<DatasetIndex> {
  const problems: DataProblem[] = [];
  const dirs = subdirs(root);
  const s2Dirs = new Map<string, string>();
  const s1Dirs = new Map<string, string>();
  const refDirs = new Map<string, string>();
  for (const d of dirs) {
    if (/^BigEarthNet-S2/i.test(d)) for (const [k, v] of patchDirs(join(root, d))) s2Dirs.set(k, v);
    else if (/^BigEarthNet-S1/i.test(d)) for (const [k, v] of patchDirs(join(root, d))) s1Dirs.set(k, v);
    else if (/^Reference_Maps$/i.test(d)) for (const [k, v] of patchDirs(join(root, d))) refDirs.set(k, v);
  }

  const tables: string[] = [];
  const rows = new Map<string, ParquetRow>();
  const parquet = join(root, 'metadata.parquet');
  if (isFile(parquet)) {
    tables.push(parquet);
    try {
      const file = await asyncBufferFromFile(parquet);
      const objects = (await parquetReadObjects({ file, columns: undefined })) as ParquetRow[];
      for (const r of objects) if (typeof r.patch_id === 'string') rows.set(r.patch_id, r);
    } catch (err) {
      problems.push({ severity: 'error', file: parquet, reason: `unreadable parquet (${err instanceof Error ? err.message : String(err)}); labels and splits from reference maps / none` });
    }
  }

  // S1 pairing: parquet s1_name first, else by grid key when it is unique.
  const s1ByKey = new Map<string, string[]>();
  for (const s1 of s1Dirs.keys()) {
    const k = gridKey(s1);
    if (k) s1ByKey.set(k, [...(s1ByKey.get(k) ?? []), s1]);
  }
  const ids = new Set<string>([...s2Dirs.keys(), ...rows.keys()]);
  const patches: PatchEntry[] = [];
  const usedS1 = new Set<string>();
  for (const id of [...ids].sort()) {
    const entry: PatchEntry = { id, files: {}, meta: {}, labels: {} };
    const row = rows.get(id);
    const s2Dir = s2Dirs.get(id);
    if (s2Dir) {
      const f = bandFiles<S2Band>(s2Dir, id, S2_BANDS, problems, 's2', id);
      if (f) entry.files.s2 = f;
    }
    let s1Id = row?.s1_name;
    if (!s1Id) {
      const k = gridKey(id);
      const candidates = k ? s1ByKey.get(k) : undefined;
      if (candidates && candidates.length === 1) s1Id = candidates[0];
    }
    if (s1Id) {
      entry.meta.s1Id = s1Id;
      const s1Dir = s1Dirs.get(s1Id);
      if (s1Dir) {
        usedS1.add(s1Id);
        const f = bandFiles<S1Band>(s1Dir, s1Id, S1_BANDS, problems, 's1', id);
        if (f) entry.files.s1 = f;
      }
    }
    const refDir = refDirs.get(id);
    if (refDir) {
      const ref = findTiff(new Set(listNames(refDir)), `${id}_reference_map`);
      if (ref) entry.files.reference = { path: join(refDir, ref), band: 0 };
    }
    if (row) {
      const split = splitName(row.split);
      if (split) entry.split = split;
      if (row.country) entry.meta.country = String(row.country);
      if (Array.isArray(row.labels)) {
        const names = row.labels.map(String);
        const b19 = names.filter((n) => ben19Index(n) >= 0);
        const b43 = names.filter((n) => ben43Index(n) >= 0);
        const unknown = names.filter((n) => ben19Index(n) < 0 && ben43Index(n) < 0);
        if (unknown.length) problems.push({ severity: 'warning', file: parquet, reason: `patch ${id}: unknown labels ${unknown.join('; ')}`, patchId: id });
        if (b43.length) {
          entry.labels.ben43 = b43;
          entry.labels.ben19 = [...new Set([...b19, ...b43.map((n) => BEN43_TO_BEN19[n as keyof typeof BEN43_TO_BEN19]).filter((x): x is NonNullable<typeof x> => x !== null)])];
        } else entry.labels.ben19 = b19;
      }
    }
    const when = /_(\d{8}T\d{5,6})_/.exec(id);
    if (when) entry.meta.timestampS2 = when[1];
    patches.push(entry);
  }
  for (const s1 of s1Dirs.keys()) {
    if (!usedS1.has(s1)) problems.push({ severity: 'warning', file: s1Dirs.get(s1)!, reason: 'Sentinel-1 patch without a Sentinel-2 partner; ignored', modality: 's1' });
  }
  const splitSource = patches.some((p) => p.split) ? 'metadata' : 'none';
  return { root, layout: 'bigearthnet-v2', name: basename(root), patches, splitSource, tables, problems };
}
