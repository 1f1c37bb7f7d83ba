import { TrainConfig } from '../api/training';
import type { TrainSummary } from '../core/train/run';
import { UsageError, type Command } from './command';
import { defined, list, metricLines, num, parseFlags, required, runJob, str, TASK_OF_TARGET, tasksFrom, validate } from './job-runner';

const USAGE = `Usage: terrafuse train --data DIR --modalities s2[,s1,...] --target T[,T...] --out DIR [options]

Trains a (multitask) model and writes a run folder: config.json, run.json (status, test metrics), history.json
(per epoch) and checkpoint/ (the best epoch on the validation split; tfjs model + metadata).

  --data DIR                 dataset folder (ben-ge, BigEarthNet, chips, synth output)
  --modalities LIST          inputs: s2, s1, dem, worldcover, climatezone, season, era5
  --fusion early|late        early: channels stacked, one backbone; late: one backbone per image modality (default early)
  --task LIST                classification|multilabel|segmentation|regression, one per target (default: the target's)
  --target LIST              lulc, landcover, worldcover, climatezone, season, ben19, ben43
  --loss-weights LIST        weight of each target's loss in the multitask sum (default 1 each)
  --backbone resnet18|unet   (default resnet18; segmentation needs unet)
  --width W                  base width (64 = the published nets; default 16)
  --label-fraction F         use a seeded, class-stratified fraction F of the training labels (default 1)
  --epochs E                 (default 10)      --batch-size B (default 16)
  --optimizer adam|sgd       (default adam)    --lr LR (default 0.001)   --momentum M (sgd, default 0.9)
  --weight-decay WD          (default 0)       --schedule cosine|constant (default cosine)   --warmup-epochs N
  --patience N               stop after N epochs without validation improvement (default: never)
  --stop-metric NAME         validation metric for early stopping / best checkpoint (e.g. lulc.f1_macro, loss)
  --no-augment               no flips, rotations, crops or jitter
  --seed S                   (default 0)       --max-patches N  use a seeded subset of N patches
  --from DIR                 start from a checkpoint (or a run folder holding one)
  --transfer MODE            linear-probe|frozen|full (with --from)
  --backbone-lr-scale F      learning-rate factor of the transferred layers with --transfer full (default 0.1)
  --out DIR                  run folder to create
  --json                     print one JSON summary line at the end ("test": {accuracy, f1_macro, iou_macro, ...})
`;

export const trainCommand: Command = {
  name: 'train',
  summary: 'Train a fusion / multitask model (from scratch or from a checkpoint)',
  usage: USAGE,
  async run(argv) {
    const f = parseFlags(argv, {
      data: { type: 'string' }, modalities: { type: 'string' }, fusion: { type: 'string' }, task: { type: 'string' },
      target: { type: 'string' }, 'loss-weights': { type: 'string' }, backbone: { type: 'string' }, width: { type: 'string' },
      'label-fraction': { type: 'string' }, epochs: { type: 'string' }, 'batch-size': { type: 'string' },
      optimizer: { type: 'string' }, lr: { type: 'string' }, momentum: { type: 'string' }, 'weight-decay': { type: 'string' },
      schedule: { type: 'string' }, 'warmup-epochs': { type: 'string' }, patience: { type: 'string' },
      'stop-metric': { type: 'string' }, 'no-augment': { type: 'boolean' }, seed: { type: 'string' },
      'max-patches': { type: 'string' }, from: { type: 'string' }, transfer: { type: 'string' },
      'backbone-lr-scale': { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' },
    });
    const modalities = list(f, 'modalities');
    if (!modalities || modalities.length === 0) throw new UsageError('--modalities is required (e.g. s2 or s2,s1)');
    const tasks = tasksFrom(f).map((t) => ({ ...t, task: t.task ?? TASK_OF_TARGET[t.target] }));
    const config = validate(TrainConfig, defined({
      data: required(f, 'data'),
      modalities,
      fusion: str(f, 'fusion'),
      tasks,
      backbone: str(f, 'backbone'),
      width: num(f, 'width', { int: true }),
      labelFraction: num(f, 'label-fraction'),
      epochs: num(f, 'epochs', { int: true }),
      batchSize: num(f, 'batch-size', { int: true }),
      optimizer: str(f, 'optimizer'),
      lr: num(f, 'lr'),
      momentum: num(f, 'momentum'),
      weightDecay: num(f, 'weight-decay'),
      schedule: str(f, 'schedule'),
      warmupEpochs: num(f, 'warmup-epochs'),
      patience: num(f, 'patience', { int: true }),
      stopMetric: str(f, 'stop-metric'),
      augment: f['no-augment'] ? false : undefined,
      seed: num(f, 'seed', { int: true }),
      maxPatches: num(f, 'max-patches', { int: true }),
      from: str(f, 'from'),
      transfer: str(f, 'transfer'),
      backboneLrScale: num(f, 'backbone-lr-scale'),
      out: required(f, 'out'),
    }));
    const kind = (await import('../services/training/train-job')).default;
    const outcome = await runJob(kind, config, { json: Boolean(f.json), title: 'train' });
    if (!outcome.ok) return outcome.code;
    const s = outcome.result as TrainSummary;
    if (f.json) {
      process.stdout.write(`${JSON.stringify(s)}\n`);
    } else {
      process.stdout.write(
        `run ${s.run}: ${s.epochs} epochs in ${s.seconds.toFixed(1)} s; ${s.dataset.labelled} labelled / ${s.dataset.train} train, ${s.dataset.val} val, ${s.dataset.test} test patches\n` +
          (s.best ? `best epoch ${s.best.epoch} (val ${s.best.metric} ${s.best.value?.toFixed(4) ?? '-'}), checkpoint ${s.checkpoint}\n` : '') +
          `test:\n${metricLines(s.test)}\n`,
      );
    }
    return 0;
  },
};
