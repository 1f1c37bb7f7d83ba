/**
 * Names, colours and units the map and the inspector show next to the data layer's codes.
 */
import { KOPPEN_CLASSES, WORLDCOVER_CLASSES, type Era5Variable } from '../../core/data/modalities';

/**
 * Köppen–Geiger descriptions and legend colours of Beck et al. (2018, Sci. Data 5:180214), in their numbering
 * (1..30, the numbering of ben-ge's `climatezone` column).
 */
const KOPPEN_LEGEND: readonly [string, [number, number, number]][] = [
  ['Tropical, rainforest', [0, 0, 255]],
  ['Tropical, monsoon', [0, 120, 255]],
  ['Tropical, savannah', [70, 170, 250]],
  ['Arid, desert, hot', [255, 0, 0]],
  ['Arid, desert, cold', [255, 150, 150]],
  ['Arid, steppe, hot', [245, 165, 0]],
  ['Arid, steppe, cold', [255, 220, 100]],
  ['Temperate, dry summer, hot summer', [255, 255, 0]],
  ['Temperate, dry summer, warm summer', [200, 200, 0]],
  ['Temperate, dry summer, cold summer', [150, 150, 0]],
  ['Temperate, dry winter, hot summer', [150, 255, 150]],
  ['Temperate, dry winter, warm summer', [100, 200, 100]],
  ['Temperate, dry winter, cold summer', [50, 150, 50]],
  ['Temperate, no dry season, hot summer', [200, 255, 80]],
  ['Temperate, no dry season, warm summer', [100, 255, 80]],
  ['Temperate, no dry season, cold summer', [50, 200, 0]],
  ['Cold, dry summer, hot summer', [255, 0, 255]],
  ['Cold, dry summer, warm summer', [200, 0, 200]],
  ['Cold, dry summer, cold summer', [150, 50, 150]],
  ['Cold, dry summer, very cold winter', [150, 100, 150]],
  ['Cold, dry winter, hot summer', [170, 175, 255]],
  ['Cold, dry winter, warm summer', [90, 120, 220]],
  ['Cold, dry winter, cold summer', [75, 80, 180]],
  ['Cold, dry winter, very cold winter', [50, 0, 135]],
  ['Cold, no dry season, hot summer', [0, 255, 255]],
  ['Cold, no dry season, warm summer', [55, 200, 255]],
  ['Cold, no dry season, cold summer', [0, 125, 125]],
  ['Cold, no dry season, very cold winter', [0, 70, 95]],
  ['Polar, tundra', [178, 178, 178]],
  ['Polar, frost', [102, 102, 102]],
];

const hex = (rgb: readonly number[]): string => `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`;

export interface ClimateZoneInfo {
  code: number;
  name: string;
  description: string;
  color: string;
}

export const CLIMATE_ZONES: readonly ClimateZoneInfo[] = KOPPEN_CLASSES.map((name, i) => ({
  code: i + 1,
  name,
  description: KOPPEN_LEGEND[i][0],
  color: hex(KOPPEN_LEGEND[i][1]),
}));

/** ben-ge codes a patch over water as 0: no Köppen zone. */
export const NO_CLIMATE_ZONE: ClimateZoneInfo = { code: 0, name: 'none', description: 'No climate zone (water)', color: '#ffffff' };

export function climateZone(code: number | undefined): ClimateZoneInfo | null {
  if (code === undefined || !Number.isInteger(code)) return null;
  if (code === 0) return NO_CLIMATE_ZONE;
  return CLIMATE_ZONES[code - 1] ?? null;
}

export interface LandCoverInfo {
  index: number;
  code: number;
  name: string;
  color: string;
}

export const LAND_COVER_CLASSES: readonly LandCoverInfo[] = WORLDCOVER_CLASSES.map((c, index) => ({ index, code: c.code, name: c.name, color: c.color }));

/** Units of ben-ge's ERA-5 columns (pressure level of the patch's mean elevation, 2 m temperature, 10 m wind). */
export const ERA5_UNITS: Record<Era5Variable, string> = {
  atmpressure_level: 'hPa',
  temperature_s2: 'K',
  temperature_s1: 'K',
  'wind-u_s2': 'm/s',
  'wind-u_s1': 'm/s',
  'wind-v_s2': 'm/s',
  'wind-v_s1': 'm/s',
  relhumidity_s2: '%',
  relhumidity_s1: '%',
};

export type SeasonName = 'winter' | 'spring' | 'summer' | 'autumn';
const NORTH: readonly SeasonName[] = ['winter', 'winter', 'spring', 'spring', 'spring', 'summer', 'summer', 'summer', 'autumn', 'autumn', 'autumn', 'winter'];
const FLIP: Record<SeasonName, SeasonName> = { winter: 'summer', spring: 'autumn', summer: 'winter', autumn: 'spring' };

/** Meteorological season (DJF winter, MAM spring, ...) of a date; flipped in the southern hemisphere. */
export function seasonName(date: Date, lat: number | undefined): SeasonName {
  const s = NORTH[date.getUTCMonth()];
  return lat !== undefined && lat < 0 ? FLIP[s] : s;
}
