/**
 * The acquisition plan of a synthetic dataset: which tiles, which blocks of adjacent patches, which dates, which
 * satellites, and the ben-ge / BigEarthNet style ids. Pure and seeded: the same (seed, count) gives the same plan.
 *
 * Patches of one acquisition form a contiguous block on the tile's BigEarthNet grid (like the real archive, where a
 * tile's patches were cut from one S2 product); each tile gets several acquisitions spread over the year
 * (June 2017 to May 2018, BigEarthNet's period), so every region is seen in several seasons.
 *
 * Ids: S2 `S2A_MSIL2A_20170613T101031_33UUP_26_57` (BigEarthNet v1's name with the MGRS tile added, as BigEarthNet's
 * S1 names carry it, so ids stay unique across tiles), S1 `S1B_IW_GRDH_1SDV_20170614T165043_33UUP_26_57`; the two
 * numbers are the patch's column and row on the tile grid.
 */
import { createRng, type Rng } from '../rng';
import type { PatchParams } from './patch';
import { GRID_SIZE, TILES, type TileDef } from './tiles';

export interface PlannedPatch {
  id: string;
  idS1: string;
  params: PatchParams;
}

/** BigEarthNet's period: S2 acquisitions from June 2017 to May 2018. */
const PERIOD_START = Date.UTC(2017, 5, 1);
const PERIOD_DAYS = 365;
/** Sentinel-2B delivered data from July 2017 on. */
const S2B_START = Date.UTC(2017, 6, 6);

function stamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

function iso(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** Place `count` patches as a near-square block on free cells of a tile grid. */
function placeBlock(count: number, used: Set<number>, rng: Rng): Array<[number, number]> {
  const bw = Math.ceil(Math.sqrt(count));
  const bh = Math.ceil(count / bw);
  for (let attempt = 0; attempt < 400; attempt++) {
    const c0 = rng.int(GRID_SIZE - bw + 1), r0 = rng.int(GRID_SIZE - bh + 1);
    const cells: Array<[number, number]> = [];
    for (let k = 0; k < count; k++) cells.push([c0 + (k % bw), r0 + Math.floor(k / bw)]);
    // Keep a one-patch gap to other acquisitions' blocks so they read as separate scenes.
    const clash = cells.some(([c, r]) => {
      for (let dc = -1; dc <= 1; dc++) for (let dr = -1; dr <= 1; dr++) if (used.has((c + dc) * GRID_SIZE + r + dr)) return true;
      return false;
    });
    if (!clash) {
      for (const [c, r] of cells) used.add(c * GRID_SIZE + r);
      return cells;
    }
  }
  // A crowded tile: take free cells in scan order.
  const cells: Array<[number, number]> = [];
  for (let c = 0; c < GRID_SIZE && cells.length < count; c++) {
    for (let r = 0; r < GRID_SIZE && cells.length < count; r++) {
      if (!used.has(c * GRID_SIZE + r)) {
        used.add(c * GRID_SIZE + r);
        cells.push([c, r]);
      }
    }
  }
  return cells;
}

/** Plan `count` patches for dataset seed `seed`. */
export function planDataset(seed: number | string, count: number): PlannedPatch[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`patch count must be a positive integer, got ${count}`);
  if (count > TILES.length * GRID_SIZE * GRID_SIZE) throw new RangeError(`at most ${TILES.length * GRID_SIZE * GRID_SIZE} patches`);
  const root = createRng(seed);
  const worldSeed = String(seed);
  const rng = root.fork('plan');
  // Spread patches evenly over tiles, in a seeded order so small datasets still visit varied regions.
  const order = rng.shuffle([...TILES]);
  const perTile = new Map<TileDef, number>();
  order.forEach((t, i) => perTile.set(t, Math.floor(count / order.length) + (i < count % order.length ? 1 : 0)));

  const out: PlannedPatch[] = [];
  for (const tile of order) {
    const n = perTile.get(tile) ?? 0;
    if (n === 0) continue;
    const trng = rng.fork(tile.name);
    // Blocks of about six patches (2 x 3), up to eight acquisitions per tile.
    const acquisitions = Math.min(n, Math.max(1, Math.min(8, Math.ceil(n / 6))));
    const used = new Set<number>();
    const yearOffset = trng.next();
    for (let a = 0; a < acquisitions; a++) {
      const m = Math.floor(n / acquisitions) + (a < n % acquisitions ? 1 : 0);
      // Stratified over the year so a tile's acquisitions fall in different seasons.
      const day = Math.floor((((a + trng.next() * 0.8) / acquisitions + yearOffset) % 1) * PERIOD_DAYS);
      const hourS2 = 10.5 - tile.lon / 15 + trng.range(-0.15, 0.15); // S2: ~10:30 local solar time
      const s2 = new Date(PERIOD_START + day * 86_400_000 + Math.round(hourS2 * 3600) * 1000);
      const sat2 = s2.getTime() < S2B_START ? 'S2A' : trng.choice(['S2A', 'S2B']);
      // S1: same day or within three days; ascending passes near 17:45, descending near 06:15 local solar time.
      const orbit: 'ascending' | 'descending' = trng.chance(0.5) ? 'ascending' : 'descending';
      const dayShift = trng.chance(0.5) ? 0 : trng.choice([-3, -2, -1, 1, 2, 3]);
      const hourS1 = (orbit === 'ascending' ? 17.75 : 6.25) - tile.lon / 15 + trng.range(-0.3, 0.3);
      const s1 = new Date(PERIOD_START + (day + dayShift) * 86_400_000 + Math.round(hourS1 * 3600) * 1000);
      const sat1 = trng.choice(['S1A', 'S1B']);
      const incidence = trng.range(31, 44);
      const cloudy = trng.chance(0.3);
      const cloudCover = cloudy ? trng.range(0.08, 0.5) : 0;
      const cloudHeight = trng.range(800, 3000);
      for (const [col, row] of placeBlock(m, used, trng)) {
        const id = `${sat2}_MSIL2A_${stamp(s2)}_${tile.name}_${col}_${row}`;
        const idS1 = `${sat1}_IW_GRDH_1SDV_${stamp(s1)}_${tile.name}_${col}_${row}`;
        out.push({
          id, idS1,
          params: {
            worldSeed, tile: tile.name, col, row, s2Time: iso(s2), s1Time: iso(s1), orbit,
            incidence: incidence + (col - 45) * 0.0816 * (orbit === 'ascending' ? 1 : -1), // 1.2 km * 0.068 °/km
            cloudCover, cloudHeight, worldcoverGaps: trng.chance(0.05),
          },
        });
      }
    }
  }
  return out;
}

/** Seeded train/val/test split of ids (fractions of train and val; the rest is test). */
export function splitIds(ids: string[], seed: number | string, train = 0.7, val = 0.15): { train: string[]; val: string[]; test: string[] } {
  const shuffled = createRng(seed).fork('splits').shuffle([...ids]);
  const nTrain = Math.round(ids.length * train);
  const nVal = Math.round(ids.length * val);
  return { train: shuffled.slice(0, nTrain), val: shuffled.slice(nTrain, nTrain + nVal), test: shuffled.slice(nTrain + nVal) };
}
