/**
 * Weather of an acquisition and the ERA-5 record of a patch. The day's anomalies (temperature, wind, humidity)
 * are drawn from a hash of (dataset seed, tile, acquisition time), so every patch of one acquisition shares the same
 * weather, as they would in a 30 km reanalysis cell; patches differ by their altitude and position.
 */
import type { Era5Variable } from '../modalities';
import {
  annualMean, dayOfYear, diurnalDeviation, localSolarHour, pressureLevel, seasonalTemperature, type ClimateSpec,
} from './climate';
import { hash3, hashString } from './noise';
import { clamp } from './stats';
import type { Regime } from './tiles';

export interface DayWeather {
  /** Temperature anomaly of the day (K), shared by the acquisition. */
  dT: number;
  /** 10 m wind (m/s). */
  windU: number;
  windV: number;
  /** Relative humidity anomaly (percentage points). */
  dRH: number;
}

/** Standard normal from two uniform hashes (Box–Muller). */
function gauss(seed: number, k: number): number {
  const u = 1 - hash3(seed, k, 0, 1);
  const v = hash3(seed, k, 0, 2);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function dayWeather(worldSeed: string, tileName: string, time: string, regime: Regime): DayWeather {
  const s = hashString(`${worldSeed}|weather|${tileName}|${time}`);
  const w = regime.weather;
  const month = new Date(time).getUTCMonth();
  const winter = month <= 1 || month >= 10 ? 1.3 : 1; // stronger winds in winter storms
  return {
    dT: 2.6 * gauss(s, 0),
    windU: (w.windU + w.windSd * gauss(s, 1)) * winter,
    windV: (w.windV + w.windSd * gauss(s, 2)) * winter,
    dRH: 7 * gauss(s, 3),
  };
}

/** The weather at one place and time: 2 m temperature (°C), relative humidity (%), wind. */
export interface LocalWeather {
  temperature: number;
  relhumidity: number;
  windU: number;
  windV: number;
}

export function localWeather(
  lat: number, lon: number, alt: number, time: Date, day: DayWeather, climate: ClimateSpec, regime: Regime,
): LocalWeather {
  const doy = dayOfYear(time);
  const daily = seasonalTemperature(lat, alt, doy, climate) + day.dT;
  const dev = diurnalDeviation(localSolarHour(time, lon), climate);
  // Relative humidity falls as the air warms during the day (about 3 %/K) and is lower in summer.
  const summerness = clamp((seasonalTemperature(lat, 0, doy, climate) - annualMean(lat, 0, climate)) / climate.amplitude, -1, 1);
  const rhBase = (regime.weather.rhSummer + regime.weather.rhWinter) / 2 - (summerness * (regime.weather.rhWinter - regime.weather.rhSummer)) / 2;
  const rh = clamp(rhBase - 3 * dev + day.dRH - 1.5 * day.dT, 12, 100);
  return { temperature: daily + dev, relhumidity: rh, windU: day.windU, windV: day.windV };
}

/**
 * ERA-5 record as in ben-ge: the pressure level at the patch's mean elevation (hPa), 2 m temperature in kelvin,
 * 10 m wind components (m/s) and relative humidity (%) at the S2 and S1 acquisition times.
 */
export function era5Record(meanAlt: number, s2: LocalWeather, s1: LocalWeather): Record<Era5Variable, number> {
  return {
    atmpressure_level: pressureLevel(meanAlt),
    temperature_s2: s2.temperature + 273.15,
    temperature_s1: s1.temperature + 273.15,
    'wind-u_s2': s2.windU,
    'wind-u_s1': s1.windU,
    'wind-v_s2': s2.windV,
    'wind-v_s1': s1.windV,
    relhumidity_s2: s2.relhumidity,
    relhumidity_s1: s1.relhumidity,
  };
}
