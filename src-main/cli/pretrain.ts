import { PretrainConfig } from '../api/training';
import type { PretrainSummary } from '../core/train/run';
import type { Command } from './command';
import { defined, list, metricLines, num, parseFlags, required, runJob, str, validate } from './job-runner';

const USAGE = `Usage: terrafuse pretrain --data DIR --method simclr|contrastive-s1s2 --out DIR [options]

Self-supervised pretraining on the training split's images (labels unused). Writes a run folder whose checkpoint/
holds the encoders only, with their modalities, band order and normalisation, ready for
'terrafuse train --from DIR --transfer linear-probe|frozen|full'.

  --method M              simclr: two augmented views of each patch, one encoder
                          contrastive-s1s2: an S2 and an S1 encoder, co-located patches as positives
  --backbone resnet18|unet  (default resnet18)   --width W (default 16)
  --modalities LIST       simclr's encoder input (default s2); contrastive-s1s2 always uses s2 and s1
  --temperature T         NT-Xent temperature (default 0.1)
  --epochs E (default 10) --batch-size B (default 32)   --lr LR (default 0.001)   --optimizer adam|sgd
  --schedule cosine|constant   --warmup-epochs N   --seed S   --max-patches N
  --out DIR               run folder to create
  --json                  one JSON summary line at the end
`;

export const pretrainCommand: Command = {
  name: 'pretrain',
  summary: 'Self-supervised pretraining (SimCLR, S1/S2 contrastive) of encoders',
  usage: USAGE,
  async run(argv) {
    const f = parseFlags(argv, {
      data: { type: 'string' }, method: { type: 'string' }, backbone: { type: 'string' }, width: { type: 'string' },
      modalities: { type: 'string' }, temperature: { type: 'string' }, epochs: { type: 'string' },
      'batch-size': { type: 'string' }, lr: { type: 'string' }, optimizer: { type: 'string' }, momentum: { type: 'string' },
      'weight-decay': { type: 'string' }, schedule: { type: 'string' }, 'warmup-epochs': { type: 'string' },
      seed: { type: 'string' }, 'max-patches': { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' },
    });
    const config = validate(PretrainConfig, defined({
      data: required(f, 'data'),
      method: required(f, 'method'),
      backbone: str(f, 'backbone'),
      width: num(f, 'width', { int: true }),
      modalities: list(f, 'modalities'),
      temperature: num(f, 'temperature'),
      epochs: num(f, 'epochs', { int: true }),
      batchSize: num(f, 'batch-size', { int: true }),
      lr: num(f, 'lr'),
      optimizer: str(f, 'optimizer'),
      momentum: num(f, 'momentum'),
      weightDecay: num(f, 'weight-decay'),
      schedule: str(f, 'schedule'),
      warmupEpochs: num(f, 'warmup-epochs'),
      seed: num(f, 'seed', { int: true }),
      maxPatches: num(f, 'max-patches', { int: true }),
      out: required(f, 'out'),
    }));
    const kind = (await import('../services/training/pretrain-job')).default;
    const outcome = await runJob(kind, config, { json: Boolean(f.json), title: 'pretrain' });
    if (!outcome.ok) return outcome.code;
    const s = outcome.result as PretrainSummary;
    if (f.json) process.stdout.write(`${JSON.stringify(s)}\n`);
    else {
      process.stdout.write(
        `run ${s.run}: ${s.method}, ${s.epochs} epochs in ${s.seconds.toFixed(1)} s; encoder checkpoint ${s.checkpoint}` +
          (s.best ? ` (epoch ${s.best.epoch}, val NT-Xent ${s.best.value?.toFixed(4) ?? '-'})` : '') +
          `\nlast validation:\n${metricLines(s.val)}\n`,
      );
    }
    return 0;
  },
};
