import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LabelEfficiencyConfig } from '../../../src-main/api/training';
import { PatchDataset } from '../../../src-main/core/data/dataset';
import { formatTable, runLabelEfficiency, summarise, type ExperimentRow } from '../../../src-main/core/train/experiment';
import { linePlotSvg } from '../../../src-main/core/train/plot-svg';
import { writeBengeFixture } from '../data/helpers/write-benge';

const root = mkdtempSync(join(tmpdir(), 'tf-exp-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('label-efficiency experiment', () => {
  it('summarises mean and sample std per fraction and arm', () => {
    const row = (fraction: number, arm: 'scratch' | 'ssl', value: number): ExperimentRow => ({ fraction, seed: 0, arm, metric: 'f1_macro', value, labelled: 1, seconds: 1, run: '' });
    const s = summarise([row(0.1, 'scratch', 0.2), row(0.1, 'scratch', 0.4), row(0.1, 'ssl', 0.5), row(0.1, 'ssl', 0.7), row(1, 'ssl', 0.9)], [0.1, 1]);
    expect(s[0].scratch.mean).toBeCloseTo(0.3, 12);
    expect(s[0].scratch.std).toBeCloseTo(Math.sqrt(0.02), 12);
    expect(s[0].delta).toBeCloseTo(0.3, 12);
    expect(s[1].scratch.n).toBe(0);
    expect(formatTable(s, 'f1_macro')).toMatch(/0\.1 \|.*0\.3000 ± 0\.1414.*\+0\.3000/);
    const svg = linePlotSvg([{ name: 'a', color: '#000', points: [{ x: 0.1, mean: 0.3, std: 0.1 }, { x: 1, mean: 0.5, std: 0 }] }], { title: 't', xLabel: 'x', yLabel: 'y', logX: true });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toMatch(/<polyline/);
  });

  it('runs pretrain + scratch/ssl at each fraction and seed, writes CSV and SVG, and resumes from finished runs', async () => {
    const data = join(root, 'data');
    writeBengeFixture(data, { patches: 10 });
    const dataset = await PatchDataset.open(data, { cacheDir: join(root, 'cache') });
    const config = LabelEfficiencyConfig.parse({
      data, fractions: [0.5, 1], seeds: 1, width: 2, epochs: 1, batchSize: 3, transfer: 'full',
      pretrain: { method: 'contrastive-s1s2', epochs: 1, batchSize: 3 }, out: join(root, 'exp'),
    });
    const stages = new Set<string>();
    const r = await runLabelEfficiency(config, { dataset, onProgress: (p) => p.stage && stages.add(p.stage) });
    expect(r.rows.map((x) => [x.fraction, x.arm])).toEqual([[0.5, 'scratch'], [0.5, 'ssl'], [1, 'scratch'], [1, 'ssl']]);
    expect(r.rows.every((x) => x.value !== null && x.metric === 'f1_macro')).toBe(true);
    // The fraction reaches the runs (this fixture has one patch per class in train, so stratification keeps all).
    expect(r.rows[0].labelled).toBe(dataset.labelFraction(0.5, 0, 'lulc', ['s2', 'lulc']).labelled.length);
    expect(r.rows[2].labelled).toBe(dataset.indices({ split: 'train', require: ['s2', 'lulc'] }).length);
    expect([...stages]).toEqual(expect.arrayContaining(['pretrain', 'fraction 0.5 seed 0 ssl']));
    const csv = readFileSync(r.files.results, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('fraction,seed,arm,metric,value,labelled,seconds,run');
    expect(csv).toHaveLength(5);
    expect(readFileSync(r.files.plot, 'utf8')).toMatch(/<svg[^]*SSL \(full\)/);
    const ssl = JSON.parse(readFileSync(join(r.rows[1].run, 'run.json'), 'utf8'));
    expect(ssl.notes[0]).toMatch(/transfer full from .*pretrain/);
    // Starting it again reuses every finished run (and the pretraining): same numbers, no training.
    const again = await runLabelEfficiency(config, { dataset, onProgress: () => { throw new Error('should not train'); } });
    expect(again.rows.map((x) => x.value)).toEqual(r.rows.map((x) => x.value));
    // Changed settings on the same folder are refused, not mixed with the old runs.
    await expect(runLabelEfficiency({ ...config, pretrain: { ...config.pretrain, epochs: 2 } }, { dataset })).rejects.toThrow(/different configuration/);
  });
});
