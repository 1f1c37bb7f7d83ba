/**
 * Where the synthetic patches live: Sentinel-2 / MGRS tiles at real places in Europe, each with a landscape regime.
 * Patches sit on BigEarthNet's grid: a tile's 100 km MGRS square has its origin at the square's west edge and north
 * edge (e.g. 33UUP -> (300000, 5400000) in EPSG:32633, as in the real BigEarthNet patches), and patch (col, row) is
 * the 1200 m square with upper-left corner (ulx + 1200*col, uly - 1200*row), col/row 0..90.
 */
import proj4 from 'proj4';
import type { ClimateSpec } from './climate';

export type RegimeName =
  | 'mediterranean' | 'semiarid' | 'atlantic' | 'continental' | 'pannonian' | 'boreal' | 'subarctic' | 'alpine';

/** Crop rotation shares for a region's arable fields. */
export interface CropMix {
  winterCereal: number;
  summerCrop: number;
  rapeseed: number;
  /** Permanent tree crops (olive groves, orchards, vineyards): sparse evergreen canopy over soil. */
  orchard: number;
  fallow: number;
}

export interface Regime {
  name: RegimeName;
  climate: ClimateSpec;
  terrain: {
    /** Typical lowland altitude (m). */
    base: number;
    /** Relief amplitude (m). */
    relief: number;
    /** Mountain terrain: ridged noise (sharp crests, broad valleys). */
    ridged: boolean;
    /** Width of the valley a river carves on each side (m). */
    valleyWidth: number;
    /** Longest terrain wavelength (m). */
    wavelength: number;
  };
  landuse: {
    /** Fraction of lowland under agriculture (fields). */
    agriculture: number;
    /** Fraction under forest. */
    forest: number;
    /** Share of agricultural parcels that are pasture/meadow (WorldCover grassland). */
    pasture: number;
    /** Natural open land: share of shrubland (rest grassland, or bare in dry regions). */
    shrub: number;
    /** Natural open land: share of bare / sparse vegetation. */
    bare: number;
    /** Share of coniferous trees in forests. */
    conifer: number;
    /** Share of evergreen broadleaf trees (holm oak, cork oak) in forests. */
    evergreenBroadleaf: number;
    /** Field parcel width and length (m). */
    fieldWidth: number;
    fieldLength: number;
    /** Probability that a field edge carries a hedgerow or tree line. */
    hedgerows: number;
    /** Herbaceous wetland share in flat lowland (bogs, fens). */
    wetland: number;
    crops: CropMix;
  };
  water: {
    rivers: number;
    /** Width of the main river (m). */
    mainRiverWidth: number;
    /** Lake lattice: cell size (m), probability of a lake per cell, radius range (m). */
    lakeCell: number;
    lakeChance: number;
    lakeRadius: [number, number];
  };
  towns: { cell: number; chance: number; radius: [number, number] };
  weather: {
    /** Relative humidity (%) at the daily mean temperature in summer and in winter. */
    rhSummer: number;
    rhWinter: number;
    /** Mean 10 m wind (m/s) eastward and northward; standard deviation of daily wind components. */
    windU: number;
    windV: number;
    windSd: number;
  };
}

const noCrops: CropMix = { winterCereal: 0, summerCrop: 0, rapeseed: 0, orchard: 0, fallow: 1 };

export const REGIMES: Record<RegimeName, Regime> = {
  mediterranean: {
    name: 'mediterranean',
    climate: { tOffset: 2, amplitude: 7.5, diurnal: 5.5, drySummer: true },
    terrain: { base: 120, relief: 320, ridged: false, valleyWidth: 500, wavelength: 16000 },
    landuse: {
      agriculture: 0.5, forest: 0.2, pasture: 0.1, shrub: 0.6, bare: 0.15, conifer: 0.35, evergreenBroadleaf: 0.5,
      fieldWidth: 180, fieldLength: 320, hedgerows: 0.05, wetland: 0,
      crops: { winterCereal: 0.45, summerCrop: 0.1, rapeseed: 0, orchard: 0.35, fallow: 0.1 },
    },
    water: { rivers: 6, mainRiverWidth: 40, lakeCell: 9000, lakeChance: 0.25, lakeRadius: [150, 700] },
    towns: { cell: 4500, chance: 0.6, radius: [312, 1560] },
    weather: { rhSummer: 52, rhWinter: 76, windU: 0.5, windV: -0.5, windSd: 3 },
  },
  semiarid: {
    name: 'semiarid',
    climate: { tOffset: 2.5, amplitude: 8, diurnal: 6.5, drySummer: true, aridBelowM: 900 },
    terrain: { base: 350, relief: 420, ridged: false, valleyWidth: 400, wavelength: 14000 },
    landuse: {
      agriculture: 0.35, forest: 0.08, pasture: 0, shrub: 0.55, bare: 0.4, conifer: 0.8, evergreenBroadleaf: 0.2,
      fieldWidth: 200, fieldLength: 300, hedgerows: 0, wetland: 0,
      crops: { winterCereal: 0.3, summerCrop: 0.1, rapeseed: 0, orchard: 0.45, fallow: 0.15 },
    },
    water: { rivers: 3, mainRiverWidth: 20, lakeCell: 12000, lakeChance: 0.15, lakeRadius: [120, 500] },
    towns: { cell: 5000, chance: 0.55, radius: [312, 1300] },
    weather: { rhSummer: 45, rhWinter: 68, windU: 0.5, windV: 0, windSd: 3 },
  },
  atlantic: {
    name: 'atlantic',
    climate: { tOffset: 2.2, amplitude: 5, diurnal: 3.5, drySummer: false },
    terrain: { base: 80, relief: 110, ridged: false, valleyWidth: 350, wavelength: 18000 },
    landuse: {
      agriculture: 0.72, forest: 0.14, pasture: 0.55, shrub: 0.3, bare: 0.02, conifer: 0.45, evergreenBroadleaf: 0,
      fieldWidth: 140, fieldLength: 220, hedgerows: 0.55, wetland: 0.06,
      crops: { winterCereal: 0.45, summerCrop: 0.3, rapeseed: 0.15, orchard: 0, fallow: 0.1 },
    },
    water: { rivers: 10, mainRiverWidth: 45, lakeCell: 6000, lakeChance: 0.3, lakeRadius: [120, 800] },
    towns: { cell: 4000, chance: 0.65, radius: [250, 1430] },
    weather: { rhSummer: 76, rhWinter: 88, windU: 4, windV: 0.8, windSd: 3.5 },
  },
  continental: {
    name: 'continental',
    climate: { tOffset: 0, amplitude: 10, diurnal: 5, drySummer: false },
    terrain: { base: 300, relief: 180, ridged: false, valleyWidth: 450, wavelength: 16000 },
    landuse: {
      agriculture: 0.55, forest: 0.35, pasture: 0.25, shrub: 0.15, bare: 0.01, conifer: 0.55, evergreenBroadleaf: 0,
      fieldWidth: 90, fieldLength: 450, hedgerows: 0.12, wetland: 0.02,
      crops: { winterCereal: 0.45, summerCrop: 0.3, rapeseed: 0.15, orchard: 0.02, fallow: 0.08 },
    },
    water: { rivers: 10, mainRiverWidth: 60, lakeCell: 7000, lakeChance: 0.3, lakeRadius: [100, 600] },
    towns: { cell: 4000, chance: 0.65, radius: [250, 1560] },
    weather: { rhSummer: 68, rhWinter: 84, windU: 2, windV: 0.3, windSd: 2.5 },
  },
  pannonian: {
    name: 'pannonian',
    climate: { tOffset: 0.8, amplitude: 11, diurnal: 6, drySummer: false },
    terrain: { base: 90, relief: 35, ridged: false, valleyWidth: 200, wavelength: 20000 },
    landuse: {
      agriculture: 0.85, forest: 0.08, pasture: 0.08, shrub: 0.2, bare: 0.01, conifer: 0.1, evergreenBroadleaf: 0,
      fieldWidth: 250, fieldLength: 700, hedgerows: 0.08, wetland: 0.03,
      crops: { winterCereal: 0.4, summerCrop: 0.45, rapeseed: 0.08, orchard: 0.02, fallow: 0.05 },
    },
    water: { rivers: 6, mainRiverWidth: 110, lakeCell: 9000, lakeChance: 0.2, lakeRadius: [100, 500] },
    towns: { cell: 5000, chance: 0.7, radius: [375, 1690] },
    weather: { rhSummer: 62, rhWinter: 84, windU: 1, windV: -0.5, windSd: 2.5 },
  },
  boreal: {
    name: 'boreal',
    climate: { tOffset: 1, amplitude: 12, diurnal: 4.5, drySummer: false },
    terrain: { base: 130, relief: 70, ridged: false, valleyWidth: 250, wavelength: 12000 },
    landuse: {
      agriculture: 0.12, forest: 0.85, pasture: 0.35, shrub: 0.3, bare: 0.02, conifer: 0.82, evergreenBroadleaf: 0,
      fieldWidth: 120, fieldLength: 300, hedgerows: 0.05, wetland: 0.12,
      crops: { winterCereal: 0.15, summerCrop: 0.45, rapeseed: 0.1, orchard: 0, fallow: 0.3 },
    },
    water: { rivers: 6, mainRiverWidth: 50, lakeCell: 2200, lakeChance: 0.55, lakeRadius: [120, 1300] },
    towns: { cell: 7000, chance: 0.45, radius: [250, 1170] },
    weather: { rhSummer: 72, rhWinter: 88, windU: 2, windV: 0.5, windSd: 2.5 },
  },
  subarctic: {
    name: 'subarctic',
    climate: { tOffset: 1.5, amplitude: 12.5, diurnal: 4, drySummer: false },
    terrain: { base: 230, relief: 230, ridged: false, valleyWidth: 500, wavelength: 14000 },
    landuse: {
      agriculture: 0.02, forest: 0.75, pasture: 0.5, shrub: 0.5, bare: 0.05, conifer: 0.75, evergreenBroadleaf: 0,
      fieldWidth: 120, fieldLength: 250, hedgerows: 0, wetland: 0.18,
      crops: { ...noCrops, summerCrop: 0.3, fallow: 0.7 },
    },
    water: { rivers: 6, mainRiverWidth: 60, lakeCell: 3000, lakeChance: 0.45, lakeRadius: [100, 900] },
    towns: { cell: 12000, chance: 0.35, radius: [250, 780] },
    weather: { rhSummer: 74, rhWinter: 86, windU: 1.5, windV: 0, windSd: 3 },
  },
  alpine: {
    name: 'alpine',
    climate: { tOffset: 1, amplitude: 10, diurnal: 5, drySummer: false },
    terrain: { base: 650, relief: 2900, ridged: true, valleyWidth: 1800, wavelength: 14000 },
    landuse: {
      agriculture: 0.3, forest: 0.55, pasture: 0.85, shrub: 0.25, bare: 0.05, conifer: 0.8, evergreenBroadleaf: 0,
      fieldWidth: 110, fieldLength: 220, hedgerows: 0.1, wetland: 0.02,
      crops: { winterCereal: 0.3, summerCrop: 0.4, rapeseed: 0.05, orchard: 0.1, fallow: 0.15 },
    },
    water: { rivers: 10, mainRiverWidth: 35, lakeCell: 8000, lakeChance: 0.25, lakeRadius: [150, 900] },
    towns: { cell: 4500, chance: 0.6, radius: [250, 1040] },
    weather: { rhSummer: 70, rhWinter: 78, windU: 1.5, windV: 0.5, windSd: 3 },
  },
};

export interface TileDef {
  /** MGRS tile name, e.g. "33UUP". */
  name: string;
  zone: number;
  epsg: number;
  /** Upper-left corner of the patch grid (m). */
  ulx: number;
  uly: number;
  regime: Regime;
  /** A place name for humans and logs. */
  place: string;
  /** Longitude/latitude of the tile's centre area (what the tile was chosen for). */
  lon: number;
  lat: number;
}

/** Patch grid of a tile: 91 x 91 patches of 1200 m (BigEarthNet cut 109.8 km tiles into 1.2 km squares). */
export const GRID_SIZE = 91;
export const PATCH_METERS = 1200;

const COLUMN_SETS = ['STUVWXYZ', 'ABCDEFGH', 'JKLMNPQR'];
const ROW_LETTERS = 'ABCDEFGHJKLMNPQRSTUV';
const BAND_LETTERS = 'CDEFGHJKLMNPQRSTUVWX';

export function utmProj(zone: number): string {
  return `+proj=utm +zone=${zone} +datum=WGS84 +units=m +no_defs`;
}

/** WGS84 <-> UTM converters per zone, built once (proj4 parses the definition on every string call). */
const converters = new Map<number, proj4.Converter>();
function utm(zone: number): proj4.Converter {
  let c = converters.get(zone);
  if (!c) {
    c = proj4('EPSG:4326', utmProj(zone));
    converters.set(zone, c);
  }
  return c;
}

/** MGRS 100 km square name (zone + latitude band + column letter + row letter) of a UTM position. */
export function mgrsName(zone: number, lat: number, easting: number, northing: number): string {
  const band = BAND_LETTERS[Math.max(0, Math.min(19, Math.floor((lat + 80) / 8)))];
  const col = COLUMN_SETS[zone % 3][Math.floor(easting / 100000) - 1];
  const rowIndex = (Math.floor(northing / 100000) + (zone % 2 === 0 ? 5 : 0)) % 20;
  return `${zone}${band}${col}${ROW_LETTERS[rowIndex]}`;
}

function defineTile(place: string, lon: number, lat: number, regime: RegimeName): TileDef {
  const zone = Math.floor((lon + 180) / 6) + 1;
  const [e, n] = utm(zone).forward([lon, lat]);
  const name = mgrsName(zone, lat, e, n);
  return {
    name, zone, epsg: 32600 + zone, place, lon, lat, regime: REGIMES[regime],
    ulx: Math.floor(e / 100000) * 100000,
    uly: (Math.floor(n / 100000) + 1) * 100000,
  };
}

/** The synthetic world: 17 tiles in UTM zones 29..35, from the Algarve to Lapland. */
export const TILES: readonly TileDef[] = [
  defineTile('Alentejo, Portugal', -8.2, 38.85, 'mediterranean'),
  defineTile('Andalusia, Spain', -4.6, 37.65, 'mediterranean'),
  defineTile('Murcia, Spain', -1.45, 37.95, 'semiarid'),
  defineTile('Tuscany, Italy', 11.3, 43.3, 'mediterranean'),
  defineTile('Thessaly, Greece', 22.3, 39.6, 'mediterranean'),
  defineTile('Midlands, Ireland', -7.8, 53.0, 'atlantic'),
  defineTile('Picardy, France', 3.2, 49.8, 'atlantic'),
  defineTile('Westphalia, Germany', 7.6, 51.9, 'atlantic'),
  defineTile('Upper Austria', 13.6, 48.2, 'continental'),
  defineTile('Masovia, Poland', 20.5, 52.2, 'continental'),
  defineTile('Vojvodina, Serbia', 20.0, 45.3, 'pannonian'),
  defineTile('Central Finland', 26.5, 62.3, 'boreal'),
  defineTile('Dalarna, Sweden', 15.5, 60.6, 'boreal'),
  defineTile('Lapland, Finland', 24.3, 67.9, 'subarctic'),
  defineTile('Bernese Alps, Switzerland', 8.0, 46.55, 'alpine'),
  defineTile('Hohe Tauern, Austria', 12.7, 47.1, 'alpine'),
  defineTile('Central Pyrenees', 1.0, 42.65, 'alpine'),
];

export function tileByName(name: string): TileDef {
  const t = TILES.find((x) => x.name === name);
  if (!t) throw new Error(`unknown synthetic tile '${name}' (known: ${TILES.map((x) => x.name).join(', ')})`);
  return t;
}

/** Upper-left corner (m) of patch (col, row) of a tile. */
export function patchOrigin(tile: TileDef, col: number, row: number): [number, number] {
  return [tile.ulx + col * PATCH_METERS, tile.uly - row * PATCH_METERS];
}

/** WGS84 lon/lat of a UTM point of the tile's zone. */
export function toLonLat(tile: TileDef, x: number, y: number): [number, number] {
  const [lon, lat] = utm(tile.zone).inverse([x, y]);
  return [lon, lat];
}

/** Grid (col, row) of the patch containing the tile's chosen centre point. */
export function centreCell(tile: TileDef): [number, number] {
  const [e, n] = utm(tile.zone).forward([tile.lon, tile.lat]);
  const col = Math.floor((e - tile.ulx) / PATCH_METERS);
  const row = Math.floor((tile.uly - n) / PATCH_METERS);
  return [Math.max(0, Math.min(GRID_SIZE - 1, col)), Math.max(0, Math.min(GRID_SIZE - 1, row))];
}
