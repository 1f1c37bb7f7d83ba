import { describe, expect, it } from 'vitest';
import { splitAtAntimeridian, unwrapRing } from '../../../src-renderer/src/lib/map/antimeridian';
import { formatLat, formatLon, formatScale, formatUtm, normaliseLon } from '../../../src-renderer/src/lib/format/geo';
import { toUtm, utmZoneOf, wgs84UtmDefinition } from '../../../src-renderer/src/lib/map/crs';
import { footprintRing, squareBoundsAround } from '../../../src-renderer/src/lib/map/patches/footprint';
import { toLonLat } from 'ol/proj';
import { formatViewHash, parseViewHash } from '../../../src-renderer/src/lib/map/view-hash';

/** The renderer shell's pure helpers (no browser needed): antimeridian, coordinate text, view hash, UTM, footprints. */

describe('antimeridian helpers', () => {
  it('unwraps a ring that crosses +180°, so it no longer spans the whole world', () => {
    // A small island straddling the antimeridian as Natural Earth stores it: 179 → -179 → back.
    const ring = [
      [179, 10],
      [-179, 10],
      [-179, 11],
      [179, 11],
      [179, 10],
    ];
    const out = unwrapRing(ring);
    const lons = out.map((p) => p[0]);
    expect(Math.max(...lons) - Math.min(...lons)).toBe(2);
    expect(out[1]).toEqual([181, 10]);
    expect(out[0]).toEqual(out[out.length - 1]);
  });

  it('keeps a ring around a pole (it does not close when unwrapped) and rings without jumps', () => {
    const polar = [
      [-180, -80],
      [0, -70],
      [180, -80],
      [180, -90],
      [-180, -90],
      [-180, -80],
    ];
    expect(unwrapRing(polar)).toBe(polar);
    const plain = [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 0],
    ];
    expect(unwrapRing(plain)).toBe(plain);
  });

  it('splits lines at jumps and drops seams that run along the cut', () => {
    const line = [
      [170, 60],
      [179.9, 65],
      [-180, 65.1], // jump
      [-175, 66],
      [-180, 67],
      [-180, 68], // seam along the cut
      [-178, 69],
    ];
    expect(splitAtAntimeridian(line)).toEqual([
      [
        [170, 60],
        [179.9, 65],
      ],
      [
        [-180, 65.1],
        [-175, 66],
        [-180, 67],
      ],
      [
        [-180, 68],
        [-178, 69],
      ],
    ]);
    expect(splitAtAntimeridian([[1, 1]])).toEqual([]);
  });
});

describe('coordinate and scale text', () => {
  it('folds longitudes into [-180, 180) and writes hemispheres', () => {
    expect(normaliseLon(190)).toBe(-170);
    expect(normaliseLon(-190)).toBe(170);
    expect(normaliseLon(540)).toBe(-180);
    expect(normaliseLon(-0)).toBe(0);
    expect(formatLon(-3.5, 2)).toBe('3.50° W');
    expect(formatLon(370, 1)).toBe('10.0° E');
    expect(formatLat(-33.25, 2)).toBe('33.25° S');
    expect(formatLat(51.3, 1)).toBe('51.3° N');
  });

  it('rounds scales to three significant digits with grouped thousands', () => {
    expect(formatScale(23_812_345)).toBe('1:23\u2009800\u2009000');
    expect(formatScale(999.4)).toBe('1:999');
    expect(formatScale(12.6)).toBe('1:13');
    expect(formatScale(0)).toBe('–');
    expect(formatScale(Number.NaN)).toBe('–');
  });
});

describe('view in the address', () => {
  it('round-trips zoom, lat and lon', () => {
    const hash = formatViewHash({ center: [-3.70379, 40.41678], zoom: 7.25 });
    expect(hash).toBe('#map=7.25/40.41678/-3.70379');
    expect(parseViewHash(hash)).toEqual({ center: [-3.70379, 40.41678], zoom: 7.25 });
  });

  it('ignores missing, malformed and out-of-range views', () => {
    expect(parseViewHash('')).toBeNull();
    expect(parseViewHash('#map=4/50')).toBeNull();
    expect(parseViewHash('#map=four/50/12')).toBeNull();
    expect(parseViewHash('#map=30/50/12')).toBeNull();
    expect(parseViewHash('#map=4/89/12')).toBeNull();
    expect(parseViewHash('#map=4/50/181')).toBeNull();
    expect(parseViewHash('#layers=x&map=4/50/12')).toEqual({ center: [12, 50], zoom: 4 });
  });
});

describe('UTM', () => {
  it('finds zones, including the Norway and Svalbard exceptions', () => {
    expect(utmZoneOf(-180, 0)).toBe(1);
    expect(utmZoneOf(179.9, 0)).toBe(60);
    expect(utmZoneOf(9, 51)).toBe(32);
    expect(utmZoneOf(5, 60)).toBe(32); // Bergen: zone 31 by longitude, 32 by the exception
    expect(utmZoneOf(5, 50)).toBe(31);
    expect(utmZoneOf(15, 78)).toBe(33); // Svalbard
    expect(utmZoneOf(-3.7, 40.4)).toBe(30);
  });

  it('projects onto the zone: 500 000 m east on the central meridian, 0 m north on the equator', () => {
    const cm = toUtm(9, 51);
    expect(cm?.epsg).toBe(32632);
    expect(cm!.easting).toBeCloseTo(500_000, 3);
    // Northing on the central meridian is 0.9996 times the meridian arc, 5 649 824 m at 51° N on WGS 84.
    expect(Math.abs(cm!.northing - 5_649_824)).toBeLessThan(2);
    const eq = toUtm(3, 0);
    expect(eq!.northing).toBeCloseTo(0, 3);
    expect(eq!.easting).toBeCloseTo(500_000, 3);
    const south = toUtm(-58.38, -34.6); // Buenos Aires, zone 21 S: false northing 10 000 km
    expect(south?.epsg).toBe(32721);
    expect(south!.northing).toBeGreaterThan(6_000_000);
    expect(south!.northing).toBeLessThan(10_000_000);
    expect(toUtm(0, 85)).toBeNull();
  });

  it('builds proj4 definitions only for WGS 84 UTM codes and writes grid references', () => {
    expect(wgs84UtmDefinition(32733)).toBe('+proj=utm +zone=33 +south +datum=WGS84 +units=m +no_defs');
    expect(wgs84UtmDefinition(3035)).toBeUndefined();
    expect(formatUtm(32, false, 512_345.4, 5_678_901.6)).toBe('32N 512\u2009345 E 5\u2009678\u2009902 N');
  });
});

describe('patch footprints', () => {
  const A = 6378137;
  const E2 = 0.00669437999014;

  /** Ground distance in metres between two nearby Web Mercator points, on the WGS 84 ellipsoid. */
  function groundMetres(a: number[], b: number[]): number {
    const [lonA, latA] = toLonLat(a);
    const [lonB, latB] = toLonLat(b);
    const phi = (((latA + latB) / 2) * Math.PI) / 180;
    const w = Math.sqrt(1 - E2 * Math.sin(phi) ** 2);
    const meridional = (A * (1 - E2)) / w ** 3;
    const normal = A / w;
    const dNorth = (((latB - latA) * Math.PI) / 180) * meridional;
    const dEast = (((lonB - lonA) * Math.PI) / 180) * normal * Math.cos(phi);
    return Math.hypot(dNorth, dEast);
  }

  it('draws a 1.2 km UTM patch as a closed ring of 1.2 km sides in Web Mercator', () => {
    const bounds = squareBoundsAround(10.5, 51.3, 1200, 32632);
    expect(bounds[2] - bounds[0]).toBeCloseTo(1200, 6);
    const ring = footprintRing(bounds, 'EPSG:32632', 'EPSG:3857');
    expect(ring).toHaveLength(5);
    expect(ring[4]).toEqual(ring[0]);
    for (let i = 0; i < 4; i++) {
      // UTM's scale factor is within 0.04 % of 1 this close to the central meridian: under half a metre here.
      expect(Math.abs(groundMetres(ring[i], ring[i + 1]) - 1200)).toBeLessThan(1);
    }
    // Top-left is north-west of bottom-right.
    expect(ring[0][0]).toBeLessThan(ring[2][0]);
    expect(ring[0][1]).toBeGreaterThan(ring[2][1]);
  });

  it('is turned by the grid convergence away from the central meridian', () => {
    // 12° E in zone 32 (central meridian 9° E) at 51° N: grid and true north differ by atan(tan 3° · sin 51°).
    const ring = footprintRing(squareBoundsAround(12, 51, 1200, 32632), 'EPSG:32632', 'EPSG:3857');
    const angle = (Math.atan2(ring[1][1] - ring[0][1], ring[1][0] - ring[0][0]) * 180) / Math.PI;
    const convergence = (Math.atan(Math.tan((3 * Math.PI) / 180) * Math.sin((51 * Math.PI) / 180)) * 180) / Math.PI;
    expect(Math.abs(angle + convergence)).toBeLessThan(0.05);
  });
});
