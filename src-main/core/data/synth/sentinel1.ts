/**
 * Sentinel-1 IW GRD model (VV and VH, sigma nought in dB on the 10 m grid). Per material a mean backscatter at 35°
 * incidence with an incidence-angle slope, modulated by season (leaf-on canopy, crop growth, soil moisture, frozen
 * ground, wet snow), wind roughening of water (using the ERA-5 wind at the S1 time), terrain (slopes facing the
 * sensor are brighter) and multiplicative speckle (gamma distributed, equivalent number of looks ~4.4 as GRDH).
 * Clouds do not exist for a C-band radar, so nothing here depends on them.
 */
import type { Rng } from '../rng';
import { LAPSE_RATE } from './climate';
import { KIND, N, STEP, type Scene } from './landscape';
import { hashString, noiseGrid } from './noise';
import { cropStage, grassGreenness, leafOn, rapeseed, summerCrop, winterCereal, type CropCover, type SeasonContext } from './phenology';
import { clamp, SampleNoise, scratchF32, smoothstep, SPECKLE_DB_TABLE } from './stats';

export interface RadarGeometry {
  orbit: 'ascending' | 'descending';
  /** Incidence angle at the patch centre (degrees). */
  incidence: number;
  /** 10 m wind speed at the acquisition (m/s). */
  windSpeed: number;
  /** Instantaneous temperature at sea level at the S1 time (°C): decides wet vs dry snow. */
  tSeaNow: number;
}

export interface S1Result {
  vv: Float32Array;
  vh: Float32Array;
}

function lin(db: number): number {
  return Math.pow(10, db / 10);
}

const LIN_M8 = lin(-8), LIN_M8_5 = lin(-8.5), LIN_M10_5 = lin(-10.5), LIN_M12_5 = lin(-12.5);
const LIN_M14 = lin(-14), LIN_M16_5 = lin(-16.5), LIN_M19_5 = lin(-19.5);

/** Backscatter (dB at 35°) and incidence slope (dB/deg) per material, set per pixel by `material`. */
let VV = 0, VH = 0, SLOPE = 0;

function material(k: number, ctx: SeasonContext, t: number, phase: number, tone: number, crop: CropCover, wind: number): void {
  const m = ctx.moisture;
  switch (k) {
    case KIND.LAKE:
    case KIND.RIVER: {
      // Calm water reflects away from the sensor; capillary waves from wind raise the return.
      VV = Math.min(-25 + 1.1 * wind + (k === KIND.RIVER ? 1.5 : 0), -15.5);
      VH = Math.min(VV - 8, -23.5);
      SLOPE = -0.6;
      if (k === KIND.LAKE && t < -4) { VV = -17; VH = -25; SLOPE = -0.3; } // ice cover
      return;
    }
    case KIND.DECIDUOUS:
    case KIND.HEDGE: {
      const g = leafOn(t);
      VV = -8.6 + 1.1 * g; VH = -14.6 + 1.6 * g; SLOPE = -0.15;
      return;
    }
    case KIND.CONIFER:
      VV = -7.3; VH = -12.9; SLOPE = -0.12;
      return;
    case KIND.EVERGREEN_BROADLEAF:
      VV = -8; VH = -13.8; SLOPE = -0.14;
      return;
    case KIND.SHRUB:
      VV = -9.8 + m; VH = -16.5 + m; SLOPE = -0.2;
      return;
    case KIND.GRASS:
    case KIND.PASTURE:
    case KIND.URBAN_GREEN: {
      const g = grassGreenness(ctx, t);
      VV = -12.5 + 3 * m + 8 * (tone - 1); VH = -20 + 3 * g + m; SLOPE = -0.25;
      return;
    }
    case KIND.WINTER_CEREAL:
    case KIND.SUMMER_CROP:
    case KIND.RAPESEED:
    case KIND.FALLOW: {
      const s = cropStage(ctx, phase) - (k === KIND.SUMMER_CROP && ctx.drySummer ? 50 : 0);
      if (k === KIND.WINTER_CEREAL) winterCereal(s, crop);
      else if (k === KIND.SUMMER_CROP) summerCrop(s, crop);
      else if (k === KIND.RAPESEED) rapeseed(s, crop);
      else { const g = grassGreenness(ctx, t); crop.green = 0.5 * g; crop.dry = 0.25; crop.soil = 0.75 - 0.5 * g; crop.flowers = 0; }
      // Soil return depends on moisture and on the field's roughness (tillage); canopy adds volume scattering.
      const soilVV = -15 + 5 * m + 12 * (tone - 1);
      const veg = crop.green + crop.flowers;
      const soil = (1 - veg - crop.dry) * lin(soilVV);
      const maize = k === KIND.SUMMER_CROP;
      // Powers are mixed linearly (area fractions of soil, canopy and straw); VH of soil is 8 dB below VV.
      VV = 10 * Math.log10(soil + veg * (maize ? LIN_M8_5 : LIN_M10_5) + crop.dry * LIN_M12_5);
      VH = 10 * Math.log10(soil * LIN_M8 + veg * (maize ? LIN_M14 : LIN_M16_5) + crop.dry * LIN_M19_5);
      SLOPE = -0.25;
      return;
    }
    case KIND.ORCHARD:
      VV = -9.6 + m; VH = -16.2 + m; SLOPE = -0.2;
      return;
    case KIND.BUILT:
      // Double bounce between walls and ground: very bright when streets face the radar, varying block by block.
      VV = -4 + 11 * phase; VH = -12.5 + 5 * phase; SLOPE = -0.08;
      return;
    case KIND.ROCK:
      VV = -9.5; VH = -18.5; SLOPE = -0.3;
      return;
    case KIND.BARE_SOIL:
      VV = -14 + 4 * m + 10 * (tone - 1); VH = -22 + 3 * m; SLOPE = -0.3;
      return;
    case KIND.GLACIER:
      VV = -11.5; VH = -19.5; SLOPE = -0.2;
      return;
    case KIND.WETLAND: {
      const g = grassGreenness(ctx, t);
      VV = -13.5 + 2 * m; VH = -21.5 + 3 * g; SLOPE = -0.25;
      return;
    }
    case KIND.MOSS:
      VV = -12.5; VH = -20.5; SLOPE = -0.25;
      return;
    default:
      VV = -12; VH = -19; SLOPE = -0.2;
  }
}

/** `ctx` is the season at the S1 date (its `tSea` the daily mean temperature then). */
export function renderSentinel1(scene: Scene, ctx: SeasonContext, geo: RadarGeometry, seed: string, rng: Rng): S1Result {
  const P = N * N;
  const { kind, elev, tone, phase, gx } = scene;
  const vv = new Float32Array(P), vh = new Float32Array(P);
  const crop: CropCover = { green: 0, dry: 0, soil: 0, flowers: 0 };
  // Spatially correlated texture (crowns, furrows, soil moisture patterns) around the material means.
  const tex = scratchF32('s1-texture', P);
  noiseGrid(tex, N, scene.x0, scene.y0, STEP, { seed: hashString(`s1tex:${seed}`), wavelength: 60, octaves: 2, gain: 0.5 });
  // Right-looking radar: ascending passes look east, descending passes look west. The incidence angle grows
  // across the swath away from the track (about 17° over 250 km).
  const look = geo.orbit === 'ascending' ? 1 : -1;
  const thetaRate = (0.068 / 1000) * look;
  const xc = scene.x0 + (N / 2) * STEP;
  const noiseFloor = Math.pow(10, -2.7); // about -27 dB after thermal noise removal
  const speckle = new SampleNoise(rng);
  for (let p = 0; p < P; p++) {
    const k = kind[p];
    const t = ctx.tSea - LAPSE_RATE * elev[p];
    material(k, ctx, t, phase[p], tone[p], crop, geo.windSpeed);
    let dbVV = VV, dbVH = VH;
    const isWater = k === KIND.LAKE || k === KIND.RIVER;
    // Frozen ground: liquid water turns to ice, the dielectric constant drops and so does the backscatter.
    if (!isWater && t < -2 && k !== KIND.BUILT) { dbVV -= 2.5; dbVH -= 2; }
    // Wet snow absorbs C-band strongly; dry snow is nearly transparent.
    const snowCover = smoothstep(1.5, -2.5, t);
    const tNow = geo.tSeaNow - LAPSE_RATE * elev[p];
    if (!isWater && snowCover > 0 && tNow > -1) {
      const wet = snowCover * smoothstep(-1, 2, tNow) * (k === KIND.CONIFER ? 0.4 : 1);
      dbVV = dbVV * (1 - wet) + -19.5 * wet;
      dbVH = dbVH * (1 - wet) + -27 * wet;
    }
    if (k === KIND.GLACIER && tNow > 1) { dbVV -= 5; dbVH -= 5; } // melting surface
    const i = p % N;
    const theta = geo.incidence + (scene.x0 + i * STEP - xc) * thetaRate;
    // Local incidence: slopes tilted towards the sensor see it more steeply and return more energy.
    const facing = look === 1 ? -gx[p] : gx[p];
    const tilt = (Math.atan(facing) * 180) / Math.PI;
    const local = clamp(theta - tilt, 2, 88);
    const terrain = isWater ? 0 : -0.3 * (local - theta) + (local < 12 ? 5 : 0) - (local > 80 ? 10 : 0);
    const texAmp = k === KIND.CONIFER || k === KIND.DECIDUOUS || k === KIND.EVERGREEN_BROADLEAF ? 1.2 : 0.6;
    const common = SLOPE * (theta - 35) + terrain + texAmp * tex[p];
    // Speckle is multiplicative, i.e. additive in dB. Residual thermal noise (after GRD noise removal) adds a
    // little power that only matters for the darkest returns (calm water, radar shadow).
    let mvv = dbVV + common, mvh = dbVH + common;
    if (mvv < -20) mvv = 10 * Math.log10(lin(mvv) + 0.3 * noiseFloor);
    if (mvh < -24) mvh = 10 * Math.log10(lin(mvh) + 0.1 * noiseFloor);
    vv[p] = mvv + SPECKLE_DB_TABLE[speckle.index()];
    vh[p] = mvh + SPECKLE_DB_TABLE[speckle.index()];
  }
  return { vv, vh };
}
