import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabelEfficiencyConfig, PretrainConfig, TrainConfig } from '../../api/training';
import { writeFileAtomic } from '../fs-atomic';
import { PatchDataset } from '../data/dataset';
import { headlineMetric } from './heads';
import { linePlotSvg } from './plot-svg';
import { CONFIG_JSON, RUN_JSON, type RunRecord, writeRunJson } from './run-folder';
import { runPretrain, runTrain, type RunContext, type RunProgress } from './run';
import type { TaskKind } from '../models/spec';

/**
 * The label-efficiency experiment: at each label fraction and seed, one downstream run from scratch and one from an
 * SSL checkpoint (pretrained once, first, unless given), same data, same fraction, same seed; the headline test
 * metric of the first task (macro-F1 for classification, macro-IoU for segmentation) is compared.
 *
 * Folder:
 *   config.json, pretrain/ (when pretrained here), runs/f<fraction>-s<seed>-<arm>/ (normal run folders),
 *   results.csv (one row per run), summary.csv (mean and std per fraction and arm), plot.svg, experiment.json.
 * Finished runs are reused when the experiment is started again on the same folder (a long experiment can be
 * resumed after a cancel); unfinished ones are redone.
 */

export type Arm = 'scratch' | 'ssl';

export interface ExperimentRow {
  fraction: number;
  seed: number;
  arm: Arm;
  metric: string;
  value: number | null;
  labelled: number;
  seconds: number;
  run: string;
}

export interface ExperimentSummaryRow {
  fraction: number;
  scratch: { mean: number; std: number; n: number };
  ssl: { mean: number; std: number; n: number };
  /** ssl mean - scratch mean. */
  delta: number;
}

export interface ExperimentSummary {
  experiment: 'label-efficiency';
  out: string;
  metric: string;
  checkpoint: string;
  rows: ExperimentRow[];
  summary: ExperimentSummaryRow[];
  files: { results: string; summary: string; plot: string };
  seconds: number;
}

function meanStd(values: number[]): { mean: number; std: number; n: number } {
  const v = values.filter(Number.isFinite);
  if (v.length === 0) return { mean: Number.NaN, std: Number.NaN, n: 0 };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  // Sample standard deviation (n - 1), as numpy's std(ddof=1) that papers report over seeds.
  const std = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { mean, std, n: v.length };
}

export function summarise(rows: ExperimentRow[], fractions: number[]): ExperimentSummaryRow[] {
  return fractions.map((fraction) => {
    const pick = (arm: Arm) => meanStd(rows.filter((r) => r.fraction === fraction && r.arm === arm).map((r) => r.value ?? Number.NaN));
    const scratch = pick('scratch');
    const ssl = pick('ssl');
    return { fraction, scratch, ssl, delta: ssl.mean - scratch.mean };
  });
}

function csv(header: string[], rows: (string | number | null)[][]): string {
  const cell = (v: string | number | null): string => (v === null ? '' : typeof v === 'number' ? String(Number(v.toPrecision(8))) : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return `${[header.join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n')}\n`;
}

/** The experiment's table as text (the CLI prints it). */
export function formatTable(summary: ExperimentSummaryRow[], metric: string): string {
  const f = (x: { mean: number; std: number }): string => (Number.isFinite(x.mean) ? `${x.mean.toFixed(4)} ± ${x.std.toFixed(4)}` : 'n/a');
  const lines = [
    `label fraction | scratch ${metric} | ssl ${metric} | delta`,
    ...summary.map((s) => `${String(s.fraction).padStart(14)} | ${f(s.scratch).padStart(8 + metric.length)} | ${f(s.ssl).padStart(4 + metric.length)} | ${Number.isFinite(s.delta) ? (s.delta >= 0 ? '+' : '') + s.delta.toFixed(4) : 'n/a'}`),
  ];
  return lines.join('\n');
}

/**
 * A finished run in `dir` made with exactly `config` (reused), or undefined after clearing what is there (an
 * unfinished run is redone). A finished run with another configuration is an error: silently reusing it would mix
 * settings, deleting it would destroy results.
 */
async function reuseFinished(dir: string, config: object): Promise<RunRecord | undefined> {
  if (!existsSync(join(dir, RUN_JSON))) {
    if (existsSync(dir)) await rm(dir, { recursive: true, force: true });
    return undefined;
  }
  const record = JSON.parse(await readFile(join(dir, RUN_JSON), 'utf8')) as RunRecord;
  if (record.status !== 'done') {
    await rm(dir, { recursive: true, force: true });
    return undefined;
  }
  const stored = existsSync(join(dir, CONFIG_JSON)) ? (JSON.parse(await readFile(join(dir, CONFIG_JSON), 'utf8')) as unknown) : undefined;
  if (JSON.stringify(stored) !== JSON.stringify(JSON.parse(JSON.stringify(config)))) {
    throw new Error(`${dir} holds a finished run with a different configuration; use another --out for changed settings`);
  }
  return record;
}

export async function runLabelEfficiency(config: LabelEfficiencyConfig, ctx: RunContext = {}): Promise<ExperimentSummary> {
  const started = performance.now();
  await mkdir(config.out, { recursive: true });
  await writeRunJson(config.out, CONFIG_JSON, config);
  const first = config.tasks[0];
  const kind: TaskKind = first.task;
  const metric = headlineMetric(kind).name;
  const seeds = Array.from({ length: config.seeds }, (_, i) => config.seed + i);
  const totalRuns = config.fractions.length * seeds.length * 2 + (config.from === null ? 1 : 0);
  let done = 0;
  const stage = (name: string) => (p: RunProgress) =>
    ctx.onProgress?.({ ...p, stage: name, progress: Math.min(1, (done + p.progress) / totalRuns) });
  const dataset = ctx.dataset ?? (await PatchDataset.open(config.data, { cacheDir: ctx.cacheDir }));
  const inner: RunContext = { ...ctx, dataset };

  let checkpoint = config.from;
  if (checkpoint === null) {
    const dir = join(config.out, 'pretrain');
    const pretrainConfig: PretrainConfig = {
      data: config.data,
      method: config.pretrain.method,
      backbone: config.backbone,
      width: config.width,
      modalities: config.pretrain.method === 'simclr' ? config.modalities : null,
      temperature: config.pretrain.temperature,
      epochs: config.pretrain.epochs,
      batchSize: config.pretrain.batchSize,
      optimizer: 'adam',
      lr: config.pretrain.lr,
      momentum: 0.9,
      weightDecay: 0,
      schedule: 'cosine',
      warmupEpochs: 0,
      seed: config.seed,
      maxPatches: config.maxPatches,
      out: dir,
    };
    if (await reuseFinished(dir, pretrainConfig)) {
      ctx.log?.('info', `reusing the finished pretraining in ${dir}`);
    } else {
      ctx.log?.('info', `pretraining (${config.pretrain.method}) into ${dir}`);
      await runPretrain(pretrainConfig, { ...inner, onProgress: stage('pretrain') });
    }
    done += 1;
    checkpoint = join(dir, 'checkpoint');
  }

  const rows: ExperimentRow[] = [];
  for (const fraction of config.fractions) {
    for (const seed of seeds) {
      for (const arm of ['scratch', 'ssl'] as const) {
        const dir = join(config.out, 'runs', `f${fraction}-s${seed}-${arm}`);
        const label = `fraction ${fraction} seed ${seed} ${arm}`;
        const train: TrainConfig = {
          data: config.data,
          modalities: config.modalities,
          fusion: config.fusion,
          tasks: config.tasks,
          backbone: config.backbone,
          width: config.width,
          labelFraction: fraction,
          epochs: config.epochs,
          batchSize: config.batchSize,
          optimizer: 'adam',
          lr: config.lr,
          momentum: 0.9,
          weightDecay: 0,
          schedule: 'cosine',
          warmupEpochs: 0,
          seed,
          maxPatches: config.maxPatches,
          patience: null,
          stopMetric: null,
          augment: true,
          from: arm === 'ssl' ? checkpoint : null,
          transfer: arm === 'ssl' ? config.transfer : null,
          backboneLrScale: config.backboneLrScale,
          out: dir,
        };
        let record = await reuseFinished(dir, train);
        if (record) {
          ctx.log?.('info', `${label}: reusing the finished run`);
        } else {
          ctx.log?.('info', `${label}: training`);
          await runTrain(train, { ...inner, onProgress: stage(label) });
          record = JSON.parse(await readFile(join(dir, RUN_JSON), 'utf8')) as RunRecord;
        }
        done += 1;
        const key = config.tasks.length === 1 ? metric : `${first.target}.${metric}`;
        rows.push({
          fraction,
          seed,
          arm,
          metric,
          value: record.test?.[key] ?? null,
          labelled: record.dataset?.labelled ?? 0,
          seconds: record.seconds ?? 0,
          run: dir,
        });
      }
    }
  }

  const summary = summarise(rows, config.fractions);
  const files = {
    results: join(config.out, 'results.csv'),
    summary: join(config.out, 'summary.csv'),
    plot: join(config.out, 'plot.svg'),
  };
  await writeFileAtomic(
    files.results,
    csv(['fraction', 'seed', 'arm', 'metric', 'value', 'labelled', 'seconds', 'run'], rows.map((r) => [r.fraction, r.seed, r.arm, r.metric, r.value, r.labelled, r.seconds, r.run])),
  );
  await writeFileAtomic(
    files.summary,
    csv(
      ['fraction', 'scratch_mean', 'scratch_std', 'ssl_mean', 'ssl_std', 'delta', 'seeds'],
      summary.map((s) => [s.fraction, s.scratch.mean, s.scratch.std, s.ssl.mean, s.ssl.std, s.delta, s.scratch.n]),
    ),
  );
  await writeFileAtomic(
    files.plot,
    linePlotSvg(
      [
        { name: 'from scratch', color: '#888888', points: summary.map((s) => ({ x: s.fraction, ...s.scratch })) },
        { name: `SSL (${config.transfer})`, color: '#1f6fd1', points: summary.map((s) => ({ x: s.fraction, ...s.ssl })) },
      ],
      {
        title: `Label efficiency: test ${metric} of ${first.target} (mean ± std, ${seeds.length} seeds)`,
        xLabel: 'fraction of training labels',
        yLabel: `test ${metric}`,
        logX: true,
      },
    ),
  );
  const result: ExperimentSummary = {
    experiment: 'label-efficiency',
    out: config.out,
    metric,
    checkpoint,
    rows,
    summary,
    files,
    seconds: (performance.now() - started) / 1000,
  };
  await writeRunJson(config.out, 'experiment.json', result);
  return result;
}
