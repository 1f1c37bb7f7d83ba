/**
 * Sentinel-2 L2A model: each 10 m pixel is a linear mixture of endmember spectra chosen by its material and the
 * season, scaled by its tone and by terrain illumination, then covered by seasonal snow, clouds and cloud shadows.
 * The 20 m and 60 m bands are area averages of the 10 m field (the sensor integrates over its larger footprint),
 * radiometric noise is added at native resolution and reflectance is quantised to L2A digital numbers (DN =
 * reflectance * 10000, uint16, 0 reserved for nodata).
 */
import { S2_BAND_GSD, S2_BANDS, type S2Band } from '../modalities';
import type { Rng } from '../rng';
import { LAPSE_RATE } from './climate';
import { KIND, KIND_COUNT, N, STEP, type Scene } from './landscape';
import { downsample, hashString, noiseGrid } from './noise';
import {
  cropStage, evergreenVigour, grassGreenness, leafOn, rapeseed, summerCrop, winterCereal, type CropCover, type SeasonContext,
} from './phenology';
import { BAND_COUNT, EM, SPECTRUM } from './spectra';
import { clamp, fbmSigma, NORMAL_TABLE, probit, SampleNoise, scratchF32, scratchU8, smoothstep } from './stats';

export interface Sky {
  /** Fraction of the sky covered by clouds in this acquisition (0 = clear). */
  cloudCover: number;
  /** Cloud base height (m): sets the shadow displacement. */
  cloudHeight: number;
  /** Sun elevation and azimuth (degrees) at the patch. */
  sunElevation: number;
  sunAzimuth: number;
  /** Seed of the acquisition's cloud field (shared by all patches of the acquisition). */
  seed: number;
}

export interface S2Result {
  /** DN per band at native resolution (120, 60 or 20 pixels square). */
  bands: Record<S2Band, Uint16Array>;
  /** Per 10 m pixel: 0 clear, 1 cloud (opacity > 5 %), 2 cloud shadow (> 10 %). */
  cloudMask: Uint8Array;
  /** Per 10 m pixel: seasonal snow fraction 0..1 on the ground. */
  snow: Float32Array;
}

// Scratch mixture of the current pixel: endmember indices and fractions (at most a handful per material).
const MIX_E = new Int32Array(8);
const MIX_F = new Float32Array(8);
let mixCount = 0;

function addMix(e: number, f: number): void {
  if (f <= 0) return;
  MIX_E[mixCount] = e;
  MIX_F[mixCount] = f;
  mixCount++;
}

/** Seasonal states per material: up to 365 crop stages. */
const STATES = 365;
const SNOW_SPECTRUM = SPECTRUM.slice(EM.snow * BAND_COUNT, (EM.snow + 1) * BAND_COUNT);
const CROP: CropCover = { green: 0, dry: 0, soil: 0, flowers: 0 };

/** Endmember fractions of material `k` in seasonal state `state` (see the state drivers in renderSentinel2). */
function setMixture(k: number, state: number, drySummer: boolean): void {
  mixCount = 0;
  const g = state / 64; // greenness-like drivers
  const soilWet = drySummer ? EM.soil_bright : EM.soil_dark;
  switch (k) {
    case KIND.DECIDUOUS:
    case KIND.HEDGE:
      // Leaf-on canopy, or bare branches over litter and soil.
      addMix(EM.green_vegetation, 0.93 * g + 0.15 * (1 - g));
      addMix(EM.dry_vegetation, 0.55 * (1 - g));
      addMix(EM.soil_dark, 0.07 * g + 0.3 * (1 - g));
      return;
    case KIND.CONIFER:
      addMix(EM.conifer_canopy, 0.86 * g + 0.04);
      addMix(EM.green_vegetation, 0.05);
      addMix(EM.soil_dark, 0.91 - 0.86 * g - 0.04);
      return;
    case KIND.EVERGREEN_BROADLEAF:
      // Holm and cork oak woodland: open evergreen canopy over bright soil.
      addMix(EM.conifer_canopy, 0.45);
      addMix(EM.green_vegetation, 0.3 * g);
      addMix(EM.dry_vegetation, 0.3 * (1 - g));
      addMix(EM.soil_bright, 0.25);
      return;
    case KIND.SHRUB: {
      const v = 0.3 + 0.7 * g;
      addMix(EM.green_vegetation, 0.5 * v);
      addMix(EM.conifer_canopy, 0.1);
      addMix(EM.dry_vegetation, 0.2 + 0.25 * (1 - v));
      addMix(soilWet, 0.7 - 0.5 * v - 0.25 * (1 - v));
      return;
    }
    case KIND.GRASS:
    case KIND.URBAN_GREEN:
    case KIND.PASTURE: {
      const cover = k === KIND.PASTURE ? 0.9 : 0.95;
      addMix(EM.green_vegetation, cover * g);
      addMix(EM.dry_vegetation, cover * (1 - g));
      addMix(soilWet, 1 - cover);
      return;
    }
    case KIND.WINTER_CEREAL:
    case KIND.SUMMER_CROP:
    case KIND.RAPESEED: {
      const stage = state - 120;
      if (k === KIND.WINTER_CEREAL) winterCereal(stage, CROP);
      else if (k === KIND.SUMMER_CROP) summerCrop(stage, CROP);
      else rapeseed(stage, CROP);
      addMix(EM.green_vegetation, CROP.green);
      addMix(EM.dry_vegetation, CROP.dry);
      addMix(EM.rapeseed_flowers, CROP.flowers);
      addMix(soilWet, CROP.soil);
      return;
    }
    case KIND.FALLOW:
      // Weedy set-aside: sparse herbs over soil.
      addMix(EM.green_vegetation, 0.55 * g);
      addMix(EM.dry_vegetation, 0.25);
      addMix(soilWet, 0.75 - 0.55 * g);
      return;
    case KIND.ORCHARD:
      // Olive groves, orchards, vineyards: sparse evergreen canopy over soil with a seasonal herb layer.
      addMix(EM.conifer_canopy, 0.2);
      addMix(EM.green_vegetation, 0.15 + 0.25 * g);
      addMix(EM.dry_vegetation, 0.15 * (1 - g));
      addMix(EM.soil_bright, 0.5 - 0.1 * g);
      return;
    case KIND.BUILT:
      if (state === 0) { addMix(EM.roof_tiles, 0.65); addMix(EM.concrete, 0.25); }
      else if (state === 1) { addMix(EM.concrete, 0.7); addMix(EM.asphalt, 0.2); }
      else { addMix(EM.asphalt, 0.55); addMix(EM.concrete, 0.35); }
      addMix(EM.green_vegetation, 0.1);
      return;
    case KIND.ROCK:
      addMix(EM.rock, 0.85); addMix(EM.soil_bright, 0.1); addMix(EM.lichen, 0.05);
      return;
    case KIND.BARE_SOIL:
      addMix(EM.soil_bright, 0.82); addMix(EM.dry_vegetation, 0.12); addMix(EM.green_vegetation, 0.06 * g);
      return;
    case KIND.GLACIER:
      addMix(EM.firn_ice, 0.65); addMix(EM.snow, 0.3); addMix(EM.rock, 0.05);
      return;
    case KIND.LAKE:
      addMix(EM.water_clear, 0.9); addMix(EM.water_turbid, 0.1);
      return;
    case KIND.RIVER:
      addMix(EM.water_turbid, 0.8); addMix(EM.water_clear, 0.2);
      return;
    case KIND.WETLAND:
      addMix(EM.green_vegetation, 0.55 * g); addMix(EM.dry_vegetation, 0.2 + 0.35 * (1 - g));
      addMix(EM.water_clear, 0.25);
      return;
    case KIND.MOSS:
      addMix(EM.lichen, 0.55); addMix(EM.green_vegetation, 0.2 * g); addMix(EM.dry_vegetation, 0.2 * (1 - g));
      addMix(EM.rock, 0.25);
      return;
  }
}

/**
 * Clouds and their shadows, in place on the 10 m reflectances: one cloud field per acquisition in world
 * coordinates, so clouds continue across neighbouring patches; the shadow is the same field displaced away from
 * the sun by the cloud height. Returns the mask (0 clear, 1 cloud, 2 shadow).
 */
function applyClouds(scene: Scene, sky: Sky, refl: Float32Array[]): Uint8Array {
  const P = N * N;
  const cloudMask = new Uint8Array(P);
  if (sky.cloudCover <= 0) return cloudMask;
  const el = (Math.max(sky.sunElevation, 3) * Math.PI) / 180;
  const az = (sky.sunAzimuth * Math.PI) / 180;
  const spec = { seed: sky.seed, wavelength: 3500, octaves: 5, gain: 0.5 };
  const threshold = probit(1 - sky.cloudCover) * fbmSigma(5);
  const alpha = scratchF32('s2-cloud', P), shadow = scratchF32('s2-shadow', P);
  noiseGrid(alpha, N, scene.x0, scene.y0, STEP, spec);
  const reach = sky.cloudHeight / Math.tan(el);
  const dx = -Math.sin(az) * reach, dy = -Math.cos(az) * reach;
  // The cloud casting a shadow on (x, y) is where the sun ray from (x, y) meets the cloud layer.
  noiseGrid(shadow, N, scene.x0 - dx, scene.y0 - dy, STEP, spec);
  const cloudBand = EM.cloud * BAND_COUNT;
  for (let p = 0; p < P; p++) {
    const a = smoothstep(threshold - 0.02, threshold + 0.08, alpha[p]);
    const s = smoothstep(threshold - 0.02, threshold + 0.08, shadow[p]) * (1 - a);
    // Conservative masks, like Sen2Cor's: thin cloud edges count as cloud, faint shadows as shadow.
    if (a > 0.05) cloudMask[p] = 1;
    else if (s > 0.1) cloudMask[p] = 2;
    if (a === 0 && s === 0) continue;
    const thick = 0.85 + 0.6 * clamp(alpha[p] - threshold, 0, 0.25);
    for (let b = 0; b < BAND_COUNT; b++) {
      // Shadows keep the diffuse skylight (bluer), clouds replace the surface with a bright flat spectrum.
      const shadowed = refl[b][p] * (1 - 0.72 * s) + s * (b <= 1 ? 0.012 : 0.004);
      refl[b][p] = shadowed * (1 - a) + a * SPECTRUM[cloudBand + b] * thick;
    }
  }
  return cloudMask;
}

export function renderSentinel2(scene: Scene, ctx: SeasonContext, sky: Sky, rng: Rng): S2Result {
  const P = N * N;
  const { kind, elev, tone, phase, gx, gy } = scene;
  const refl: Float32Array[] = Array.from({ length: BAND_COUNT }, (_, b) => scratchF32(`s2-refl-${b}`, P));

  // Sun vector for terrain illumination (x east, y north, z up).
  const el = (Math.max(sky.sunElevation, 3) * Math.PI) / 180;
  const az = (sky.sunAzimuth * Math.PI) / 180;
  const sx = Math.sin(az) * Math.cos(el), sy = Math.cos(az) * Math.cos(el), sz = Math.sin(el);

  // Seasonal snow: where the day's temperature at the pixel's altitude is below freezing, patchy at the margin.
  const snowNoise = scratchF32('s2-snow-noise', P);
  noiseGrid(snowNoise, N, scene.x0, scene.y0, STEP, { seed: hashString(`snow:${sky.seed}`), wavelength: 400, octaves: 3, gain: 0.5 });
  const snow = new Float32Array(P);

  // Mixture spectra are cached per (material, state): the state is the material's one seasonal driver
  // (leaf-on fraction, greenness, vigour: 65 levels; crop stage: one per day; roof material), so the endmember
  // mixing runs once per distinct state instead of once per pixel.
  const cache = scratchF32('s2-mixture-cache', KIND_COUNT * STATES * BAND_COUNT);
  const filled = scratchU8('s2-mixture-filled', KIND_COUNT * STATES).fill(0);
  for (let p = 0; p < P; p++) {
    const k = kind[p];
    const t = ctx.tSea - LAPSE_RATE * elev[p];
    const tPhase = t + phase[p] * ctx.dTdDay;
    let state = 0;
    switch (k) {
      case KIND.DECIDUOUS:
      case KIND.HEDGE:
        state = Math.round(64 * leafOn(tPhase) * evergreenVigour(ctx, t));
        break;
      case KIND.CONIFER:
      case KIND.EVERGREEN_BROADLEAF:
        state = Math.round(64 * evergreenVigour(ctx, t));
        break;
      case KIND.WINTER_CEREAL:
      case KIND.SUMMER_CROP:
      case KIND.RAPESEED:
        // Mediterranean summer crops are irrigated and sown later in spring than the anchor suggests.
        state = Math.round(120 + cropStage(ctx, phase[p]) - (k === KIND.SUMMER_CROP && ctx.drySummer ? 50 : 0));
        state = state < 0 ? state + 365 : state > 364 ? state - 365 : state;
        break;
      case KIND.BUILT:
        state = phase[p] < 0.35 ? 0 : phase[p] < 0.75 ? 1 : 2; // per-block roof material
        break;
      case KIND.ROCK: case KIND.GLACIER: case KIND.LAKE: case KIND.RIVER:
        break;
      default:
        state = Math.round(64 * grassGreenness(ctx, tPhase));
    }
    const slot = k * STATES + state;
    const base = slot * BAND_COUNT;
    if (!filled[slot]) {
      setMixture(k, state, ctx.drySummer);
      for (let b = 0; b < BAND_COUNT; b++) {
        let r = 0;
        for (let m = 0; m < mixCount; m++) r += MIX_F[m] * SPECTRUM[MIX_E[m] * BAND_COUNT + b];
        cache[base + b] = r;
      }
      filled[slot] = 1;
    }
    const shaded = k !== KIND.LAKE && k !== KIND.RIVER;

    // Terrain illumination: direct light scales with the cosine of the local incidence angle, diffuse does not.
    let light = 1;
    if (shaded) {
      const nx = -gx[p], ny = -gy[p];
      const cosI = (nx * sx + ny * sy + sz) / Math.sqrt(nx * nx + ny * ny + 1);
      light = clamp(0.35 + 0.65 * Math.max(cosI, 0) / sz, 0.15, 1.8);
    }

    // Seasonal snow: full cover on open land, partly hidden by tree crowns; lakes freeze over in hard frost.
    let sf = smoothstep(1.5, -2.5, t + 1.2 * snowNoise[p]);
    if (k === KIND.LAKE || k === KIND.RIVER) sf = k === KIND.LAKE ? smoothstep(-3, -7, t) : 0;
    else if (k === KIND.CONIFER || k === KIND.EVERGREEN_BROADLEAF) sf *= 0.35;
    else if (k === KIND.DECIDUOUS || k === KIND.HEDGE) sf *= 0.65;
    else if (k === KIND.BUILT) sf *= 0.6;
    else if (k === KIND.GLACIER) sf = Math.max(sf, 0.3);
    snow[p] = sf;

    const scale = tone[p] * light;
    if (sf > 0) {
      const snowLight = sf * (0.9 + 0.1 * light);
      for (let b = 0; b < BAND_COUNT; b++) refl[b][p] = cache[base + b] * scale * (1 - sf) + snowLight * SNOW_SPECTRUM[b];
    } else {
      for (let b = 0; b < BAND_COUNT; b++) refl[b][p] = cache[base + b] * scale;
    }
  }

  const cloudMask = applyClouds(scene, sky, refl);

  const bands = {} as Record<S2Band, Uint16Array>;
  const noise = new SampleNoise(rng);
  S2_BANDS.forEach((band, b) => {
    const factor = S2_BAND_GSD[band] / 10;
    const native = downsample(refl[b], N, factor);
    const out = new Uint16Array(native.length);
    for (let i = 0; i < native.length; i++) {
      const r = native[i];
      const dn = Math.round((r + (0.0015 + 0.008 * r) * NORMAL_TABLE[noise.index()]) * 10000);
      out[i] = dn < 1 ? 1 : dn > 65535 ? 65535 : dn;
    }
    bands[band] = out;
  });
  return { bands, cloudMask, snow };
}
