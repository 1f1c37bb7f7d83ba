/** One patch for the inspector: metadata with names and units, labels, footprint in its own CRS and in WGS84. */
import type { PatchDetail } from '../../api/datasets';
import { parseAcquisitionTime } from '../../core/data/season';
import { ERA5_VARIABLES, S1_BANDS, S2_BANDS } from '../../core/data/modalities';
import { LANDCOVER_THRESHOLD } from '../../core/data/targets';
import { footprint } from '../../core/geo/crs';
import type { OpenDataset } from './open-dataset';
import { proj4Definition } from './placement';
import { climateZone, ERA5_UNITS, LAND_COVER_CLASSES, seasonName } from './vocabulary';

export function patchDetail(ds: OpenDataset, i: number): PatchDetail {
  const entry = ds.entry(i);
  const m = entry.meta;
  const f = entry.files;
  const lon = ds.columns.lon[i];
  const lat = ds.columns.lat[i];
  // The season of the optical acquisition; the radar one for patches without Sentinel-2.
  const stamp = m.timestampS2 ?? m.timestampS1;
  const when = stamp ? parseAcquisitionTime(stamp) : undefined;

  const files: Record<string, string[]> = {};
  if (f.s2) files.s2 = S2_BANDS.map((b) => f.s2![b].path);
  if (f.s1) files.s1 = S1_BANDS.map((b) => f.s1![b].path);
  for (const k of ['dem', 'worldcover', 'reference'] as const) if (f[k]) files[k] = [f[k]!.path];
  const modalities = [...Object.keys(files)];
  if (m.era5) modalities.push('era5');
  if (m.climatezone !== undefined) modalities.push('climatezone');
  if (m.season !== undefined) modalities.push('season');

  const lulcIndex = ds.columns.lulc[i];
  const fractions = m.worldcoverFractions;

  let fp: PatchDetail['footprint'] = null;
  const placed = ds.placement(i);
  if (placed && placed.cornersWgs84) {
    const proj4 = proj4Definition(placed.epsg);
    if (proj4) {
      const ring = [...placed.corners, placed.corners[0]];
      const xs = placed.corners.map((c) => c[0]);
      const ys = placed.corners.map((c) => c[1]);
      // The WGS84 bbox from the densified edges (crs.ts): edges of a projected square curve in lon/lat.
      let bbox: [number, number, number, number] | null = null;
      const grid = ds.grids[i];
      if (placed.source === 'raster' && grid) {
        try {
          bbox = footprint({ width: 120, height: 120, transform: grid.transform, crs_epsg: grid.epsg }).bbox_wgs84;
        } catch {
          bbox = null;
        }
      }
      const w = placed.cornersWgs84;
      bbox ??= [Math.min(...w.map((c) => c[0])), Math.min(...w.map((c) => c[1])), Math.max(...w.map((c) => c[0])), Math.max(...w.map((c) => c[1]))];
      fp = {
        crs_epsg: placed.epsg,
        proj4,
        polygon: ring.map((c) => [c[0], c[1]] as [number, number]),
        extent: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
        polygon_wgs84: [...w, w[0]].map((c) => [c[0], c[1]] as [number, number]),
        bbox_wgs84: bbox,
        source: placed.source,
      };
    }
  }

  return {
    datasetId: ds.id,
    id: entry.id,
    index: i,
    s1_id: m.s1Id ?? null,
    acquired: { s2: m.timestampS2 ?? null, s1: m.timestampS1 ?? null },
    season: m.season ?? null,
    season_name: when ? seasonName(when, Number.isFinite(lat) ? lat : m.lat) : null,
    climatezone: climateZone(m.climatezone),
    era5: m.era5 ? ERA5_VARIABLES.map((name, k) => ({ name, value: Number.isFinite(m.era5![k]) ? m.era5![k] : null, unit: ERA5_UNITS[name] })) : null,
    split: ds.splitOf(i),
    labels: {
      lulc: lulcIndex < LAND_COVER_CLASSES.length ? { ...LAND_COVER_CLASSES[lulcIndex] } : null,
      landcover: fractions ? LAND_COVER_CLASSES.filter((c) => fractions[c.index] >= LANDCOVER_THRESHOLD).map((c) => ({ ...c })) : [],
      landcover_threshold: LANDCOVER_THRESHOLD,
      ...(entry.labels.ben19 ? { ben19: [...entry.labels.ben19] } : {}),
      ...(entry.labels.ben43 ? { ben43: [...entry.labels.ben43] } : {}),
      ...(m.chipLabel !== undefined ? { chip: m.chipLabel } : {}),
    },
    worldcover_fractions: fractions ? LAND_COVER_CLASSES.map((c) => ({ ...c, fraction: fractions[c.index] })) : null,
    modalities,
    files,
    footprint: fp,
    centre_wgs84: Number.isFinite(lon) && Number.isFinite(lat) ? [lon, lat] : null,
    problems: ds.problems.filter((p) => p.patchId === entry.id).map((p) => ({ ...p })),
  };
}
