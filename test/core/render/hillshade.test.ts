import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hillshade, renderHillshade } from '../../../src-main/core/render/hillshade';
import { pixelAt } from '../../../src-main/core/render/image';
import { renderLayer } from '../../../src-main/core/render/layers';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/hillshade-gdal.json', import.meta.url), 'utf8')) as {
  cases: { name: string; width: number; height: number; pixel: [number, number]; dem: number[]; gdal: number[] }[];
};

function plane(width: number, height: number, z: (row: number, col: number) => number): Float32Array {
  const out = new Float32Array(width * height);
  for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) out[r * width + c] = z(r, c);
  return out;
}

const PX = { x: 10, y: -10 };

describe('hillshade (Horn, sun at 315°/45°)', () => {
  it('a flat surface is lit at sin(45°)', () => {
    const shade = hillshade(plane(5, 5, () => 100), 5, 5, PX);
    // 1 + 254 * sin(45°) = 180.6
    expect(shade[12]).toBeCloseTo(1 + 254 * Math.SQRT1_2, 4);
  });

  it('a plane rising to the east faces the north-west sun and is brighter; rising to the west, darker', () => {
    const east = hillshade(plane(5, 5, (_, c) => c * 1), 5, 5, PX); // 1 m per 10 m: p = 0.1
    const west = hillshade(plane(5, 5, (_, c) => -c * 1), 5, 5, PX);
    const flat = 1 + 254 * Math.SQRT1_2;
    // cos i = (0.1 * sin45 * cos45 + sin45) / sqrt(1.01)
    const expected = 1 + 254 * ((0.1 * 0.5 + Math.SQRT1_2) / Math.sqrt(1.01));
    expect(east[12]).toBeCloseTo(expected, 4);
    expect(east[12]).toBeGreaterThan(flat);
    expect(west[12]).toBeLessThan(flat);
    // Border pixels are shaded like the interior on a plane (edge neighbours replicated would flatten them, so
    // only the interior is exact; the border must still be lit).
    expect(east[0]).toBeGreaterThan(1);
  });

  it('a slope facing south is darker than one facing north', () => {
    const risingNorth = hillshade(plane(5, 5, (r) => -r * 2), 5, 5, PX); // rows go south: z falls southward
    const risingSouth = hillshade(plane(5, 5, (r) => r * 2), 5, 5, PX);
    expect(risingNorth[12]).toBeLessThan(risingSouth[12]);
  });

  it('uses the pixel size from the transform', () => {
    const fine = hillshade(plane(5, 5, (_, c) => c), 5, 5, { x: 10, y: -10 });
    const coarse = hillshade(plane(5, 5, (_, c) => c), 5, 5, { x: 100, y: -100 });
    // Same height step over 10x the distance: nearly flat.
    expect(Math.abs(coarse[12] - (1 + 254 * Math.SQRT1_2))).toBeLessThan(Math.abs(fine[12] - (1 + 254 * Math.SQRT1_2)));
  });

  for (const c of fixture.cases) {
    it(`agrees with gdaldem hillshade on ${c.name} (interior pixels, within rounding)`, () => {
      const shade = hillshade(Float32Array.from(c.dem), c.width, c.height, { x: c.pixel[0], y: c.pixel[1] });
      let compared = 0;
      for (let r = 1; r < c.height - 1; r++) {
        for (let col = 1; col < c.width - 1; col++) {
          const k = r * c.width + col;
          // GDAL stores the float shade as a byte (rounded); we keep the float.
          expect(Math.abs(shade[k] - c.gdal[k])).toBeLessThanOrEqual(0.5 + 1e-3);
          compared++;
        }
      }
      expect(compared).toBe((c.width - 2) * (c.height - 2));
    });
  }

  it('renders grey, transparent where the DEM is NaN', () => {
    const dem = plane(4, 4, () => 50);
    dem[0] = NaN;
    const r = renderLayer('dem-hillshade', { width: 4, height: 4, dem, pixelSize: PX });
    expect(pixelAt(r.image, 0, 0)[3]).toBe(0);
    expect(pixelAt(r.image, 3, 3)).toEqual([181, 181, 181, 255]);
    expect(r.ranges).toEqual([[0, 255]]);
    const stretched = renderHillshade(hillshade(plane(4, 4, (_, col) => col * col), 4, 4, PX), 4, 4, { mode: 'minmax' });
    expect(stretched.range![0]).toBeLessThan(stretched.range![1]);
  });
});
