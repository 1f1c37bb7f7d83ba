/**
 * The synthetic landscape: terrain, rivers, lakes, towns, field parcels and natural cover, as functions of map
 * position within a tile. Tile-level features (river courses) are built once per (dataset seed, tile) and cached;
 * everything else comes from hashed lattices and world-coordinate noise, so adjacent patches join seamlessly and a
 * patch can be drawn alone (tests, previews) with exactly the pixels it has inside a full dataset.
 *
 * Output per patch: a material map (`kind`, finer than WorldCover: deciduous vs coniferous trees, crop types,
 * rivers vs lakes...), its WorldCover code, the bare-earth elevation, slope and terrain gradients, and per-object
 * attributes (phenology offset, tone) that the sensor models turn into Sentinel-2 and Sentinel-1 pixels.
 */
import { createRng } from '../rng';
import { LAPSE_RATE, seaLevelMean } from './climate';
import { hash01, hash3, hashString, noiseAt, noiseGrid, type NoiseSpec } from './noise';
import { clamp, fbmToUniform, scratchF32, scratchU8, SEG, segmentDistance, smoothstep } from './stats';
import { GRID_SIZE, PATCH_METERS, toLonLat, type Regime, type TileDef } from './tiles';

/** Pixels per patch side and metres per pixel on the 10 m grid. */
export const N = 120;
export const STEP = 10;

/** Materials: what is on the ground, finer than the WorldCover legend. */
export const KIND = {
  LAKE: 0, RIVER: 1, DECIDUOUS: 2, CONIFER: 3, EVERGREEN_BROADLEAF: 4, SHRUB: 5, GRASS: 6, PASTURE: 7,
  WINTER_CEREAL: 8, SUMMER_CROP: 9, RAPESEED: 10, ORCHARD: 11, FALLOW: 12, BUILT: 13, URBAN_GREEN: 14,
  ROCK: 15, BARE_SOIL: 16, GLACIER: 17, WETLAND: 18, MOSS: 19, HEDGE: 20,
} as const;
export type Kind = (typeof KIND)[keyof typeof KIND];
export const KIND_COUNT = 21;

/** ESA WorldCover code of each material. */
export const KIND_TO_WORLDCOVER: Uint8Array = (() => {
  const t = new Uint8Array(KIND_COUNT);
  t[KIND.LAKE] = 80; t[KIND.RIVER] = 80;
  t[KIND.DECIDUOUS] = 10; t[KIND.CONIFER] = 10; t[KIND.EVERGREEN_BROADLEAF] = 10; t[KIND.HEDGE] = 10;
  t[KIND.SHRUB] = 20; t[KIND.GRASS] = 30; t[KIND.PASTURE] = 30; t[KIND.URBAN_GREEN] = 30;
  t[KIND.WINTER_CEREAL] = 40; t[KIND.SUMMER_CROP] = 40; t[KIND.RAPESEED] = 40; t[KIND.ORCHARD] = 40; t[KIND.FALLOW] = 40;
  t[KIND.BUILT] = 50; t[KIND.ROCK] = 60; t[KIND.BARE_SOIL] = 60; t[KIND.GLACIER] = 70; t[KIND.WETLAND] = 90; t[KIND.MOSS] = 100;
  return t;
})();

/** Amplitude of pixel-scale brightness texture per material (tree crowns and roofs vary most, water least). */
const PIXEL_TEXTURE: Float32Array = (() => {
  const t = new Float32Array(KIND_COUNT).fill(0.03);
  for (const k of [KIND.DECIDUOUS, KIND.CONIFER, KIND.EVERGREEN_BROADLEAF]) t[k] = 0.14;
  t[KIND.HEDGE] = 0.1; t[KIND.SHRUB] = 0.1; t[KIND.ORCHARD] = 0.1; t[KIND.BUILT] = 0.12; t[KIND.ROCK] = 0.08;
  t[KIND.LAKE] = 0.01; t[KIND.RIVER] = 0.02;
  return t;
})();

interface River {
  xs: Float64Array;
  ys: Float64Array;
  /** Water level along the course, never rising downstream. */
  zs: Float64Array;
  width: number;
  minX: number; maxX: number; minY: number; maxY: number;
  /** Segment start indices bucketed by BUCKET-metre cells (key: cell x * 65536 + cell y, relative cells). */
  buckets: Map<number, number[]>;
}

/** Bucket size of the river segment index (m). */
const BUCKET = 2000;

function bucketKey(x: number, y: number): number {
  return Math.floor(x / BUCKET) * 65536 + Math.floor(y / BUCKET);
}

interface Lake { cx: number; cy: number; r: number; level: number }
interface Town { cx: number; cy: number; r: number; angle: number; block: number; seed: number }

/** Tile-level state: noise specs, river courses and memoised lattice features. */
export interface TileWorld {
  tile: TileDef;
  seed: number;
  terrain: NoiseSpec;
  terrainDetail: NoiseSpec;
  valleyFloor: NoiseSpec;
  rivers: River[];
  lakes: Map<string, Lake | null>;
  towns: Map<string, Town | null>;
}

const worlds = new Map<string, TileWorld>();

function spec(seed: number, name: string, wavelength: number, octaves: number, gain = 0.5): NoiseSpec {
  return { seed: hashString(`${seed}:${name}`), wavelength, octaves, gain };
}

/** The world of one tile for a dataset seed (built on first use, then cached). */
export function tileWorld(worldSeed: string, tile: TileDef): TileWorld {
  const key = `${worldSeed}|${tile.name}`;
  let w = worlds.get(key);
  if (w) return w;
  if (worlds.size > 64) worlds.clear();
  const seed = hashString(key);
  const t = tile.regime.terrain;
  w = {
    tile, seed,
    terrain: spec(seed, 'terrain', t.wavelength, t.ridged ? 4 : 6),
    terrainDetail: spec(seed, 'terrain-detail', t.ridged ? t.wavelength / 3 : 1500, 4),
    valleyFloor: spec(seed, 'valley-floor', 40000, 2),
    rivers: [],
    lakes: new Map(),
    towns: new Map(),
  };
  w.rivers = buildRivers(w, worldSeed);
  worlds.set(key, w);
  return w;
}

/** Bare terrain before rivers and lakes, from the two noise values at a point. */
function terrainFrom(regime: Regime, main: number, detail: number): number {
  const t = regime.terrain;
  if (t.ridged) {
    // Ridged noise: crests where the noise crosses zero, broad lows where it is large.
    const ridge = clamp(1 - Math.abs(main) / 0.75, 0, 1);
    // ridge^2.2, by a polynomial (Math.pow per pixel is a measurable share of the patch time).
    return t.base + t.relief * (0.78 * ridge * ridge * (0.8 + 0.2 * ridge) + 0.22 * fbmToUniform(detail, 4));
  }
  // Skewed towards lowlands (about u^1.4): most land is low, hills are fewer.
  const u = fbmToUniform(main, 6);
  return t.base + t.relief * (0.85 * u * (0.55 + 0.45 * u) + 0.15 * fbmToUniform(detail, 4));
}

export function terrainAt(w: TileWorld, x: number, y: number): number {
  return terrainFrom(w.tile.regime, noiseAt(w.terrain, x, y), noiseAt(w.terrainDetail, x, y));
}

function buildRivers(w: TileWorld, worldSeed: string): River[] {
  const { tile } = w;
  const regime = tile.regime;
  const rng = createRng(`${worldSeed}/rivers/${tile.name}`);
  const margin = 10000;
  const extent = GRID_SIZE * PATCH_METERS;
  const x0 = tile.ulx - margin, x1 = tile.ulx + extent + margin;
  const y1 = tile.uly + margin, y0 = tile.uly - extent - margin;
  const rivers: River[] = [];
  const step = 40;
  for (let r = 0; r < regime.water.rivers; r++) {
    const width = r === 0 ? regime.water.mainRiverWidth : Math.max(8, regime.water.mainRiverWidth * rng.range(0.15, 0.45));
    // Every river passes a random point inside the tile: trace its course downstream and upstream from there.
    const px = tile.ulx + rng.range(0.05, 0.95) * extent;
    const py = tile.uly - rng.range(0.05, 0.95) * extent;
    const direction = rng.range(0, 2 * Math.PI);
    // Meanders: curvature is a red-noise process whose correlation length scales with the meander wavelength
    // (about 14 channel widths in nature); the general course drifts slowly and the heading is pulled back to it.
    const wavelength = clamp(14 * width, 250, 1800);
    const rho = Math.exp(-step / (0.3 * wavelength));
    const sigmaK = 0.7 / wavelength;
    const trace = (heading0: number): [number[], number[]] => {
      let x = px, y = py, course = heading0, heading = heading0, curvature = 0;
      const xs: number[] = [], ys: number[] = [];
      for (let k = 0; k < 4000; k++) {
        curvature = rho * curvature + Math.sqrt(1 - rho * rho) * sigmaK * rng.normal();
        course += 0.004 * rng.normal();
        heading += curvature * step - 0.05 * (heading - course);
        x += Math.cos(heading) * step;
        y += Math.sin(heading) * step;
        xs.push(x);
        ys.push(y);
        if (x < x0 || x > x1 || y < y0 || y > y1) break;
      }
      return [xs, ys];
    };
    const [dx, dy] = trace(direction);
    const [ux, uy] = trace(direction + Math.PI);
    const xs = [...ux.reverse(), px, ...dx];
    const ys = [...uy.reverse(), py, ...dy];
    const zs = xs.map((x, k) =>
      regime.terrain.ridged
        ? regime.terrain.base - 50 + 0.3 * regime.terrain.relief * fbmToUniform(noiseAt(w.valleyFloor, x, ys[k]), 2)
        : terrainAt(w, x, ys[k]) - 4 - Math.sqrt(width),
    );
    // Water never flows uphill: running minimum downstream, then a light smoothing that keeps it monotone.
    for (let k = 1; k < zs.length; k++) zs[k] = Math.min(zs[k], zs[k - 1]);
    const buckets = new Map<number, number[]>();
    for (let k = 0; k + 1 < xs.length; k++) {
      const key = bucketKey((xs[k] + xs[k + 1]) / 2, (ys[k] + ys[k + 1]) / 2);
      let list = buckets.get(key);
      if (!list) buckets.set(key, (list = []));
      list.push(k);
    }
    const river: River = {
      xs: Float64Array.from(xs), ys: Float64Array.from(ys), zs: Float64Array.from(zs), width,
      minX: Math.min(...xs), maxX: Math.max(...xs), minY: Math.min(...ys), maxY: Math.max(...ys),
      buckets,
    };
    rivers.push(river);
  }
  return rivers;
}

function lakeAt(w: TileWorld, ci: number, cj: number): Lake | null {
  const key = `${ci},${cj}`;
  const cached = w.lakes.get(key);
  if (cached !== undefined) return cached;
  const water = w.tile.regime.water;
  const s = w.seed ^ 0x1a4e;
  let lake: Lake | null = null;
  if (hash3(s, ci, cj, 0) < water.lakeChance) {
    const cell = water.lakeCell;
    const cx = (ci + 0.15 + 0.7 * hash3(s, ci, cj, 1)) * cell;
    const cy = (cj + 0.15 + 0.7 * hash3(s, ci, cj, 2)) * cell;
    const [rmin, rmax] = water.lakeRadius;
    const r = rmin * Math.pow(rmax / rmin, hash3(s, ci, cj, 3));
    const centre = terrainAt(w, cx, cy);
    // Lakes fill hollows: reject a site clearly higher than its surroundings.
    let ring = 0, lowest = centre;
    for (const f of [0.6, 1.0, 1.5]) {
      for (let k = 0; k < 8; k++) {
        const z = terrainAt(w, cx + f * r * Math.cos(k * 0.785 + f), cy + f * r * Math.sin(k * 0.785 + f));
        if (f === 1.5) ring += z / 8;
        if (z < lowest) lowest = z;
      }
    }
    const tooHigh = w.tile.regime.terrain.ridged && centre > 2500;
    // The water surface sits at the lowest point of the basin's rim sample, so the shore never towers over it.
    if (centre <= ring + 8 && !tooHigh) lake = { cx, cy, r, level: lowest - 1.5 };
  }
  w.lakes.set(key, lake);
  return lake;
}

function townAt(w: TileWorld, ci: number, cj: number): Town | null {
  const key = `${ci},${cj}`;
  const cached = w.towns.get(key);
  if (cached !== undefined) return cached;
  const towns = w.tile.regime.towns;
  const s = w.seed ^ 0x70a1;
  let town: Town | null = null;
  if (hash3(s, ci, cj, 0) < towns.chance) {
    const cx = (ci + 0.2 + 0.6 * hash3(s, ci, cj, 1)) * towns.cell;
    const cy = (cj + 0.2 + 0.6 * hash3(s, ci, cj, 2)) * towns.cell;
    const [rmin, rmax] = towns.radius;
    const r = rmin * Math.pow(rmax / rmin, Math.pow(hash3(s, ci, cj, 3), 1.6));
    const t = w.tile.regime.terrain;
    // Mountain settlements sit on valley floors.
    const ok = !t.ridged || terrainAt(w, cx, cy) < t.base + 0.2 * t.relief;
    if (ok) town = { cx, cy, r, angle: hash3(s, ci, cj, 4) * Math.PI, block: 45 + 35 * hash3(s, ci, cj, 5), seed: mix2(s, ci, cj) };
  }
  w.towns.set(key, town);
  return town;
}

function mix2(s: number, a: number, b: number): number {
  return Math.floor(hash3(s, a, b, 99) * 4294967296) >>> 0;
}

/** Everything the sensor models need to know about a patch's ground. */
export interface Scene {
  world: TileWorld;
  /** World coordinates of the centre of pixel (0, 0). */
  x0: number;
  y0: number;
  lon: number;
  lat: number;
  kind: Uint8Array;
  worldcover: Uint8Array;
  /** Bare-earth elevation (m). */
  elev: Float32Array;
  /** Terrain gradient: dz/dx (east) and dz/dy (north). */
  gx: Float32Array;
  gy: Float32Array;
  /** Slope in degrees. */
  slope: Float32Array;
  /** Per-object phenology offset in days (fields sown early or late, trees leafing out early or late). */
  phase: Float32Array;
  /** Per-object and per-pixel brightness factor around 1 (soil colour, roof material, canopy gaps). */
  tone: Float32Array;
  /** Water levels of rivers and lakes (NaN on land): the DEM is flat there. */
  waterLevel: Float32Array;
}

/** What the stages of a patch share: where it is, its tile world, and its noise fields. */
interface Grid {
  w: TileWorld;
  regime: Regime;
  ulx: number;
  uly: number;
  /** World coordinates of the centre of pixel (0, 0). */
  x0: number;
  y0: number;
  lat: number;
  /** A named fBm field of the tile world sampled on the patch grid (a scratch buffer: use before the next call of the same name). */
  noise: (name: string, wavelength: number, octaves: number) => Float32Array;
}

/** Terrain before water: regime-shaped fBm (ridged in mountains) plus micro-relief. */
function terrainStage(gr: Grid): Float32Array {
  const { w, regime, x0, y0 } = gr;
  const P = N * N;
  const main = scratchF32('terrain-main', P), detail = scratchF32('terrain-detail', P);
  noiseGrid(main, N, x0, y0, STEP, w.terrain);
  noiseGrid(detail, N, x0, y0, STEP, w.terrainDetail);
  const elev = new Float32Array(P);
  for (let i = 0; i < P; i++) elev[i] = terrainFrom(regime, main[i], detail[i]);
  const micro = gr.noise('micro-relief', 300, 3);
  const microAmp = regime.terrain.ridged ? 25 : regime.terrain.relief * 0.02 + 1;
  for (let i = 0; i < P; i++) elev[i] += microAmp * micro[i];

  return elev;
}

/** Rivers carve valleys down to their water level and fill their channel; returns distance to the nearest channel. */
function riverStage(gr: Grid, elev: Float32Array, waterLevel: Float32Array): { riverDist: Float32Array; isRiver: Uint8Array } {
  const { w, regime, ulx, uly, x0, y0 } = gr;
  const P = N * N;
  const riverDist = scratchF32('river-dist', P).fill(Infinity);
  const isRiver = scratchU8('is-river', P).fill(0);
  const valleyW = regime.terrain.valleyWidth;
  const cx = ulx + PATCH_METERS / 2, cy = uly - PATCH_METERS / 2;
  for (const river of w.rivers) {
    const reach = valleyW + river.width * 3 + PATCH_METERS;
    if (cx < river.minX - reach || cx > river.maxX + reach || cy < river.minY - reach || cy > river.maxY + reach) continue;
    // Candidate segments from the buckets around the patch, then the exact box test on their midpoints.
    const segs: number[] = [];
    for (let bx = Math.floor((cx - reach) / BUCKET); bx <= Math.floor((cx + reach) / BUCKET); bx++) {
      for (let by = Math.floor((cy - reach) / BUCKET); by <= Math.floor((cy + reach) / BUCKET); by++) {
        for (const k of river.buckets.get(bx * 65536 + by) ?? []) {
          const mx = (river.xs[k] + river.xs[k + 1]) / 2, my = (river.ys[k] + river.ys[k + 1]) / 2;
          if (Math.abs(mx - cx) < reach && Math.abs(my - cy) < reach) segs.push(k);
        }
      }
    }
    if (segs.length === 0) continue;
    // Keep the course order (the nearest-segment search is order-independent, but stable order = stable ties).
    segs.sort((a, b) => a - b);
    // Nearest point of the course among segments `list[0..count)`: distance into `near.d`, level into `near.z`.
    const near = { d: 0, z: 0 };
    const nearest = (px: number, py: number, list: Int32Array, count: number): void => {
      let best = Infinity, z = 0;
      for (let q = 0; q < count; q++) {
        const k = list[q];
        segmentDistance(px, py, river.xs[k], river.ys[k], river.xs[k + 1], river.ys[k + 1]);
        if (SEG.d < best) {
          best = SEG.d;
          z = river.zs[k] + SEG.t * (river.zs[k + 1] - river.zs[k]);
        }
      }
      near.d = best;
      near.z = z;
    };
    const all = Int32Array.from(segs);
    // Distances on a coarse node grid (every C pixels), interpolated in between: a distance field is smooth.
    const C = 8;
    const M = N / C + 1;
    const cd = new Float64Array(M * M), cz = new Float64Array(M * M);
    for (let b = 0; b < M; b++) {
      for (let a = 0; a < M; a++) {
        nearest(x0 + a * C * STEP, y0 - b * C * STEP, all, all.length);
        cd[b * M + a] = near.d;
        cz[b * M + a] = near.z;
      }
    }
    const half = river.width / 2;
    const flat = regime.terrain.ridged ? river.width * 4 : river.width * 2.5;
    const exactWithin = half + 2 * C * STEP;
    // For exact distances near the channel, each coarse cell keeps only the segments that can be nearest to a
    // point inside it: those within (nearest distance from the cell centre + the cell's diagonal) of the centre.
    const cellDiag = C * STEP * Math.SQRT2;
    const candidates = new Int32Array(all.length);
    const cellLists = new Map<number, Int32Array>();
    const cellList = (a: number, b: number): Int32Array => {
      const key = b * M + a;
      let list = cellLists.get(key);
      if (list) return list;
      const px = x0 + (a + 0.5) * C * STEP, py = y0 - (b + 0.5) * C * STEP;
      nearest(px, py, all, all.length);
      const limit = near.d + cellDiag + 1;
      let count = 0;
      for (let q = 0; q < all.length; q++) {
        const k = all[q];
        segmentDistance(px, py, river.xs[k], river.ys[k], river.xs[k + 1], river.ys[k + 1]);
        if (SEG.d <= limit) candidates[count++] = k;
      }
      list = candidates.slice(0, count);
      cellLists.set(key, list);
      return list;
    };
    for (let j = 0; j < N; j++) {
      const fb = j / C, b = Math.min(M - 2, Math.floor(fb)), tb = fb - b;
      for (let i = 0; i < N; i++) {
        const fa = i / C, a = Math.min(M - 2, Math.floor(fa)), ta = fa - a;
        const k = b * M + a;
        const w00 = (1 - ta) * (1 - tb), w10 = ta * (1 - tb), w01 = (1 - ta) * tb, w11 = ta * tb;
        let d = cd[k] * w00 + cd[k + 1] * w10 + cd[k + M] * w01 + cd[k + M + 1] * w11;
        let z = cz[k] * w00 + cz[k + 1] * w10 + cz[k + M] * w01 + cz[k + M + 1] * w11;
        if (d > valleyW + flat + half + 200) continue;
        // The interpolated distance is within a node spacing of the truth; refine near the channel.
        if (d < exactWithin) {
          const list = cellList(a, b);
          nearest(x0 + i * STEP, y0 - j * STEP, list, list.length);
          d = near.d;
          z = near.z;
        }
        const p = j * N + i;
        if (d < riverDist[p]) riverDist[p] = d;
        if (d <= half) {
          isRiver[p] = 1;
          waterLevel[p] = z;
          elev[p] = z;
        } else if (elev[p] > z) {
          const rise = smoothstep(half + flat, half + flat + valleyW, d);
          elev[p] = z + 0.6 + (elev[p] - z - 0.6) * (regime.terrain.ridged ? Math.pow(rise, 0.8) : rise);
        }
      }
    }
  }

  return { riverDist, isRiver };
}

/** Lakes from the tile's lake lattice: flat water at the basin's level, shores blended into the terrain. */
function lakeStage(gr: Grid, elev: Float32Array, waterLevel: Float32Array): { isLake: Uint8Array; shoreDist: Float32Array } {
  const { w, regime, ulx, uly, x0, y0 } = gr;
  const P = N * N;
  const g = gr.noise;
  const isLake = scratchU8('is-lake', P).fill(0);
  const shoreDist = scratchF32('shore-dist', P).fill(Infinity);
  // Shape noise is only computed when a lake is near (most patches have none).
  let lakeShape: Float32Array | null = null, lakeShapeFine: Float32Array | null = null;
  {
    const water = regime.water;
    const reach = water.lakeRadius[1] * 1.6;
    const ci0 = Math.floor((ulx - reach) / water.lakeCell), ci1 = Math.floor((ulx + PATCH_METERS + reach) / water.lakeCell);
    const cj0 = Math.floor((uly - PATCH_METERS - reach) / water.lakeCell), cj1 = Math.floor((uly + reach) / water.lakeCell);
    for (let ci = ci0; ci <= ci1; ci++) {
      for (let cj = cj0; cj <= cj1; cj++) {
        const lake = lakeAt(w, ci, cj);
        if (!lake) continue;
        lakeShape ??= g('lake-shape', 450, 3);
        lakeShapeFine ??= g('lake-shape-fine', 120, 2);
        const shape = lakeShape, fine = lakeShapeFine;
        const shore = 250;
        for (let j = 0; j < N; j++) {
          const py = y0 - j * STEP;
          const dy = py - lake.cy;
          if (Math.abs(dy) > lake.r * 1.45 + shore) continue;
          for (let i = 0; i < N; i++) {
            const px = x0 + i * STEP;
            const dx = px - lake.cx;
            if (Math.abs(dx) > lake.r * 1.45 + shore) continue;
            const p = j * N + i;
            const dn = Math.sqrt(dx * dx + dy * dy) / lake.r + 0.3 * shape[p] + (0.2 * fine[p] * 120) / (lake.r + 120);
            const out = (dn - 1) * lake.r;
            if (out <= 0) {
              isLake[p] = 1;
              waterLevel[p] = lake.level;
              elev[p] = lake.level;
            } else if (out < shore && !isLake[p]) {
              if (out < shoreDist[p]) shoreDist[p] = out;
              const blended = lake.level + (elev[p] - lake.level) * smoothstep(0, shore, out);
              elev[p] = out < 40 ? Math.max(blended, lake.level + 0.3 + out * 0.02) : blended;
            }
          }
        }
      }
    }
  }

  return { isLake, shoreDist };
}

/** Terrain gradients (central differences) and slope in degrees. */
function gradientStage(elev: Float32Array): { gx: Float32Array; gy: Float32Array; slope: Float32Array } {
  const P = N * N;
  const gx = new Float32Array(P), gy = new Float32Array(P), slope = new Float32Array(P);
  for (let j = 0; j < N; j++) {
    for (let i = 0; i < N; i++) {
      const p = j * N + i;
      const il = i > 0 ? p - 1 : p, ir = i < N - 1 ? p + 1 : p;
      const ju = j > 0 ? p - N : p, jd = j < N - 1 ? p + N : p;
      const dzdx = (elev[ir] - elev[il]) / (((ir - il) || 1) * STEP);
      const dzdy = (elev[ju] - elev[jd]) / ((((jd - ju) / N) || 1) * STEP); // rows go south, y goes north
      gx[p] = dzdx;
      gy[p] = dzdy;
      slope[p] = (Math.atan(Math.sqrt(dzdx * dzdx + dzdy * dzdy)) * 180) / Math.PI;
    }
  }

  return { gx, gy, slope };
}

interface CoverInputs {
  elev: Float32Array;
  slope: Float32Array;
  isLake: Uint8Array;
  isRiver: Uint8Array;
  riverDist: Float32Array;
  shoreDist: Float32Array;
}

/** Materials: water, towns, altitude zones (glacier, rock, alpine meadow), then fields, forests and open land. */
function coverStage(gr: Grid, inputs: CoverInputs): { kind: Uint8Array; phase: Float32Array; tone: Float32Array } {
  const { w, regime, ulx, uly, x0, y0, lat } = gr;
  const { elev, slope, isLake, isRiver, riverDist, shoreDist } = inputs;
  const lu = regime.landuse;
  const P = N * N;
  const g = gr.noise;
  const kind = new Uint8Array(P);
  const phase = new Float32Array(P);
  const tone = new Float32Array(P).fill(1);
  // Towns touching this patch.
  const towns: Town[] = [];
  {
    const tc = regime.towns;
    const reach = tc.radius[1] * 1.4;
    const ci0 = Math.floor((ulx - reach) / tc.cell), ci1 = Math.floor((ulx + PATCH_METERS + reach) / tc.cell);
    const cj0 = Math.floor((uly - PATCH_METERS - reach) / tc.cell), cj1 = Math.floor((uly + reach) / tc.cell);
    for (let ci = ci0; ci <= ci1; ci++) for (let cj = cj0; cj <= cj1; cj++) {
      const t = townAt(w, ci, cj);
      if (t) towns.push(t);
    }
  }

  const landuse = g('landuse', 3500, 4);
  const edgeNoise = g('edge', 160, 3);
  const forestType = g('forest-type', 1800, 3);
  const mixNoise = g('forest-mix', 70, 2);
  const openType = g('open-type', 900, 3);
  const texture = g('texture', 40, 2);
  const warmSea = seaLevelMean(lat, regime.climate) + regime.climate.amplitude;
  // Fields only some patches need: wetness where wetlands occur, the wavy altitude-zone boundaries only near the
  // tree line, town shapes only near towns (a zero field stands in otherwise).
  let maxElev = -Infinity;
  for (let p = 0; p < P; p++) if (elev[p] > maxElev) maxElev = elev[p];
  const zero = scratchF32('zero', P).fill(0);
  const wet = lu.wetland > 0 ? g('wetness', 1200, 3) : zero;
  const lineNoise = warmSea - LAPSE_RATE * maxElev < 11 ? g('zone-lines', 400, 3) : zero;
  const townShape = towns.length > 0 ? g('town-shape', 500, 2) : zero;
  const gardens = towns.length > 0 ? g('gardens', 30, 2) : zero;

  // Field districts: a jittered lattice of 2.5 km cells, each with its own parcel orientation and size.
  const D = 2500;
  const ds = w.seed ^ 0xf1e1d;
  // District centres that can be nearest to a pixel of this patch (the patch's cells plus a ring around them).
  const dci0 = Math.floor(ulx / D) - 1, dci1 = Math.floor((ulx + PATCH_METERS) / D) + 1;
  const dcj0 = Math.floor((uly - PATCH_METERS) / D) - 1, dcj1 = Math.floor(uly / D) + 1;
  const dcx: number[] = [], dcy: number[] = [], dci: number[] = [], dcj: number[] = [];
  for (let a = dci0; a <= dci1; a++) for (let b = dcj0; b <= dcj1; b++) {
    dcx.push((a + 0.5 + 0.8 * (hash3(ds, a, b, 0) - 0.5)) * D);
    dcy.push((b + 0.5 + 0.8 * (hash3(ds, a, b, 1) - 0.5)) * D);
    dci.push(a);
    dcj.push(b);
  }
  // Nearest district centre of a point; the result goes to `dist.i`, `dist.j`.
  const dist = { i: 0, j: 0 };
  const district = (px: number, py: number): void => {
    let best = Infinity;
    for (let q = 0; q < dcx.length; q++) {
      const dx = dcx[q] - px, dy = dcy[q] - py;
      const d2 = dx * dx + dy * dy;
      if (d2 < best) { best = d2; dist.i = dci[q]; dist.j = dcj[q]; }
    }
  };
  // Per-district parcel layout, memoised for the patch.
  interface District { seed: number; cos: number; sin: number; W: number; L: number }
  const districts = new Map<number, District>();
  const districtInfo = (di: number, dj: number): District => {
    const key = di * 100003 + dj;
    let info = districts.get(key);
    if (!info) {
      const angle = (hash3(ds, di, dj, 3) - 0.5) * 0.9 + noiseAt(w.valleyFloor, di * D, dj * D);
      info = {
        seed: (hash3(ds, di, dj, 2) * 4294967296) >>> 0,
        cos: Math.cos(angle),
        sin: Math.sin(angle),
        W: lu.fieldWidth * (0.7 + 0.6 * hash3(ds, di, dj, 4)),
        L: lu.fieldLength * (0.6 + 0.8 * hash3(ds, di, dj, 5)),
      };
      districts.set(key, info);
    }
    return info;
  };
  const crops = lu.crops;
  const cropTotal = crops.winterCereal + crops.summerCrop + crops.rapeseed + crops.orchard + crops.fallow;
  const cropKind = (h: number): Kind => {
    let x = h * cropTotal;
    if ((x -= crops.winterCereal) < 0) return KIND.WINTER_CEREAL;
    if ((x -= crops.summerCrop) < 0) return KIND.SUMMER_CROP;
    if ((x -= crops.rapeseed) < 0) return KIND.RAPESEED;
    if ((x -= crops.orchard) < 0) return KIND.ORCHARD;
    return KIND.FALLOW;
  };
  const isSubarctic = regime.name === 'subarctic';
  // Per-parcel attributes, memoised for the patch (a parcel covers hundreds of pixels).
  interface Field { hedge: boolean; riparian: boolean; pasture: boolean; crop: Kind; phase: number; tone: number }
  const fields = new Map<number, Map<number, Field>>();
  const field = (dseed: number, row: number, col: number): Field => {
    let byDistrict = fields.get(dseed);
    if (!byDistrict) fields.set(dseed, (byDistrict = new Map()));
    const key = row * 1e7 + col;
    let f = byDistrict.get(key);
    if (!f) {
      f = {
        hedge: hash3(dseed, row, col, 3) < lu.hedgerows,
        riparian: hash3(dseed, row, col, 7) < 0.6,
        pasture: hash3(dseed, row, col, 2) < lu.pasture,
        crop: cropKind(hash3(dseed, row, col, 4)),
        phase: (hash3(dseed, row, col, 5) - 0.5) * 24,
        tone: 0.88 + 0.24 * hash3(dseed, row, col, 6),
      };
      byDistrict.set(key, f);
    }
    return f;
  };

  for (let j = 0; j < N; j++) {
    const py = y0 - j * STEP;
    for (let i = 0; i < N; i++) {
      const p = j * N + i;
      const px = x0 + i * STEP;
      tone[p] = 1 + 0.06 * texture[p];
      if (isLake[p]) { kind[p] = KIND.LAKE; continue; }
      if (isRiver[p]) { kind[p] = KIND.RIVER; continue; }

      // Towns: a street grid of blocks, denser towards the centre, with gardens and parks.
      let townKind = -1;
      for (const t of towns) {
        const dx = px - t.cx, dy = py - t.cy;
        const dn = Math.sqrt(dx * dx + dy * dy) / t.r + 0.25 * townShape[p];
        if (dn >= 1.05) continue;
        const ca = Math.cos(t.angle), sa = Math.sin(t.angle);
        const u = ca * dx + sa * dy, v = -sa * dx + ca * dy;
        const bu = Math.floor(u / t.block), bv = Math.floor(v / t.block);
        const fu = u - bu * t.block, fv = v - bv * t.block;
        const density = clamp(1.25 - 1.1 * dn * dn, 0, 1);
        const street = fu < 10 || fv < 10;
        if (street && dn < 1) townKind = KIND.BUILT;
        else if (hash3(t.seed, bu, bv, 0) < density) {
          // Built blocks; suburban ones keep gardens between the houses.
          townKind = density < 0.8 && gardens[p] > 0.25 ? KIND.URBAN_GREEN : KIND.BUILT;
        } else if (dn < 0.85) townKind = hash3(t.seed, bu, bv, 1) < 0.3 ? KIND.DECIDUOUS : KIND.URBAN_GREEN;
        if (townKind >= 0) {
          tone[p] = 0.75 + 0.5 * hash3(t.seed, bu, bv, 2) + 0.05 * texture[p];
          phase[p] = hash3(t.seed, bu, bv, 3);
          break;
        }
      }
      if (townKind >= 0) { kind[p] = townKind; continue; }

      const e = elev[p], s = slope[p];
      const warm = warmSea - LAPSE_RATE * e;
      const zn = lineNoise[p];
      if (warm < 2 + 0.8 * zn) {
        kind[p] = s > 42 ? KIND.ROCK : KIND.GLACIER;
        tone[p] = 1 + 0.04 * texture[p];
        continue;
      }
      if (warm < 5.5 + 0.8 * zn) {
        kind[p] = isSubarctic ? (openType[p] > -0.1 ? KIND.MOSS : KIND.ROCK) : openType[p] > 0.35 && s < 30 ? KIND.GRASS : KIND.ROCK;
        tone[p] = 1 + 0.12 * texture[p] + 0.05 * edgeNoise[p];
        continue;
      }
      if (warm < 10 + 0.8 * zn) {
        // Above the tree line: alpine meadows, dwarf shrubs, scree on steep slopes; tundra heath in Lapland.
        if (s > 38) kind[p] = KIND.ROCK;
        else if (isSubarctic) kind[p] = openType[p] > 0.1 ? KIND.MOSS : openType[p] > -0.25 ? KIND.SHRUB : KIND.GRASS;
        else kind[p] = warm > 9 && openType[p] > 0.2 ? KIND.SHRUB : openType[p] < -0.45 ? KIND.ROCK : KIND.GRASS;
        tone[p] = 1 + 0.08 * texture[p];
        continue;
      }

      // Below the tree line: fields, forests and natural open land by a land-use field.
      const pu = fbmToUniform(landuse[p], 4) + 0.05 * edgeNoise[p];
      const slopeOk = 1 - smoothstep(7, 18, s);
      const warmOk = smoothstep(12, 15, warm);
      const agri = lu.agriculture * slopeOk * (0.25 + 0.75 * warmOk);
      const forest = Math.min(0.97 - agri, lu.forest + (lu.agriculture - agri) * 0.8);
      const nearRiver = riverDist[p] < 25 + 30 * (edgeNoise[p] + 1);
      if (pu < agri) {
        district(px, py);
        const { seed: dseed, cos: ca, sin: sa, W, L } = districtInfo(dist.i, dist.j);
        const u = ca * px + sa * py, v = -sa * px + ca * py;
        const row = Math.floor(v / W);
        const offset = hash3(dseed, row, 0, 0) * L;
        const Lrow = L * (0.6 + 0.8 * hash3(dseed, row, 0, 1));
        const col = Math.floor((u + offset) / Lrow);
        const fv = v - row * W, fu = u + offset - col * Lrow;
        const edge = Math.min(fv, W - fv, fu, Lrow - fu);
        const f = field(dseed, row, col);
        if (edge < 6 && f.hedge) {
          kind[p] = KIND.HEDGE;
        } else if (nearRiver && f.riparian) {
          kind[p] = KIND.DECIDUOUS; // riparian tree line
        } else {
          kind[p] = f.pasture || warm < 13 ? KIND.PASTURE : f.crop;
        }
        phase[p] = f.phase;
        tone[p] = f.tone + 0.04 * texture[p];
        continue;
      }
      if (pu > 1 - forest) {
        const conifer = clamp(lu.conifer + (e - 700) / 1500, 0, 1);
        const ft = fbmToUniform(forestType[p], 3) + 0.12 * mixNoise[p];
        kind[p] = ft < conifer ? KIND.CONIFER : ft < conifer + lu.evergreenBroadleaf * (1 - conifer) ? KIND.EVERGREEN_BROADLEAF : KIND.DECIDUOUS;
        phase[p] = 6 * forestType[p];
        tone[p] = 1 + 0.1 * texture[p] + 0.05 * mixNoise[p];
        continue;
      }
      // Natural open land.
      const flatLow = s < 2.5 && (shoreDist[p] < 80 || fbmToUniform(wet[p], 3) > 1 - lu.wetland * 3);
      if (lu.wetland > 0 && flatLow && wet[p] > -0.1) {
        kind[p] = KIND.WETLAND;
      } else if (nearRiver) {
        kind[p] = KIND.DECIDUOUS;
      } else {
        const q = fbmToUniform(openType[p], 3);
        kind[p] = q < lu.bare ? (s > 25 || regime.terrain.ridged ? KIND.ROCK : KIND.BARE_SOIL) : q < lu.bare + lu.shrub ? KIND.SHRUB : KIND.GRASS;
      }
      tone[p] = 1 + 0.08 * texture[p];
      phase[p] = 8 * openType[p];
    }
  }

  return { kind, phase, tone };
}

/** Multiply in pixel-scale texture (single crowns, shrubs, roofs), white at 10 m and tied to the world grid. */
function pixelTexture(gr: Grid, kind: Uint8Array, tone: Float32Array): void {
  const { w, x0, y0 } = gr;
  const ws = w.seed ^ 0x3c6ef372;
  const gi0 = Math.round(x0 / STEP), gj0 = Math.round(y0 / STEP);
  for (let j = 0; j < N; j++) {
    for (let i = 0; i < N; i++) {
      const p = j * N + i;
      tone[p] *= 1 + PIXEL_TEXTURE[kind[p]] * (2 * hash01(ws, gi0 + i, gj0 - j) - 1);
    }
  }
}

/**
 * Build the ground of the patch whose upper-left corner is (ulx, uly) in the tile's CRS. The stages are separate
 * functions so the JIT optimises each hot loop on its own (and for readability).
 */
export function buildScene(worldSeed: string, tile: TileDef, ulx: number, uly: number): Scene {
  const w = tileWorld(worldSeed, tile);
  const P = N * N;
  const x0 = ulx + STEP / 2, y0 = uly - STEP / 2;
  const [lon, lat] = toLonLat(tile, ulx + PATCH_METERS / 2, uly - PATCH_METERS / 2);
  const gr: Grid = {
    w, regime: tile.regime, ulx, uly, x0, y0, lat,
    noise: (name, wavelength, octaves) => {
      const out = scratchF32(name, P);
      noiseGrid(out, N, x0, y0, STEP, spec(w.seed, name, wavelength, octaves));
      return out;
    },
  };
  const elev = terrainStage(gr);
  const waterLevel = new Float32Array(P).fill(NaN);
  const { riverDist, isRiver } = riverStage(gr, elev, waterLevel);
  const { isLake, shoreDist } = lakeStage(gr, elev, waterLevel);
  const { gx, gy, slope } = gradientStage(elev);
  const { kind, phase, tone } = coverStage(gr, { elev, slope, isLake, isRiver, riverDist, shoreDist });
  pixelTexture(gr, kind, tone);
  const worldcover = new Uint8Array(P);
  for (let p = 0; p < P; p++) worldcover[p] = KIND_TO_WORLDCOVER[kind[p]];
  return { world: w, x0, y0, lon, lat, kind, worldcover, elev, gx, gy, slope, phase, tone, waterLevel };
}
