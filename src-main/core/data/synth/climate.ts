/**
 * A deliberately simple climatology that ties the synthetic modalities together: one annual temperature cycle per
 * place (sea-level mean from latitude plus a regional offset, a seasonal amplitude, a lapse rate with altitude). The
 * same model decides the Köppen–Geiger class (Beck et al. 2018 numbering), the ERA-5 temperatures, the snow cover,
 * the tree line, the permanent snow line and the vegetation phenology, so all of them agree with each other.
 */
import { KOPPEN_CLASSES } from '../modalities';

/** Temperature lapse rate in the free atmosphere near the ground, K per metre. */
export const LAPSE_RATE = 0.006;

export interface ClimateSpec {
  /** Added to the latitude-driven sea-level annual mean (°C): oceanic and Mediterranean coasts are warmer. */
  tOffset: number;
  /** Half the difference between warmest and coldest monthly mean (°C); larger inland. */
  amplitude: number;
  /** Half the diurnal range (°C). */
  diurnal: number;
  /** Mediterranean regime: dry summers (Köppen 's'), vegetation greening in the wet winter half-year. */
  drySummer: boolean;
  /** Semi-arid lowlands (Köppen 'BSk' below `aridBelowM`). */
  aridBelowM?: number;
}

/** Day of the year (1..366) of a UTC date. */
export function dayOfYear(d: Date): number {
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  return Math.floor((d.getTime() - start) / 86_400_000) + 1;
}

/**
 * ben-ge's seasonal encoding: the fractional year shifted by 9 days (so 21 June -> 0.5 and 22 December -> 0 or 1),
 * then sin(pi * f), giving 1 at the summer solstice and 0 at the winter solstice. Spring and autumn are not told
 * apart, exactly as in ben-ge.
 */
export function seasonEncoding(d: Date): number {
  const year = d.getUTCFullYear();
  const len = (Date.UTC(year + 1, 0, 1) - Date.UTC(year, 0, 1)) / 86_400_000;
  const frac = ((dayOfYear(d) - 1 + d.getUTCHours() / 24 + 9) / len) % 1;
  return Math.sin(Math.PI * frac);
}

/** Annual mean temperature at sea level (°C) for a latitude in Europe (fitted by eye to station climatologies). */
export function seaLevelMean(lat: number, spec: ClimateSpec): number {
  return 36 - 0.55 * lat + spec.tOffset;
}

/** Annual mean temperature (°C) at altitude `alt` metres. */
export function annualMean(lat: number, alt: number, spec: ClimateSpec): number {
  return seaLevelMean(lat, spec) - LAPSE_RATE * alt;
}

/** Climatological daily mean temperature (°C) on day `doy` at altitude `alt`; coldest around 20 January. */
export function seasonalTemperature(lat: number, alt: number, doy: number, spec: ClimateSpec): number {
  return annualMean(lat, alt, spec) - spec.amplitude * Math.cos((2 * Math.PI * (doy - 20)) / 365.25);
}

/** Warmest monthly mean (°C) at altitude `alt`. */
export function warmestMonth(lat: number, alt: number, spec: ClimateSpec): number {
  return annualMean(lat, alt, spec) + spec.amplitude;
}

/** Köppen–Geiger code 1..30 (index into KOPPEN_CLASSES + 1) for a place. */
export function koppenCode(lat: number, alt: number, spec: ClimateSpec): number {
  const mean = annualMean(lat, alt, spec);
  const hot = mean + spec.amplitude;
  const cold = mean - spec.amplitude;
  const monthly = Array.from({ length: 12 }, (_, m) => mean - spec.amplitude * Math.cos((2 * Math.PI * (m * 30.44 + 15 - 20)) / 365.25));
  const warmMonths = monthly.filter((t) => t >= 10).length;
  let name: string;
  if (hot < 10) {
    // EF (ice cap) does not occur in ben-ge's European patches (Beck's 1 km map), so it is reported as ET.
    name = 'ET';
  } else if (spec.aridBelowM !== undefined && alt < spec.aridBelowM && mean < 18) {
    name = 'BSk';
  } else {
    const group = cold > 0 ? 'C' : 'D';
    const precip = spec.drySummer ? 's' : 'f';
    const heat = hot >= 22 ? 'a' : warmMonths >= 4 ? 'b' : group === 'D' && cold < -38 ? 'd' : 'c';
    name = `${group}${precip}${heat}`;
  }
  const i = (KOPPEN_CLASSES as readonly string[]).indexOf(name);
  if (i < 0) throw new Error(`unexpected Köppen class ${name}`);
  return i + 1;
}

/** ISA surface pressure (hPa) at altitude `alt` metres. */
export function surfacePressure(alt: number): number {
  return 1013.25 * Math.pow(1 - 2.25577e-5 * alt, 5.25588);
}

/** ERA-5 pressure levels (hPa) from the surface up to 500 hPa. */
export const ERA5_LEVELS = [1000, 975, 950, 925, 900, 875, 850, 825, 800, 775, 750, 700, 650, 600, 550, 500] as const;

/** The ERA-5 pressure level nearest to the surface pressure at `alt` (ben-ge queried the level at the mean elevation). */
export function pressureLevel(alt: number): number {
  const p = surfacePressure(alt);
  let best: number = ERA5_LEVELS[0];
  for (const l of ERA5_LEVELS) if (Math.abs(l - p) < Math.abs(best - p)) best = l;
  return best;
}

/** Local mean solar hour (0..24) of a UTC time at longitude `lon`. */
export function localSolarHour(d: Date, lon: number): number {
  const h = d.getUTCHours() + d.getUTCMinutes() / 60 + d.getUTCSeconds() / 3600 + lon / 15;
  return ((h % 24) + 24) % 24;
}

/** Diurnal temperature deviation from the daily mean (°C): warmest at 15:00, coldest near dawn. */
export function diurnalDeviation(hour: number, spec: ClimateSpec): number {
  return spec.diurnal * Math.cos((2 * Math.PI * (hour - 15)) / 24);
}

/** Solar elevation angle (degrees) at a place and UTC time (declination + hour angle; good to a degree). */
export function solarElevation(d: Date, lat: number, lon: number): number {
  const doy = dayOfYear(d);
  const decl = (-23.44 * Math.cos((2 * Math.PI * (doy + 10)) / 365.25) * Math.PI) / 180;
  const hourAngle = ((localSolarHour(d, lon) - 12) * 15 * Math.PI) / 180;
  const phi = (lat * Math.PI) / 180;
  const s = Math.sin(phi) * Math.sin(decl) + Math.cos(phi) * Math.cos(decl) * Math.cos(hourAngle);
  return (Math.asin(Math.max(-1, Math.min(1, s))) * 180) / Math.PI;
}

/** Solar azimuth (degrees clockwise from north). */
export function solarAzimuth(d: Date, lat: number, lon: number): number {
  const doy = dayOfYear(d);
  const decl = (-23.44 * Math.cos((2 * Math.PI * (doy + 10)) / 365.25) * Math.PI) / 180;
  const hourAngle = ((localSolarHour(d, lon) - 12) * 15 * Math.PI) / 180;
  const phi = (lat * Math.PI) / 180;
  const az = Math.atan2(Math.sin(hourAngle), Math.cos(hourAngle) * Math.sin(phi) - Math.tan(decl) * Math.cos(phi));
  return ((az * 180) / Math.PI + 180 + 360) % 360;
}
