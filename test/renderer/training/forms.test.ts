import { describe, expect, it } from 'vitest';
import { LabelEfficiencyConfig, PretrainConfig, TrainConfig } from '../../../src-main/api/training';
import {
  childPath,
  defaultExperimentForm,
  formatFraction,
  formFromConfig,
  LABEL_FRACTION_STOPS,
  runFolderFor,
  runSlug,
  toTrainConfig,
  type ExperimentForm,
} from '../../../src-renderer/src/lib/training/experiment-form';
import { checkPretrain, defaultPretrainForm, pretrainFolderFor, toPretrainConfig } from '../../../src-renderer/src/lib/training/pretrain-form';
import type { DatasetFacts } from '../../../src-renderer/src/lib/training/validate';

/** The panels' forms become configurations the contract accepts (its zod schemas are the judge). */

const NOW = new Date(2025, 10, 21, 9, 5, 7);

describe('experiment form', () => {
  it('becomes a valid TrainConfig: defaults, and S2+S1 late segmentation from a checkpoint at 10%', () => {
    const plain = TrainConfig.parse(toTrainConfig({ ...defaultExperimentForm(), data: '/d' }, '/ws/runs/a'));
    expect(plain).toMatchObject({ modalities: ['s2'], fusion: 'early', backbone: 'resnet18', width: 16, from: null, transfer: null, augment: true });
    const seg = TrainConfig.parse(
      toTrainConfig(
        {
          ...defaultExperimentForm(),
          data: '/d',
          modalities: ['s1', 's2'],
          fusion: 'late',
          tasks: [{ target: 'worldcover', weight: 1 }],
          backbone: 'unet',
          init: 'ssl',
          checkpoint: '/ws/runs/pre',
          transfer: 'frozen',
          labelFraction: 0.1,
        },
        '/ws/runs/b',
      ),
    );
    expect(seg).toMatchObject({
      modalities: ['s2', 's1'],
      tasks: [{ task: 'segmentation', target: 'worldcover', weight: 1 }],
      from: '/ws/runs/pre',
      transfer: 'frozen',
      labelFraction: 0.1,
    });
  });

  it('comes back from a run folder config (repeat a run), unknown fields keeping their defaults', () => {
    const form = {
      ...defaultExperimentForm(),
      data: '/d',
      modalities: ['s2', 's1', 'era5'] as ExperimentForm['modalities'],
      fusion: 'late' as const,
      tasks: [{ target: 'worldcover' as const, weight: 2 }, { target: 'season' as const, weight: 0.5 }],
      backbone: 'unet' as const,
      width: 8,
      init: 'ssl' as const,
      checkpoint: '/ws/runs/pre',
      transfer: 'frozen' as const,
      labelFraction: 0.05,
      augment: false,
      epochs: 7,
      batchSize: 4,
      lr: 3e-4,
      seed: 12,
    };
    // Through the contract's schema and JSON, as config.json holds it.
    const stored = JSON.parse(JSON.stringify(TrainConfig.parse(toTrainConfig(form, '/ws/runs/x'))));
    expect(formFromConfig(stored)).toEqual({ ...form, name: '' });
    expect(formFromConfig({ modalities: ['s9'], tasks: 'x', width: 'wide' })).toEqual({ ...defaultExperimentForm(), data: null });
  });

  it('drops a leftover checkpoint when starting from scratch, and needs a dataset', () => {
    const c = toTrainConfig({ ...defaultExperimentForm(), data: '/d', init: 'scratch', checkpoint: '/ws/runs/pre' }, '/o');
    expect(c.from).toBeNull();
    expect(c.transfer).toBeNull();
    expect(() => toTrainConfig(defaultExperimentForm(), '/o')).toThrow(/dataset/);
  });

  it('names run folders after what they do, in the workspace runs folder', () => {
    const f = { ...defaultExperimentForm(), modalities: ['s1', 's2'] as const, fusion: 'late' as const, tasks: [{ target: 'worldcover' as const, weight: 1 }], labelFraction: 0.1, init: 'ssl' as const };
    expect(runSlug({ ...f, modalities: [...f.modalities] })).toBe('s2-s1-late-worldcover-10pct-ssl');
    expect(runFolderFor({ ...f, modalities: [...f.modalities], name: '' }, '/ws/', NOW)).toBe('/ws/runs/20251121-090507-s2-s1-late-worldcover-10pct-ssl');
    expect(runFolderFor({ ...f, modalities: [...f.modalities], name: ' my run/../x ' }, '/ws', NOW)).toBe('/ws/runs/my-run_.._x');
    expect(childPath('C:\\Users\\me\\ws', 'runs', 'a')).toBe('C:\\Users\\me\\ws\\runs\\a');
    expect(formatFraction(0.01)).toBe('1%');
    expect(formatFraction(0.025)).toBe('2.5%');
    expect(formatFraction(0.1)).toBe('10%');
  });

  it('has one list of label fractions for the slider and the label-efficiency experiment', () => {
    // The Experiment panel's slider and the Runs panel's experiment boxes both read this list: a fraction a single
    // run can use (25% among them) can be a point of the curve, and the other way round.
    const stops = [...LABEL_FRACTION_STOPS];
    expect(stops).toEqual([...stops].sort((a, b) => a - b));
    expect(new Set(stops.map(formatFraction)).size).toBe(stops.length);
    // The lecture's 1%, 10%, 100%, the quarter the slider always offered, and the Runs panel's former choices.
    for (const f of [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1]) expect(stops).toContain(f);
    expect(stops.map(formatFraction)).toContain('25%');
    // Every stop is a fraction both the single run and the experiment accept.
    expect(LabelEfficiencyConfig.safeParse({ data: '/d', out: '/ws/exp', fractions: stops }).success).toBe(true);
    for (const f of stops) expect(TrainConfig.shape.labelFraction.safeParse(f).success).toBe(true);
  });
});

describe('pretrain form', () => {
  const facts: DatasetFacts = { patches: 100, train: 80, val: 10, test: 10, have: { s2: 100 } };

  it('becomes a valid PretrainConfig', () => {
    const c = PretrainConfig.parse(toPretrainConfig({ ...defaultPretrainForm(), data: '/d' }, '/ws/runs/p'));
    expect(c).toMatchObject({ method: 'contrastive-s1s2', modalities: null, temperature: 0.1, batchSize: 32 });
    const s = PretrainConfig.parse(toPretrainConfig({ ...defaultPretrainForm(), data: '/d', method: 'simclr', modalities: ['s1', 's2'] }, '/o'));
    expect(s.modalities).toEqual(['s2', 's1']);
    expect(pretrainFolderFor(defaultPretrainForm(), '/ws', NOW)).toBe('/ws/runs/20251121-090507-pretrain-contrastive-s1s2-resnet1816');
  });

  it('explains S1 ↔ S2 contrastive on a dataset without S1, SimCLR without images, tiny batches', () => {
    const codes = (f: Parameters<typeof checkPretrain>[0]) => checkPretrain(f, facts).map((x) => `${x.level}:${x.code}`);
    const base = { ...defaultPretrainForm(), data: '/d' };
    expect(codes(base)).toContain('error:missing:s1');
    expect(checkPretrain(base, facts).find((x) => x.code === 'missing:s1')?.message).toMatch(/co-located S1 and S2/);
    expect(codes({ ...base, method: 'simclr', modalities: ['s2'] }).filter((c) => c.startsWith('error'))).toEqual([]);
    expect(codes({ ...base, method: 'simclr', modalities: ['season'] })).toContain('error:simclr-image');
    expect(codes({ ...base, method: 'simclr', batchSize: 1 })).toContain('error:batch');
    expect(codes({ ...base, method: 'simclr', batchSize: 4 })).toContain('warning:batch-small');
  });
});
