/** Recognises a dataset folder's layout and reads its index. */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DatasetError } from '../problems';
import { parseAcquisitionTime, seasonOfDate } from '../season';
import { looksLikeBenge, readBengeIndex } from './benge';
import { looksLikeBenV1, readBenV1Index } from './bigearthnet-v1';
import { looksLikeBenV2, readBenV2Index } from './bigearthnet-v2';
import { looksLikeChips, readChipsIndex } from './chips';
import type { DatasetIndex, LayoutName } from './types';

export const LAYOUTS: readonly LayoutName[] = ['ben-ge', 'bigearthnet-v1', 'bigearthnet-v2', 'chips'];

/** The layout of `root`, or a `DatasetError` saying what was looked for. */
export function detectLayout(root: string): LayoutName {
  let st;
  try {
    st = statSync(root);
  } catch {
    throw new DatasetError(root, 'dataset folder not found');
  }
  if (!st.isDirectory()) throw new DatasetError(root, 'not a folder');
  if (looksLikeBenge(root)) return 'ben-ge';
  if (looksLikeBenV2(root)) return 'bigearthnet-v2';
  if (looksLikeBenV1(root)) return 'bigearthnet-v1';
  if (looksLikeChips(root)) return 'chips';
  throw new DatasetError(
    root,
    'unknown layout: expected ben-ge (sentinel-2/, <name>_meta.csv), BigEarthNet v1 or v2 (BigEarthNet-S2/, BigEarthNet-S1/, Reference_Maps/, metadata.parquet) or a folder of GeoTIFF chips (*.tif, images/*.tif)',
  );
}

/** Detects the layout (unless given) and reads the index. Throws only when nothing at all can be read. */
export async function readDatasetIndex(dir: string, options: { layout?: LayoutName } = {}): Promise<DatasetIndex> {
  const root = resolve(dir);
  const layout = options.layout ?? detectLayout(root);
  let index: DatasetIndex;
  switch (layout) {
    case 'ben-ge':
      index = readBengeIndex(root);
      break;
    case 'bigearthnet-v1':
      index = readBenV1Index(root);
      break;
    case 'bigearthnet-v2':
      index = await readBenV2Index(root);
      break;
    case 'chips':
      index = await readChipsIndex(root);
      break;
    default:
      throw new DatasetError(root, `unknown layout '${String(layout)}'`);
  }
  for (const p of index.patches) {
    if (p.meta.season !== undefined) continue;
    const when = p.meta.timestampS2 ? parseAcquisitionTime(p.meta.timestampS2) : undefined;
    if (when) p.meta.season = seasonOfDate(when);
  }
  if (index.patches.length === 0) throw new DatasetError(root, `no patches found (layout ${layout})`);
  return index;
}
