import { LabelEfficiencyConfig } from '../api/training';
import type { ExperimentSummary } from '../core/train/experiment';
import { UsageError, type Command } from './command';
import { defined, list, num, numList, parseFlags, required, runJob, str, TASK_OF_TARGET, tasksFrom, validate } from './job-runner';

const USAGE = `Usage: terrafuse experiment label-efficiency --data DIR --out DIR [options]

At each label fraction and seed: one run from scratch and one from a self-supervised checkpoint (pretrained here
first unless --from is given), same data, fraction and seed. Prints a table of the test metric (macro-F1 for
classification, macro-IoU for segmentation; mean ± std over seeds) and writes results.csv, summary.csv and plot.svg.
Starting it again on the same --out reuses finished runs.

  --fractions LIST        label fractions (default 0.01,0.1,1)
  --seeds N               seeds per fraction (default 3), starting at --seed (default 0)
  --modalities LIST       downstream inputs (default s2)   --fusion early|late
  --target LIST / --task LIST / --loss-weights LIST   downstream task(s) (default lulc classification)
  --backbone resnet18|unet --width W   (shared by pretraining and downstream; default resnet18, 16)
  --epochs E --batch-size B --lr LR    downstream training (default 10, 16, 0.001)
  --transfer MODE         linear-probe|frozen|full (default full)   --backbone-lr-scale F (default 0.1)
  --from DIR              an existing SSL checkpoint instead of pretraining
  --pretrain-method M     simclr|contrastive-s1s2 (default contrastive-s1s2)
  --pretrain-epochs E --pretrain-batch-size B --pretrain-lr LR --temperature T   (default 10, 32, 0.001, 0.1)
  --max-patches N         seeded subset of the dataset, for quick runs
  --json                  one JSON summary line at the end
`;

export const experimentCommand: Command = {
  name: 'experiment',
  summary: 'Experiments (label-efficiency: scratch vs SSL at several label fractions)',
  usage: USAGE,
  async run(argv) {
    const [which, ...rest] = argv;
    if (which !== 'label-efficiency') throw new UsageError(`unknown experiment '${which ?? ''}' (available: label-efficiency)`);
    const f = parseFlags(rest, {
      data: { type: 'string' }, out: { type: 'string' }, fractions: { type: 'string' }, seeds: { type: 'string' },
      seed: { type: 'string' }, modalities: { type: 'string' }, fusion: { type: 'string' }, target: { type: 'string' },
      task: { type: 'string' }, 'loss-weights': { type: 'string' }, backbone: { type: 'string' }, width: { type: 'string' },
      epochs: { type: 'string' }, 'batch-size': { type: 'string' }, lr: { type: 'string' }, transfer: { type: 'string' },
      'backbone-lr-scale': { type: 'string' }, from: { type: 'string' }, 'pretrain-method': { type: 'string' },
      'pretrain-epochs': { type: 'string' }, 'pretrain-batch-size': { type: 'string' }, 'pretrain-lr': { type: 'string' },
      temperature: { type: 'string' }, 'max-patches': { type: 'string' }, json: { type: 'boolean' },
    });
    const tasks = f.target ? tasksFrom(f).map((t) => ({ ...t, task: t.task ?? TASK_OF_TARGET[t.target] })) : undefined;
    const pretrain = defined({
      method: str(f, 'pretrain-method'),
      epochs: num(f, 'pretrain-epochs', { int: true }),
      batchSize: num(f, 'pretrain-batch-size', { int: true }),
      lr: num(f, 'pretrain-lr'),
      temperature: num(f, 'temperature'),
    });
    const config = validate(LabelEfficiencyConfig, defined({
      data: required(f, 'data'),
      out: required(f, 'out'),
      fractions: numList(f, 'fractions'),
      seeds: num(f, 'seeds', { int: true }),
      seed: num(f, 'seed', { int: true }),
      modalities: list(f, 'modalities'),
      fusion: str(f, 'fusion'),
      tasks,
      backbone: str(f, 'backbone'),
      width: num(f, 'width', { int: true }),
      epochs: num(f, 'epochs', { int: true }),
      batchSize: num(f, 'batch-size', { int: true }),
      lr: num(f, 'lr'),
      transfer: str(f, 'transfer'),
      backboneLrScale: num(f, 'backbone-lr-scale'),
      from: str(f, 'from'),
      pretrain: Object.keys(pretrain).length > 0 ? pretrain : undefined,
      maxPatches: num(f, 'max-patches', { int: true }),
      // The one pretraining field whose flag is not --pretrain-<field>.
    }), { 'pretrain.temperature': '--temperature' });
    const kind = (await import('../services/training/experiment-job')).default;
    const outcome = await runJob(kind, config, { json: Boolean(f.json), title: 'experiment' });
    if (!outcome.ok) return outcome.code;
    const s = outcome.result as ExperimentSummary;
    if (f.json) {
      process.stdout.write(`${JSON.stringify(s)}\n`);
    } else {
      const { formatTable } = await import('../core/train/experiment');
      process.stdout.write(
        `${formatTable(s.summary, s.metric)}\n\nresults ${s.files.results}\nsummary ${s.files.summary}\nplot    ${s.files.plot}\n` +
          `(${s.rows.length} runs, ${s.seconds.toFixed(0)} s; SSL checkpoint ${s.checkpoint})\n`,
      );
    }
    return 0;
  },
};
