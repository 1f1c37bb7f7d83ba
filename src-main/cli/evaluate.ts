import { EvaluateConfig } from '../api/training';
import type { EvaluateSummary } from '../core/train/run';
import type { Command } from './command';
import { defined, metricLines, num, parseFlags, required, runJob, str, validate } from './job-runner';

const USAGE = `Usage: terrafuse evaluate --run DIR --data DIR [--split test] [--batch-size B] [--json]

Metrics of a run's best checkpoint on a split of a dataset, with the normalisation statistics stored in the
checkpoint. --json prints one line with "metrics" (and the same under the split's name, e.g. "test").
`;

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: "Evaluate a run's checkpoint on a dataset split",
  usage: USAGE,
  async run(argv) {
    const f = parseFlags(argv, { run: { type: 'string' }, data: { type: 'string' }, split: { type: 'string' }, 'batch-size': { type: 'string' }, json: { type: 'boolean' } });
    const config = validate(EvaluateConfig, defined({ run: required(f, 'run'), data: required(f, 'data'), split: str(f, 'split'), batchSize: num(f, 'batch-size', { int: true }) }));
    const kind = (await import('../services/training/evaluate-job')).default;
    const outcome = await runJob(kind, config, { json: Boolean(f.json), title: 'evaluate' });
    if (!outcome.ok) return outcome.code;
    const s = outcome.result as EvaluateSummary;
    if (f.json) process.stdout.write(`${JSON.stringify({ ...s, [s.split]: s.metrics })}\n`);
    else process.stdout.write(`${s.checkpoint} on the ${s.split} split (${s.patches} patches):\n${metricLines(s.metrics)}\n`);
    return 0;
  },
};
