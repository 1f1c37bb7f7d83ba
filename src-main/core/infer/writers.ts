import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs-atomic';
import { writeGeoTiff } from '../geo/write';
import type { TargetId } from '../data/modalities';
import { classNamesOf } from './classes';
import { footprintLonLat, type Transform6 } from './footprint';
import type { HeadOutputSpec, HeadPrediction, PatchPrediction } from './predict';

/**
 * Writers for `terrafuse predict`: one CSV row and one GeoJSON feature per patch (footprint polygon in WGS84, the
 * predicted class, its confidence, ...) and, for segmentation heads, the mask as a GeoTIFF on the patch's own grid
 * (uint8 class indices, same CRS and geotransform as the input patch), so GIS tools overlay it exactly.
 * Masks are written as they come (each atomically); the CSV and GeoJSON at `finish`, atomically.
 */

export interface PatchGeo {
  grid?: { epsg: number | null; transform: Transform6 };
  /** Patch centre in WGS84 (a fallback geometry when the grid is unknown). */
  lon?: number;
  lat?: number;
}

export interface PredictionFiles {
  csv: string;
  geojson: string;
  masks: string[];
  patches: number;
  /** Patches without a usable grid: no footprint polygon (a point or no geometry) and no mask. */
  withoutGrid: number;
}

type Cell = string | number | null;

function csvCell(v: Cell): string {
  if (v === null) return '';
  const s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(6)) : v;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Column values of one head's prediction (shared by the CSV and the GeoJSON properties). */
function headColumns(target: TargetId, p: HeadPrediction, maskPath: string | null): Record<string, Cell> {
  switch (p.kind) {
    case 'classification':
      return { [`${target}_class`]: p.className, [`${target}_index`]: p.classIndex, [`${target}_confidence`]: p.confidence };
    case 'multilabel':
      return {
        [`${target}_labels`]: p.labels.join(';'),
        [`${target}_confidence`]: p.indices.length > 0 ? Math.min(...p.indices.map((k) => p.probabilities[k])) : null,
      };
    case 'regression':
      return { [`${target}_value`]: p.value };
    case 'segmentation':
      return {
        [`${target}_class`]: p.dominant.className,
        [`${target}_index`]: p.dominant.classIndex,
        [`${target}_share`]: p.dominant.share,
        [`${target}_confidence`]: p.meanConfidence,
        [`${target}_mask`]: maskPath,
      };
  }
}

function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}

export class PredictionWriter {
  private readonly rows: Record<string, Cell>[] = [];
  private readonly features: unknown[] = [];
  private readonly masks: string[] = [];
  private withoutGrid = 0;
  private ready: Promise<void> | undefined;

  constructor(
    readonly outDir: string,
    readonly heads: HeadOutputSpec[],
  ) {}

  private async prepare(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.outDir, { recursive: true });
      if (this.heads.some((h) => h.kind === 'segmentation')) await mkdir(join(this.outDir, 'masks'), { recursive: true });
    })();
    return this.ready;
  }

  async add(p: PatchPrediction, geo: PatchGeo): Promise<void> {
    await this.prepare();
    const grid = geo.grid && geo.grid.epsg !== null ? { epsg: geo.grid.epsg, transform: geo.grid.transform } : undefined;
    if (!grid) this.withoutGrid += 1;
    const row: Record<string, Cell> = { id: p.id };
    for (const h of this.heads) {
      const pred = p.heads[h.target];
      if (!pred) continue;
      let maskPath: string | null = null;
      if (pred.kind === 'segmentation' && grid) {
        maskPath = `masks/${safeName(p.id)}__${h.target}.tif`;
        await writeGeoTiff(join(this.outDir, maskPath), {
          width: pred.width,
          height: pred.height,
          bands: [pred.mask],
          transform: grid.transform,
          epsg: grid.epsg,
          bandNames: [h.target],
          metadata: { TERRAFUSE_CLASSES: JSON.stringify(classNamesOf(h.target)), TERRAFUSE_PATCH: p.id },
        }, { compression: 'deflate' });
        this.masks.push(maskPath);
      }
      Object.assign(row, headColumns(h.target, pred, maskPath));
    }
    this.rows.push(row);
    const size = this.heads.map((h) => p.heads[h.target]).find((x) => x?.kind === 'segmentation');
    const [w, hgt] = size?.kind === 'segmentation' ? [size.width, size.height] : [120, 120];
    const ring = grid ? footprintLonLat(grid.epsg, grid.transform, w, hgt) : undefined;
    const geometry = ring
      ? { type: 'Polygon', coordinates: [ring] }
      : geo.lon !== undefined && geo.lat !== undefined
        ? { type: 'Point', coordinates: [geo.lon, geo.lat] }
        : null;
    this.features.push({ type: 'Feature', id: p.id, geometry, properties: row });
  }

  async finish(): Promise<PredictionFiles> {
    await this.prepare();
    const columns = [...new Set(this.rows.flatMap((r) => Object.keys(r)))];
    const lines = [columns.map(csvCell).join(','), ...this.rows.map((r) => columns.map((c) => csvCell(r[c] ?? null)).join(','))];
    const csv = join(this.outDir, 'predictions.csv');
    const geojson = join(this.outDir, 'predictions.geojson');
    await writeFileAtomic(csv, `${lines.join('\n')}\n`);
    await writeFileAtomic(geojson, `${JSON.stringify({ type: 'FeatureCollection', features: this.features })}\n`);
    return { csv, geojson, masks: this.masks, patches: this.rows.length, withoutGrid: this.withoutGrid };
  }
}
