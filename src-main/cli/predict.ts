import { PredictConfig } from '../api/training';
import type { PredictSummary } from '../core/train/run';
import type { Command } from './command';
import { defined, num, parseFlags, required, runJob, str, validate } from './job-runner';

const USAGE = `Usage: terrafuse predict --run DIR --data DIR --out DIR [--split all|train|val|test] [--threshold P] [--json]

Predicts every patch (or one split) with a run's best checkpoint and writes to --out:
  predictions.csv       one row per patch: class, confidence (per head), regression values, mask file
  predictions.geojson   the same as properties of each patch's footprint polygon (WGS84)
  masks/<patch>__<target>.tif   segmentation masks (class indices) on the patch's own grid and CRS
`;

export const predictCommand: Command = {
  name: 'predict',
  summary: 'Predict with a run: CSV, GeoJSON footprints and GeoTIFF masks',
  usage: USAGE,
  async run(argv) {
    const f = parseFlags(argv, {
      run: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' }, split: { type: 'string' },
      threshold: { type: 'string' }, 'batch-size': { type: 'string' }, json: { type: 'boolean' },
    });
    const config = validate(PredictConfig, defined({
      run: required(f, 'run'), data: required(f, 'data'), out: required(f, 'out'), split: str(f, 'split'),
      threshold: num(f, 'threshold'), batchSize: num(f, 'batch-size', { int: true }),
    }));
    const kind = (await import('../services/training/predict-job')).default;
    const outcome = await runJob(kind, config, { json: Boolean(f.json), title: 'predict' });
    if (!outcome.ok) return outcome.code;
    const s = outcome.result as Omit<PredictSummary, 'masks'> & { masks: number };
    if (f.json) process.stdout.write(`${JSON.stringify(s)}\n`);
    else {
      process.stdout.write(
        `${s.patches} patches -> ${s.csv}, ${s.geojson}${s.masks ? `, ${s.masks} masks in ${s.out}/masks` : ''}` +
          (s.withoutGrid ? ` (${s.withoutGrid} without a usable grid: no footprint polygon or mask)` : '') +
          '\n',
      );
    }
    return 0;
  },
};
