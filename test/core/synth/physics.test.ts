/**
 * Physical sanity of the synthetic patches, measured on generated pixels: the relations a model is supposed to
 * learn must be in the data (vegetation indices by season, class spectra and backscatter, snow with altitude and
 * latitude, clouds in S2 only, DEM under water and ice, climate zone and ERA-5 against altitude and season).
 */
import { describe, expect, it } from 'vitest';
import { KOPPEN_CLASSES } from '../../../src-main/core/data/modalities';
import { createRng } from '../../../src-main/core/data/rng';
import { seasonEncoding } from '../../../src-main/core/data/synth/climate';
import { KIND } from '../../../src-main/core/data/synth/landscape';
import { makePatchParams, synthesizePatch, type SynthPatch } from '../../../src-main/core/data/synth/patch';

function patch(tile: string, col: number, row: number, date: string, extra: Partial<Parameters<typeof makePatchParams>[0]> = {}): SynthPatch {
  const params = makePatchParams({ tile, date, col, row, ...extra });
  return synthesizePatch(params, createRng(`physics/${tile}/${col}/${row}/${date}`));
}

interface ClassStats { n: number; ndvi: number; nir: number; vis: number; vv: number; vh: number; dem: number }

/** Per-WorldCover-class means over cloud-free pixels. */
function classStats(patches: SynthPatch[]): Map<number, ClassStats> {
  const acc = new Map<number, ClassStats>();
  for (const p of patches) {
    for (let i = 0; i < 14400; i++) {
      const code = p.worldcover[i];
      if (code === 0 || p.cloudMask[i] !== 0) continue;
      let a = acc.get(code);
      if (!a) acc.set(code, (a = { n: 0, ndvi: 0, nir: 0, vis: 0, vv: 0, vh: 0, dem: 0 }));
      const red = p.s2.B04[i], nir = p.s2.B08[i];
      a.n++;
      a.ndvi += (nir - red) / (nir + red);
      a.nir += nir;
      a.vis += (p.s2.B02[i] + p.s2.B03[i] + p.s2.B04[i]) / 3;
      a.vv += p.s1.VV[i];
      a.vh += p.s1.VH[i];
      a.dem += p.dem[i];
    }
  }
  for (const a of acc.values()) {
    for (const k of ['ndvi', 'nir', 'vis', 'vv', 'vh', 'dem'] as const) a[k] /= a.n;
  }
  return acc;
}

const GRID: Array<[number, number]> = [[20, 30], [27, 39], [34, 48], [41, 57], [48, 66], [55, 30]];

describe('vegetation and season', () => {
  it('trees and crops are green in summer (mean NDVI > 0.5) and much less so in winter', () => {
    for (const tile of ['33UUP', '31UER']) {
      const summer = classStats(GRID.map(([c, r]) => patch(tile, c, r, '2017-06-25')));
      const winter = classStats(GRID.map(([c, r]) => patch(tile, c, r, '2018-01-20')));
      const veg = (s: Map<number, ClassStats>): number => {
        const t = s.get(10)!, c = s.get(40)!;
        return (t.ndvi * t.n + c.ndvi * c.n) / (t.n + c.n);
      };
      expect(veg(summer), tile).toBeGreaterThan(0.5);
      expect(veg(summer) - veg(winter), tile).toBeGreaterThan(0.2);
      // Trees: leaf-on canopy with a strong red edge; the NIR/red contrast collapses in winter.
      expect(summer.get(10)!.ndvi).toBeGreaterThan(0.7);
    }
  });

  it('the S2 red edge rises from B05 to B07 over green vegetation', () => {
    const p = patch('33UUP', 27, 39, '2017-07-01');
    let n = 0, b05 = 0, b07 = 0;
    // 20 m pixels fully inside tree cover.
    for (let J = 0; J < 60; J++) for (let I = 0; I < 60; I++) {
      const i = 2 * J * 120 + 2 * I;
      if ([i, i + 1, i + 120, i + 121].every((q) => p.worldcover[q] === 10)) {
        n++;
        b05 += p.s2.B05[J * 60 + I];
        b07 += p.s2.B07[J * 60 + I];
      }
    }
    expect(n).toBeGreaterThan(100);
    expect(b07 / n).toBeGreaterThan(2 * (b05 / n));
  });
});

describe('class spectra and backscatter', () => {
  const summer = classStats([
    ...GRID.map(([c, r]) => patch('33UUP', c, r, '2017-07-05')),
    ...GRID.map(([c, r]) => patch('35VMK', c, r, '2017-07-05')),
  ]);
  const present = [...summer.entries()].filter(([, s]) => s.n >= 200);

  it('water has the lowest NIR and the lowest VV and VH', () => {
    const water = summer.get(80)!;
    expect(water.n).toBeGreaterThan(1000);
    for (const [code, s] of present) {
      if (code === 80) continue;
      expect(water.nir, `class ${code}`).toBeLessThan(s.nir);
      expect(water.vv, `class ${code}`).toBeLessThan(s.vv);
      expect(water.vh, `class ${code}`).toBeLessThan(s.vh);
    }
    expect(water.vv).toBeLessThan(-18);
  });

  it('built-up is the brightest class in VV; forest is brighter in VH than open land', () => {
    const built = summer.get(50)!;
    expect(built.n).toBeGreaterThan(200);
    for (const [code, s] of present) if (code !== 50) expect(built.vv, `class ${code}`).toBeGreaterThan(s.vv);
    for (const code of [30, 40]) expect(summer.get(10)!.vh).toBeGreaterThan(summer.get(code)!.vh);
  });

  it('permanent snow and ice is the brightest class in the visible, dark in SWIR, and lies high', () => {
    // The Hohe Tauern tile reaches above the snow line (about 3200 m at 47° N); find its glaciers.
    const candidates: Array<[number, number]> = [[45, 35], [55, 65], [65, 65], [85, 35]];
    const patches = candidates.map(([c, r]) => patch('33TUN', c, r, '2017-08-10'));
    const stats = classStats(patches);
    const ice = stats.get(70);
    expect(ice?.n ?? 0).toBeGreaterThan(500);
    for (const [code, s] of stats) if (code !== 70 && s.n >= 100) expect(ice!.vis, `class ${code}`).toBeGreaterThan(s.vis);
    // Ice absorbs in the shortwave infrared: B11 far below the visible.
    let b11 = 0, b03 = 0, n = 0;
    for (const p of patches) for (let J = 0; J < 60; J++) for (let I = 0; I < 60; I++) {
      const i = 2 * J * 120 + 2 * I;
      if ([i, i + 1, i + 120, i + 121].every((q) => p.worldcover[q] === 70) && p.cloudMask[i] === 0) {
        b11 += p.s2.B11[J * 60 + I];
        b03 += p.s2.B03[i];
        n++;
      }
    }
    expect(n).toBeGreaterThan(50);
    expect(b11 / n).toBeLessThan(0.25 * (b03 / n));
    // DEM: ice lies far above the tile's water (valley rivers and lakes).
    const water = classStats(
      [[15, 55], [25, 45], [35, 65], [45, 75], [55, 25], [65, 15]].map(([c, r]) => patch('33TUN', c, r, '2017-08-10')),
    ).get(80);
    if (water) expect(ice!.dem).toBeGreaterThan(water.dem + 1000);
    expect(ice!.dem).toBeGreaterThan(2900);
  });
});

describe('relief and water', () => {
  it('water lies lower than the land around it, lakes are flat', () => {
    let checked = 0;
    for (const [tile, cells] of [['35VMK', GRID], ['29UNU', GRID], ['33UUP', GRID]] as const) {
      for (const [c, r] of cells) {
        const p = patch(tile, c, r, '2017-07-05');
        let wn = 0, wsum = 0, ln = 0, lsum = 0;
        const lakeLevels = new Set<number>();
        for (let i = 0; i < 14400; i++) {
          if (p.kind[i] === KIND.LAKE || p.kind[i] === KIND.RIVER) {
            wn++;
            wsum += p.dem[i];
            if (p.kind[i] === KIND.LAKE) lakeLevels.add(p.dem[i]);
          } else {
            ln++;
            lsum += p.dem[i];
          }
        }
        if (wn < 50 || ln < 50) continue;
        checked++;
        expect(wsum / wn, `${tile} ${c},${r}`).toBeLessThan(lsum / ln);
        // Each lake has one water level: a handful of distinct values at most.
        expect(lakeLevels.size).toBeLessThanOrEqual(6);
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });
});

describe('snow follows altitude, latitude and season', () => {
  it('in spring the snow cover lies above a snow line in the Alps', () => {
    let above = 0, below = 0, nAbove = 0, nBelow = 0;
    for (const [c, r] of [[45, 35], [55, 65], [15, 55], [25, 45]] as const) {
      const p = patch('33TUN', c, r, '2018-04-25');
      for (let i = 0; i < 14400; i++) {
        if (p.snow[i] > 0.5) { above += p.dem[i]; nAbove++; } else { below += p.dem[i]; nBelow++; }
      }
    }
    expect(nAbove).toBeGreaterThan(1000);
    expect(nBelow).toBeGreaterThan(1000);
    expect(above / nAbove).toBeGreaterThan(below / nBelow + 300);
  });

  it('on the same March day, central Finland lies under snow and the Alentejo does not', () => {
    const frac = (p: SynthPatch): number => p.snow.reduce((s, v) => s + (v > 0.5 ? 1 : 0), 0) / 14400;
    const north = patch('35VMK', 30, 40, '2018-03-05');
    const south = patch('29SND', 30, 40, '2018-03-05');
    expect(frac(north)).toBeGreaterThan(0.3);
    expect(frac(south)).toBe(0);
    const summerNorth = patch('35VMK', 30, 40, '2017-07-05');
    expect(frac(summerNorth)).toBe(0);
  });
});

describe('clouds hide Sentinel-2, not Sentinel-1', () => {
  it('a cloudy acquisition changes S2 where the mask says so and leaves S1 identical', () => {
    const clear = patch('33UUP', 34, 48, '2017-07-05', { cloudCover: 0 });
    const cloudy = patch('33UUP', 34, 48, '2017-07-05', { cloudCover: 0.45 });
    expect(Buffer.from(cloudy.s1.VV.buffer).equals(Buffer.from(clear.s1.VV.buffer))).toBe(true);
    expect(Buffer.from(cloudy.s1.VH.buffer).equals(Buffer.from(clear.s1.VH.buffer))).toBe(true);
    let nCloud = 0, visCloudy = 0, visClear = 0, nShadow = 0, nirShadow = 0, nirClear = 0, same = 0, nFree = 0;
    for (let i = 0; i < 14400; i++) {
      const vis = (p: SynthPatch): number => p.s2.B02[i] + p.s2.B03[i] + p.s2.B04[i];
      if (cloudy.cloudMask[i] === 1) { nCloud++; visCloudy += vis(cloudy); visClear += vis(clear); }
      else if (cloudy.cloudMask[i] === 2) { nShadow++; nirShadow += cloudy.s2.B08[i]; nirClear += clear.s2.B08[i]; }
      else { nFree++; if (Math.abs(cloudy.s2.B02[i] - clear.s2.B02[i]) <= 0.1 * clear.s2.B02[i]) same++; }
    }
    expect(nCloud).toBeGreaterThan(500);
    expect(visCloudy / nCloud).toBeGreaterThan(2 * (visClear / nCloud));
    if (nShadow > 100) expect(nirShadow).toBeLessThan(0.6 * nirClear);
    // Outside the (conservative) masks, S2 is the clear-sky image up to faint haze.
    expect(same / nFree).toBeGreaterThan(0.97);
  });
});

describe('climate zone, season and ERA-5', () => {
  const code = (name: string): number => (KOPPEN_CLASSES as readonly string[]).indexOf(name) + 1;

  it('Köppen zones follow latitude, altitude and the Mediterranean dry summer', () => {
    expect([code('Csa'), code('Csb')]).toContain(patch('29SND', 30, 40, '2017-07-05').climatezone);
    expect([code('Dfb'), code('Dfc')]).toContain(patch('35VMK', 30, 40, '2017-07-05').climatezone);
    expect([code('Cfb')]).toContain(patch('29UNU', 30, 40, '2017-07-05').climatezone);
    const glacier = patch('33TUN', 55, 65, '2017-07-05');
    expect(glacier.meanElevation).toBeGreaterThan(2500);
    expect(glacier.climatezone).toBe(code('ET'));
  });

  it('ERA-5 is warmer in summer, colder and at a lower pressure level up high', () => {
    const julyLow = patch('33TUN', 55, 25, '2017-07-05'); // a valley patch (mean ~750 m)
    const janLow = patch('33TUN', 55, 25, '2018-01-10');
    const julyHigh = patch('33TUN', 55, 65, '2017-07-05');
    expect(julyLow.era5.temperature_s2 - janLow.era5.temperature_s2).toBeGreaterThan(10);
    expect(julyHigh.meanElevation - julyLow.meanElevation).toBeGreaterThan(800);
    // Same acquisition, same weather: the difference is the lapse rate (about 6 K/km).
    const lapse = (julyLow.era5.temperature_s2 - julyHigh.era5.temperature_s2) / ((julyHigh.meanElevation - julyLow.meanElevation) / 1000);
    expect(lapse).toBeGreaterThan(5);
    expect(lapse).toBeLessThan(7);
    expect(julyHigh.era5.atmpressure_level).toBeLessThan(julyLow.era5.atmpressure_level);
    for (const p of [julyLow, janLow, julyHigh]) {
      expect(p.era5.temperature_s2).toBeGreaterThan(230);
      expect(p.era5.temperature_s2).toBeLessThan(320);
      expect(p.era5.relhumidity_s2).toBeGreaterThanOrEqual(0);
      expect(p.era5.relhumidity_s2).toBeLessThanOrEqual(100);
    }
  });

  it('uses ben-ge’s season encoding: 1 at the summer solstice, 0 at the winter solstice', () => {
    expect(seasonEncoding(new Date('2017-06-21T10:00:00Z'))).toBeGreaterThan(0.999);
    expect(seasonEncoding(new Date('2017-12-22T10:00:00Z'))).toBeLessThan(0.01);
    expect(seasonEncoding(new Date('2018-03-20T10:00:00Z'))).toBeCloseTo(seasonEncoding(new Date('2017-09-22T10:00:00Z')), 1);
    expect(patch('29SND', 30, 40, '2017-06-21').seasonS2).toBeGreaterThan(0.999);
  });
});

describe('synthesizePatch', () => {
  it('is deterministic for its parameters and rng, and the 20/60 m bands have native sizes', () => {
    const a = patch('34TDR', 40, 40, '2017-08-01', { cloudCover: 0.3 });
    const b = patch('34TDR', 40, 40, '2017-08-01', { cloudCover: 0.3 });
    for (const band of Object.keys(a.s2) as Array<keyof typeof a.s2>) {
      expect(Buffer.from(a.s2[band].buffer).equals(Buffer.from(b.s2[band].buffer))).toBe(true);
    }
    expect(Buffer.from(a.dem.buffer).equals(Buffer.from(b.dem.buffer))).toBe(true);
    expect(a.s2.B02.length).toBe(120 * 120);
    expect(a.s2.B05.length).toBe(60 * 60);
    expect(a.s2.B11.length).toBe(60 * 60);
    expect(a.s2.B01.length).toBe(20 * 20);
    expect(a.s2.B09.length).toBe(20 * 20);
    const other = synthesizePatch(makePatchParams({ tile: '34TDR', date: '2017-08-01', col: 40, row: 40, cloudCover: 0.3 }), createRng('another'));
    expect(Buffer.from(other.s1.VV.buffer).equals(Buffer.from(a.s1.VV.buffer))).toBe(false);
    expect(Buffer.from(other.worldcover.buffer).equals(Buffer.from(a.worldcover.buffer))).toBe(true); // same ground
  });

  it('joins neighbouring patches seamlessly (the landscape lives in map coordinates)', () => {
    const left = patch('33UUP', 30, 40, '2017-07-05');
    const right = patch('33UUP', 31, 40, '2017-07-05');
    // Elevation across the shared edge changes no more than within a patch (no seam).
    let seam = 0, inner = 0;
    for (let j = 0; j < 120; j++) {
      seam += Math.abs(left.dem[j * 120 + 119] - right.dem[j * 120]);
      inner += Math.abs(left.dem[j * 120 + 118] - left.dem[j * 120 + 119]);
    }
    expect(seam).toBeLessThan(3 * inner + 120);
  });
});
