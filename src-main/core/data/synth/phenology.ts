/**
 * Seasonal state of the vegetation, driven by the same climatology as ERA-5, the snow cover and the climate zone:
 * deciduous leaves and grass green up when the daily mean temperature passes ~5-11 °C, Mediterranean grass and
 * shrubs follow the wet winter half-year instead, and crops follow a calendar anchored on the spring date when the
 * local temperature passes 7 °C, but not before a latitude-dependent date (day length also drives crop growth, so
 * mild oceanic winters do not bring the harvest forward to June).
 */
import { smoothstep } from './stats';

export interface SeasonContext {
  /** Day of the year of the acquisition. */
  doy: number;
  /** Mediterranean regime: moisture-driven greenness. */
  drySummer: boolean;
  /** Daily mean temperature today at sea level (climatology + the day's anomaly), °C. */
  tSea: number;
  /** Change of the climatological temperature per day at this date, °C/day (for per-object phase shifts). */
  dTdDay: number;
  /** Day of the year when the spring temperature at the patch's mean altitude passes 7 °C (crop calendar). */
  anchor: number;
  /** Soil and vegetation moisture 0..1 (wet winters in the Mediterranean, wetter winters elsewhere). */
  moisture: number;
}

/** Leaf-on fraction of deciduous trees at local temperature t (°C). */
export function leafOn(t: number): number {
  return smoothstep(5, 11, t);
}

/** Greenness of grass, pasture and shrubs 0..1. */
export function grassGreenness(ctx: SeasonContext, t: number): number {
  if (ctx.drySummer) return 0.12 + 0.88 * ctx.moisture * smoothstep(-2, 6, t);
  return 0.3 + 0.7 * smoothstep(2, 10, t);
}

/** Fractions of green vegetation, dry vegetation (straw, stubble), soil and flowers of a crop field. */
export interface CropCover {
  green: number;
  dry: number;
  soil: number;
  flowers: number;
}

/** Days since the crop calendar anchor, wrapped to [-120, 245). */
export function cropStage(ctx: SeasonContext, phaseDays: number): number {
  let s = ctx.doy + phaseDays - ctx.anchor;
  s = ((s + 120) % 365 + 365) % 365 - 120;
  return s;
}

function ramp(x: number, x0: number, x1: number): number {
  return x <= x0 ? 0 : x >= x1 ? 1 : (x - x0) / (x1 - x0);
}

/** Winter cereal: sown in autumn, green in spring, ripe (straw) in early summer, stubble and ploughed soil after. */
export function winterCereal(s: number, out: CropCover): void {
  out.flowers = 0;
  if (s < 0) {
    // Winter: young plants, sparse cover (the autumn sowing is at s ~ 190..245, wrapped to -175..-120).
    out.green = 0.28; out.dry = 0.05; out.soil = 0.67;
  } else if (s < 50) {
    out.green = 0.28 + 0.67 * ramp(s, 0, 50); out.dry = 0.03; out.soil = 1 - out.green - out.dry;
  } else if (s < 85) {
    out.green = 0.95; out.dry = 0.03; out.soil = 0.02;
  } else if (s < 110) {
    const k = ramp(s, 85, 110);
    out.green = 0.95 * (1 - k); out.dry = 0.03 + 0.9 * k; out.soil = 1 - out.green - out.dry;
  } else if (s < 145) {
    out.green = 0.03; out.dry = 0.45; out.soil = 0.52; // stubble after harvest
  } else if (s < 195) {
    out.green = 0.02; out.dry = 0.08; out.soil = 0.9; // ploughed
  } else {
    out.green = 0.05 + 0.23 * ramp(s, 195, 245); out.dry = 0.05; out.soil = 1 - out.green - out.dry;
  }
}

/** Summer crop (maize, sunflower, beet): bare until late spring, green in high summer, harvested in autumn. */
export function summerCrop(s: number, out: CropCover): void {
  out.flowers = 0;
  if (s < 35 || s >= 185) {
    out.green = s >= 185 ? 0.02 : 0.03; out.dry = s >= 185 ? 0.3 : 0.07; out.soil = 1 - out.green - out.dry;
  } else if (s < 100) {
    out.green = 0.95 * ramp(s, 35, 100) ** 1.5; out.dry = 0.03; out.soil = 1 - out.green - out.dry;
  } else if (s < 140) {
    out.green = 0.95; out.dry = 0.03; out.soil = 0.02;
  } else {
    const k = ramp(s, 140, 175);
    out.green = 0.95 * (1 - k); out.dry = 0.03 + 0.85 * k; out.soil = 1 - out.green - out.dry;
  }
}

/** Winter rapeseed: like a cereal, with a yellow flowering period in spring. */
export function rapeseed(s: number, out: CropCover): void {
  winterCereal(s, out);
  if (s >= 22 && s < 46) {
    const k = 1 - Math.abs(s - 34) / 12;
    out.flowers = 0.75 * k;
    out.green = Math.max(0, out.green - out.flowers);
    out.soil = Math.max(0, 1 - out.green - out.dry - out.flowers);
  }
}

/** Greenness of an evergreen canopy under drought (Mediterranean summer) or cold. */
export function evergreenVigour(ctx: SeasonContext, t: number): number {
  return (ctx.drySummer ? 0.75 + 0.25 * ctx.moisture : 1) * (0.85 + 0.15 * smoothstep(-5, 5, t));
}
