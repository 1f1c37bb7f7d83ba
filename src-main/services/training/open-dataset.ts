import { PatchDataset } from '../../core/data/dataset';

/**
 * The dataset the prediction views compare with, kept open between calls: the map asks for one mask image per
 * patch in view, and opening (reading the packed cache) for each would dominate. One slot: the last path asked for.
 */
let slot: { path: string; ds: Promise<PatchDataset> } | null = null;

/**
 * `path` must have passed the PathGuard. `cacheDir`: where its packed cache lives (the workspace's, shared with the
 * training jobs so the dataset is decoded once); default: the data layer's.
 */
export function openPredictionDataset(path: string, cacheDir?: string): Promise<PatchDataset> {
  if (slot?.path === path) return slot.ds;
  const previous = slot;
  const ds = PatchDataset.open(path, { cacheDir });
  slot = { path, ds };
  // A failed open is not kept: the next call tries again.
  ds.catch(() => {
    if (slot?.ds === ds) slot = null;
  });
  void previous?.ds.then((old) => old.close()).catch(() => undefined);
  return ds;
}
