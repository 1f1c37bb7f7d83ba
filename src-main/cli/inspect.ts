/**
 * `terrafuse inspect DIR [--json] [--patch ID] [--layout NAME]`: what a dataset folder holds (layout, patches,
 * modalities, CRSs, extent, splits, missing modalities, problems), or one patch's files with native size, type and
 * statistics per modality and band.
 */
import { parseArgs } from 'node:util';
import type { Command } from './command';
import { UsageError } from './command';
import { inspectDataset, inspectPatch } from '../core/data/inspect';
import { LAYOUTS } from '../core/data/layouts/detect';
import type { LayoutName } from '../core/data/layouts/types';
import { DatasetError, formatProblem } from '../core/data/problems';

const USAGE = `Usage: terrafuse inspect DIR [--json] [--patch ID] [--layout NAME]

Recognises the dataset layout (ben-ge, bigearthnet-v1, bigearthnet-v2, chips) and reports its patches, modalities,
CRSs, WGS84 extent, splits, missing modalities and unreadable files or rows.

Options:
  --json         one JSON object: {"layout","patches","modalities":{name:count},"crs":[EPSG...],
                 "bbox_wgs84":[w,s,e,n],"splits":{...},"missing":{name:count},"problems":{...}}
  --patch ID     report one patch instead: per modality and band the file, native size, dtype, CRS, nodata and
                 statistics over valid pixels (valid, min, max, mean), plus footprint, metadata and labels
  --layout NAME  skip detection (${LAYOUTS.join(', ')})
`;

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'Show what a dataset folder holds (layout, patches, modalities, extent, splits, problems)',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' }, patch: { type: 'string' }, layout: { type: 'string' } } });
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
    const { values, positionals } = parsed;
    if (positionals.length !== 1) throw new UsageError('give exactly one dataset folder');
    if (values.layout && !(LAYOUTS as readonly string[]).includes(values.layout)) throw new UsageError(`unknown layout '${values.layout}' (${LAYOUTS.join(', ')})`);
    const layout = values.layout as LayoutName | undefined;
    const dir = positionals[0];
    try {
      if (values.patch) {
        const r = await inspectPatch(dir, values.patch, { layout });
        if (values.json) {
          process.stdout.write(`${JSON.stringify(r)}\n`);
          return 0;
        }
        const lines = [`${r.id} (${r.layout}${r.split ? `, ${r.split}` : ''})`];
        if (r.footprint?.bboxWgs84) lines.push(`  footprint EPSG:${r.footprint.epsg} WGS84 [${r.footprint.bboxWgs84.map((v) => v.toFixed(5)).join(', ')}] (${r.footprint.source})`);
        for (const [m, bands] of Object.entries(r.modalities)) {
          lines.push(`  ${m}`);
          for (const [b, s] of Object.entries(bands)) {
            lines.push('error' in s ? `    ${b.padEnd(10)} ${s.error}` : `    ${b.padEnd(10)} ${s.width}x${s.height} ${s.dtype.padEnd(7)} valid ${s.valid} min ${s.min} max ${s.max} mean ${s.mean === null ? '-' : s.mean.toFixed(3)}`);
          }
        }
        process.stdout.write(`${lines.join('\n')}\n`);
        return 0;
      }
      const s = await inspectDataset(dir, { layout });
      if (values.json) {
        process.stdout.write(`${JSON.stringify(s)}\n`);
        return 0;
      }
      const lines = [
        `${s.root}: ${s.layout} '${s.name}', ${s.patches} patches`,
        `  modalities: ${Object.entries(s.modalities).map(([k, n]) => `${k} ${n}`).join(', ')}`,
        `  CRS: ${s.crs.map((c) => `EPSG:${c}`).join(', ') || 'none'}`,
        `  extent (WGS84): ${s.bbox_wgs84 ? s.bbox_wgs84.map((v) => v.toFixed(4)).join(', ') : 'unknown'}`,
        `  splits (${s.splits.source}): train ${s.splits.train}, val ${s.splits.val}, test ${s.splits.test}, unassigned ${s.splits.unassigned}`,
      ];
      if (Object.keys(s.missing).length) lines.push(`  missing: ${Object.entries(s.missing).map(([k, n]) => `${k} ${n}`).join(', ')}`);
      if (s.problems.count) {
        lines.push(`  problems: ${s.problems.errors} errors, ${s.problems.warnings} warnings`);
        for (const p of s.problems.first) lines.push(`    ${formatProblem(p)}`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
      return 0;
    } catch (err) {
      if (err instanceof DatasetError) {
        process.stderr.write(`terrafuse inspect: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
  },
};
