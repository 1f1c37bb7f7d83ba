/**
 * One synthetic ben-ge patch, as typed arrays: the pure core of the generator (no files). `synthesizePatch` draws
 * the ground (landscape.ts), then what each sensor and product sees of it at the acquisition times.
 */
import type { GeoTransform } from '../../geo/write';
import { WORLDCOVER_CLASSES, type Era5Variable, type S2Band } from '../modalities';
import type { Rng } from '../rng';
import {
  annualMean, dayOfYear, koppenCode, localSolarHour, diurnalDeviation, seasonEncoding, seasonalTemperature,
  solarAzimuth, solarElevation,
} from './climate';
import { boxBlur, hashString } from './noise';
import { NORMAL_TABLE, SampleNoise } from './stats';
import { buildScene, KIND, N, type Scene } from './landscape';
import type { SeasonContext } from './phenology';
import { renderSentinel1 } from './sentinel1';
import { renderSentinel2 } from './sentinel2';
import { patchOrigin, tileByName, TILES, type TileDef } from './tiles';
import { dayWeather, era5Record, localWeather } from './weather';

export interface PatchParams {
  /** Seed of the synthetic world: patches with the same world seed and tile share one landscape. */
  worldSeed: string;
  /** MGRS tile name (see TILES). */
  tile: string;
  /** Position on the tile's 1200 m patch grid (0..90). */
  col: number;
  row: number;
  /** Acquisition times, ISO 8601 UTC. */
  s2Time: string;
  s1Time: string;
  orbit: 'ascending' | 'descending';
  /** S1 incidence angle at the patch centre (degrees, IW swath 30..46). */
  incidence: number;
  /** Fraction of the sky covered by clouds in the S2 acquisition (0 = clear). */
  cloudCover: number;
  /** Cloud base height (m), which sets how far shadows fall from their clouds. */
  cloudHeight: number;
  /** Leave a few WorldCover pixels without data (nodata 0), as in real reprojected products. */
  worldcoverGaps: boolean;
}

export interface SynthPatch {
  params: PatchParams;
  epsg: number;
  /** Geotransform of the 10 m grid (GDAL order). */
  transform: GeoTransform;
  /** Patch centre in WGS84. */
  lon: number;
  lat: number;
  /** S2 L2A DN per band at native resolution (120, 60 or 20 pixels square). */
  s2: Record<S2Band, Uint16Array>;
  /** S1 backscatter in dB (120 x 120). */
  s1: { VV: Float32Array; VH: Float32Array };
  /** WorldCover codes (120 x 120, 0 = nodata). */
  worldcover: Uint8Array;
  /** Fractions of the 11 WorldCover classes over valid pixels, in WORLDCOVER_CLASSES order. */
  worldcoverFractions: number[];
  /** Elevation (m, a surface model like Copernicus GLO-30: canopy and buildings included). */
  dem: Float32Array;
  /** Materials (landscape.ts KIND), 120 x 120: finer truth than WorldCover, for tests and diagnostics. */
  kind: Uint8Array;
  /** 0 clear, 1 cloud (opacity > 5 %), 2 cloud shadow (> 10 %), 120 x 120. */
  cloudMask: Uint8Array;
  /** Seasonal snow fraction on the ground at the S2 time (120 x 120). */
  snow: Float32Array;
  /** Köppen–Geiger code 1..30 (0 for an all-water patch, as in ben-ge). */
  climatezone: number;
  era5: Record<Era5Variable, number>;
  seasonS2: number;
  seasonS1: number;
  meanElevation: number;
}

/** WorldCover code -> class index (WORLDCOVER_CLASSES order). */
const CODE_TO_INDEX = (() => {
  const t = new Int8Array(256).fill(-1);
  WORLDCOVER_CLASSES.forEach((c, i) => (t[c.code] = i));
  return t;
})();

/** Season context at a date for a scene: climatology at sea level plus the day's anomaly. */
function seasonAt(tile: TileDef, lat: number, meanAlt: number, time: Date, dT: number): SeasonContext {
  const c = tile.regime.climate;
  const doy = dayOfYear(time);
  const w = (2 * Math.PI) / 365.25;
  const mean = annualMean(lat, meanAlt, c);
  const k = (mean - 7) / c.amplitude;
  const warmEnough = k >= 1 ? 20 : k <= -1 ? 202 : 20 + Math.acos(k) / w;
  const anchor = Math.max(warmEnough, 45 + 2 * (lat - 30));
  return {
    doy,
    drySummer: c.drySummer,
    tSea: seasonalTemperature(lat, 0, doy, c) + dT,
    dTdDay: c.amplitude * w * Math.sin(w * (doy - 20)),
    anchor,
    moisture: c.drySummer ? 0.5 + 0.5 * Math.cos(w * (doy - 45)) : 0.6 + 0.25 * Math.cos(w * (doy - 20)),
  };
}

function dateKey(iso: string): string {
  return iso.slice(0, 10);
}

/**
 * DEM: a surface model like Copernicus GLO-30 (tree crowns and roofs included), smoothed like a 30 m product
 * resampled to 10 m, with a little noise; water surfaces stay exactly flat.
 */
function surfaceModel(scene: Scene, rng: Rng): Float32Array {
  const P = N * N;
  const dem = new Float32Array(P);
  for (let p = 0; p < P; p++) {
    const k = scene.kind[p];
    const canopy =
      k === KIND.CONIFER || k === KIND.DECIDUOUS || k === KIND.EVERGREEN_BROADLEAF ? 16 * scene.tone[p]
      : k === KIND.HEDGE ? 8 : k === KIND.BUILT ? 7 : k === KIND.ORCHARD ? 2 : 0;
    dem[p] = scene.elev[p] + canopy;
  }
  boxBlur(dem, N, 1);
  const noise = new SampleNoise(rng);
  for (let p = 0; p < P; p++) {
    const level = scene.waterLevel[p];
    dem[p] = Number.isNaN(level) ? Math.fround(dem[p] + 0.3 * NORMAL_TABLE[noise.index()]) : Math.fround(level);
  }
  return dem;
}

/** Draw one patch. Deterministic for (params, rng seed path); S1 does not depend on the S2 sky (clouds). */
export function synthesizePatch(params: PatchParams, rng: Rng): SynthPatch {
  const tile = tileByName(params.tile);
  const regime = tile.regime;
  const [ulx, uly] = patchOrigin(tile, params.col, params.row);
  const scene: Scene = buildScene(params.worldSeed, tile, ulx, uly);
  const { lat, lon } = scene;
  const P = N * N;

  let meanAlt = 0;
  for (let p = 0; p < P; p++) meanAlt += scene.elev[p];
  meanAlt /= P;

  const t2 = new Date(params.s2Time), t1 = new Date(params.s1Time);
  const day2 = dayWeather(params.worldSeed, tile.name, dateKey(params.s2Time), regime);
  const day1 = dayWeather(params.worldSeed, tile.name, dateKey(params.s1Time), regime);
  const ctx2 = seasonAt(tile, lat, meanAlt, t2, day2.dT);
  const ctx1 = seasonAt(tile, lat, meanAlt, t1, day1.dT);

  const sky = {
    cloudCover: params.cloudCover,
    cloudHeight: params.cloudHeight,
    sunElevation: solarElevation(t2, lat, lon),
    sunAzimuth: solarAzimuth(t2, lat, lon),
    seed: hashString(`${params.worldSeed}|clouds|${tile.name}|${params.s2Time}`),
  };
  const s2 = renderSentinel2(scene, ctx2, sky, rng.fork('s2'));

  const wind1 = Math.hypot(day1.windU, day1.windV);
  const tNow1 = ctx1.tSea + diurnalDeviation(localSolarHour(t1, lon), regime.climate);
  const s1 = renderSentinel1(
    scene, ctx1,
    { orbit: params.orbit, incidence: params.incidence, windSpeed: wind1, tSeaNow: tNow1 },
    `${params.worldSeed}|${params.s1Time}|${params.tile}`,
    rng.fork('s1'),
  );

  const dem = surfaceModel(scene, rng.fork('dem'));

  // WorldCover with the occasional hole (a strip of missing data at the patch edge, or a small block).
  const worldcover = scene.worldcover.slice();
  if (params.worldcoverGaps) {
    const g = rng.fork('worldcover-gaps');
    if (g.chance(0.5)) {
      const rows = 2 + g.int(10);
      const top = g.chance(0.5);
      for (let j = 0; j < rows; j++) worldcover.fill(0, (top ? j : N - 1 - j) * N, (top ? j : N - 1 - j) * N + N);
    } else {
      const w = 4 + g.int(20), h = 4 + g.int(20), i0 = g.int(N - w), j0 = g.int(N - h);
      for (let j = j0; j < j0 + h; j++) worldcover.fill(0, j * N + i0, j * N + i0 + w);
    }
  }
  const counts = new Array<number>(WORLDCOVER_CLASSES.length).fill(0);
  let valid = 0;
  for (let p = 0; p < P; p++) {
    const code = worldcover[p];
    if (code === 0) continue;
    counts[CODE_TO_INDEX[code]]++;
    valid++;
  }
  const worldcoverFractions = counts.map((c) => (valid ? c / valid : 0));
  const waterIndex = WORLDCOVER_CLASSES.findIndex((c) => c.code === 80);

  const w2 = localWeather(lat, lon, meanAlt, t2, day2, regime.climate, regime);
  const w1 = localWeather(lat, lon, meanAlt, t1, day1, regime.climate, regime);

  return {
    params,
    epsg: tile.epsg,
    transform: [10, 0, ulx, 0, -10, uly],
    lon, lat,
    s2: s2.bands,
    s1: { VV: s1.vv, VH: s1.vh },
    worldcover,
    worldcoverFractions,
    dem,
    kind: scene.kind,
    cloudMask: s2.cloudMask,
    snow: s2.snow,
    // ben-ge leaves the climate zone empty (0) for patches entirely covered by water.
    climatezone: worldcoverFractions[waterIndex] > 0.999 ? 0 : koppenCode(lat, meanAlt, regime.climate),
    era5: era5Record(meanAlt, w2, w1),
    seasonS2: seasonEncoding(t2),
    seasonS1: seasonEncoding(t1),
    meanElevation: meanAlt,
  };
}

/**
 * Parameters for a single patch with sensible defaults: cell (45, 45) of the tile, clear sky, S2 at 10:30 local
 * solar time and S1 the same day on an ascending pass (17:45). For tests and previews.
 */
export function makePatchParams(opts: {
  tile?: string; col?: number; row?: number; date: string; worldSeed?: string; cloudCover?: number;
  s1Date?: string; orbit?: 'ascending' | 'descending'; incidence?: number; worldcoverGaps?: boolean;
}): PatchParams {
  const tile = opts.tile ? tileByName(opts.tile) : TILES[0];
  const base = new Date(opts.date);
  // S2 passes at about 10:30 local solar time; S1 ascending at about 17:45, descending at 06:15.
  const s2 = new Date(Date.UTC(base.getUTCFullYear(), base.getUTCMonth(), base.getUTCDate()) + (10.5 - tile.lon / 15) * 3600_000);
  const orbit = opts.orbit ?? 'ascending';
  const s1Base = opts.s1Date ? new Date(opts.s1Date) : base;
  const s1 = new Date(Date.UTC(s1Base.getUTCFullYear(), s1Base.getUTCMonth(), s1Base.getUTCDate()) + ((orbit === 'ascending' ? 17.75 : 6.25) - tile.lon / 15) * 3600_000);
  const iso = (d: Date): string => `${d.toISOString().slice(0, 19)}Z`;
  return {
    worldSeed: opts.worldSeed ?? 'test',
    tile: tile.name,
    col: opts.col ?? 45,
    row: opts.row ?? 45,
    s2Time: iso(s2),
    s1Time: iso(s1),
    orbit,
    incidence: opts.incidence ?? 38,
    cloudCover: opts.cloudCover ?? 0,
    cloudHeight: 1500,
    worldcoverGaps: opts.worldcoverGaps ?? false,
  };
}
