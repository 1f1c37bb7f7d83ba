import { fromLonLat } from 'ol/proj';
import { describe, expect, it } from 'vitest';
import { decodeIndex, extentOf, mercatorX, mercatorY } from '../../../src-renderer/src/lib/patches/columns';
import { indexOf, ROWS } from './helpers';

describe('index columns', () => {
  it('decodes every packed column with its type and length', () => {
    const cols = decodeIndex(indexOf(ROWS));
    expect(cols.count).toBe(6);
    expect(cols.ids).toEqual(ROWS.ids);
    expect(cols.lon).toBeInstanceOf(Float32Array);
    expect(Array.from(cols.split)).toEqual(ROWS.split);
    expect(Array.from(cols.lulc)).toEqual(ROWS.lulc);
    expect(Array.from(cols.climatezone)).toEqual(ROWS.climatezone);
    expect(Array.from(cols.modalities)).toEqual(ROWS.modalities);
    expect(cols.season[3]).toBeNaN();
    expect(cols.crs).toEqual([32632]);
    expect(cols.placed).toBe(5);
  });

  it('projects centres like OpenLayers (EPSG:3857) and leaves unplaced patches NaN', () => {
    const cols = decodeIndex(indexOf(ROWS));
    for (const i of [0, 2, 3, 5]) {
      const [x, y] = fromLonLat([cols.lon[i], cols.lat[i]]);
      expect(cols.x[i]).toBeCloseTo(x, 6);
      expect(cols.y[i]).toBeCloseTo(y, 6);
    }
    expect(cols.x[4]).toBeNaN();
    expect(cols.y[4]).toBeNaN();
    // Web Mercator's square world: latitudes beyond ±85.05° are clamped, not infinite.
    expect(Number.isFinite(mercatorY(90))).toBe(true);
    expect(mercatorY(90)).toBeCloseTo(20037508.34, 1);
    expect(mercatorX(180)).toBeCloseTo(20037508.34, 1);
  });

  it('refuses a column of the wrong type or length', () => {
    const bad = indexOf(ROWS);
    expect(() => decodeIndex({ ...bad, split: indexOf({ ...ROWS, split: [0, 0, 0] }).split })).toThrow(/split/);
    expect(() => decodeIndex({ ...bad, lon: bad.split })).toThrow(/lon/);
  });

  it('finds the extent of all patches or of some, skipping unplaced ones', () => {
    const cols = decodeIndex(indexOf(ROWS));
    const all = extentOf(cols)!;
    expect(all[0]).toBeCloseTo(mercatorX(2.5), 3);
    expect(all[2]).toBeCloseTo(mercatorX(10.51), 0);
    expect(all[1]).toBeCloseTo(mercatorY(46.6), 0);
    expect(all[3]).toBeCloseTo(mercatorY(51.3), 0);
    expect(extentOf(cols, [3])).toEqual([cols.x[3], cols.y[3], cols.x[3], cols.y[3]]);
    expect(extentOf(cols, [4])).toBeNull();
  });
});
