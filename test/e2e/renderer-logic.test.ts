import { describe, expect, it } from 'vitest';
import { splitAtAntimeridian, unwrapRing } from '../../src-renderer/src/lib/map/antimeridian';
import { formatLat, formatLon, formatScale, normaliseLon } from '../../src-renderer/src/lib/format/geo';
import { formatViewHash, parseViewHash } from '../../src-renderer/src/lib/map/view-hash';

/**
 * The renderer's pure helpers (no browser needed). They live with the e2e tests because the renderer's tests are
 * kept in one place; they run in milliseconds.
 */

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
