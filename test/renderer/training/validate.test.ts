import { describe, expect, it } from 'vitest';
import { parseTaskModelSpec } from '../../../src-main/core/models/spec';
import { encodersOf, sslEncoders, type CheckpointChoice } from '../../../src-renderer/src/lib/training/checkpoints';
import { defaultExperimentForm, type ExperimentForm } from '../../../src-renderer/src/lib/training/experiment-form';
import { checkExperiment, hasErrors, labelledOf, type DatasetFacts } from '../../../src-renderer/src/lib/training/validate';
import { MODALITY_CHOICES, TARGET_CHOICES, type Modality, type Target } from '../../../src-renderer/src/lib/training/vocabulary';

/**
 * The experiment panel's checks of choices that cannot work. The model rules are compared with the models layer's
 * own parser (parseTaskModelSpec) over every modality/target/backbone combination, so the panel cannot refuse a run
 * the services would accept, nor let through one they refuse.
 */

const BENGE: DatasetFacts = {
  patches: 200,
  train: 160,
  val: 20,
  test: 20,
  have: { s2: 200, s1: 200, dem: 200, worldcover: 200, climatezone: 200, season: 200, era5: 200 },
};

function form(patch: Partial<ExperimentForm> = {}): ExperimentForm {
  return { ...defaultExperimentForm(), data: '/data/benge', ...patch };
}

function codes(f: ExperimentForm, facts: DatasetFacts | null = BENGE, ckpt: CheckpointChoice | null = null): string[] {
  return checkExperiment(f, facts, ckpt)
    .filter((x) => x.level === 'error')
    .map((x) => x.code);
}

function ssl(encoders: Modality[][], patch: Partial<CheckpointChoice> = {}): CheckpointChoice {
  return { path: '/ws/runs/ssl', kind: 'ssl', name: 'ssl', backbone: 'resnet18', width: 16, encoders, method: 'contrastive-s1s2', ...patch };
}

describe('experiment checks', () => {
  it('accepts the CPU defaults on a complete dataset', () => {
    const findings = checkExperiment(form(), BENGE, null);
    expect(hasErrors(findings)).toBe(false);
  });

  it('asks for a dataset, a modality and a task', () => {
    expect(codes(form({ data: null, modalities: [], tasks: [] }))).toEqual(expect.arrayContaining(['no-data', 'no-modality', 'no-task']));
  });

  it('explains that segmentation needs a U-Net and offers the fix', () => {
    const f = form({ tasks: [{ target: 'worldcover', weight: 1 }] });
    const seg = checkExperiment(f, BENGE, null).find((x) => x.code === 'seg-backbone');
    expect(seg?.level).toBe('error');
    expect(seg?.message).toMatch(/U-Net/);
    expect(seg?.fix?.patch).toEqual({ backbone: 'unet' });
    expect(codes({ ...f, ...seg?.fix?.patch })).toEqual([]);
  });

  it('explains that segmentation needs WorldCover maps in the dataset', () => {
    const noMaps: DatasetFacts = { ...BENGE, have: { s2: 200, s1: 200 } };
    const f = form({ tasks: [{ target: 'worldcover', weight: 1 }], backbone: 'unet' });
    const found = checkExperiment(f, noMaps, null).find((x) => x.code === 'missing:worldcover');
    expect(found?.level).toBe('error');
    expect(found?.message).toMatch(/WorldCover maps/);
    // A modality the dataset lacks is an error too; one that only some patches have is a note.
    expect(codes(form({ modalities: ['s2', 'dem'] }), noMaps)).toContain('missing:dem');
    const partial = checkExperiment(form({ modalities: ['s2', 's1'] }), { ...BENGE, have: { ...BENGE.have, s1: 150 } }, null);
    expect(partial.find((x) => x.code === 'partial:s1')?.level).toBe('note');
  });

  it('refuses label leaks: WorldCover as input with a WorldCover-derived target, season with season', () => {
    const leak = checkExperiment(form({ modalities: ['s2', 'worldcover'], tasks: [{ target: 'lulc', weight: 1 }] }), BENGE, null);
    const f = leak.find((x) => x.code === 'leak:lulc');
    expect(f?.level).toBe('error');
    expect(f?.fix?.patch).toEqual({ modalities: ['s2'] });
    expect(codes(form({ modalities: ['s2', 'season'], tasks: [{ target: 'season', weight: 1 }] }))).toContain('leak:season');
    // WorldCover as input is fine for a target it does not determine.
    expect(codes(form({ modalities: ['s2', 'worldcover'], tasks: [{ target: 'climatezone', weight: 1 }] }))).toEqual([]);
  });

  it('refuses a target twice and non-positive loss weights', () => {
    const f = form({ tasks: [{ target: 'lulc', weight: 1 }, { target: 'lulc', weight: 0.5 }] });
    expect(codes(f)).toContain('dup-target');
    expect(codes(form({ tasks: [{ target: 'lulc', weight: 0 }] }))).toContain('weight:lulc');
  });

  it('agrees with the models layer on every modality set, target and backbone', () => {
    const mods = MODALITY_CHOICES.map((m) => m.id);
    let compared = 0;
    let refused = 0;
    for (let mask = 1; mask < 1 << mods.length; mask++) {
      const modalities = mods.filter((_, i) => mask & (1 << i));
      for (const t of TARGET_CHOICES) {
        for (const backbone of ['resnet18', 'unet'] as const) {
          for (const fusion of ['early', 'late'] as const) {
            const f = form({ modalities, tasks: [{ target: t.id as Target, weight: 1 }], backbone, fusion });
            let coreRefuses = false;
            try {
              parseTaskModelSpec({ modalities, fusion, backbone, width: 8, tasks: [{ target: t.id, kind: t.task }] });
            } catch {
              coreRefuses = true;
            }
            // Dataset availability aside (null facts), the panel's errors are exactly the model rules.
            expect(hasErrors(checkExperiment(f, null, null)), `${modalities.join('+')} ${fusion} ${backbone} → ${t.id}`).toBe(coreRefuses);
            compared++;
            if (coreRefuses) refused++;
          }
        }
      }
    }
    expect(compared).toBe(127 * TARGET_CHOICES.length * 4);
    expect(refused).toBeGreaterThan(0);
  });
});

describe('checkpoint checks', () => {
  it('says an S1 encoder cannot take S2 input', () => {
    const s1Only = ssl([['s1']], { method: 'simclr' });
    const f = form({ init: 'ssl', checkpoint: s1Only.path, fusion: 'late' });
    const found = checkExperiment(f, BENGE, s1Only).find((x) => x.code === 'ckpt-encoders');
    expect(found?.level).toBe('error');
    expect(found?.message).toMatch(/Sentinel-1/);
    expect(found?.message).toMatch(/cannot take Sentinel-2/);
  });

  it('tells that an S1/S2 contrastive checkpoint needs late fusion, with the fix', () => {
    const ckpt = ssl(sslEncoders('contrastive-s1s2', null));
    const early = form({ modalities: ['s2', 's1'], init: 'ssl', checkpoint: ckpt.path, fusion: 'early' });
    const found = checkExperiment(early, BENGE, ckpt).find((x) => x.code === 'ckpt-encoders');
    expect(found?.message).toMatch(/one encoder per sensor/);
    expect(found?.fix?.patch).toEqual({ fusion: 'late' });
    expect(codes({ ...early, ...found?.fix?.patch }, BENGE, ckpt)).toEqual([]);
  });

  it('notes the branches that start from scratch', () => {
    const ckpt = ssl(sslEncoders('contrastive-s1s2', null));
    const f = form({ modalities: ['s2', 's1', 'dem'], fusion: 'late', init: 'ssl', checkpoint: ckpt.path });
    const note = checkExperiment(f, BENGE, ckpt).find((x) => x.code === 'ckpt-partial');
    expect(note?.level).toBe('note');
    expect(note?.message).toMatch(/^DEM starts from scratch/);
  });

  it('requires the checkpoint backbone and width, and a chosen checkpoint', () => {
    const ckpt = ssl([['s2']], { backbone: 'unet', width: 8, method: 'simclr' });
    const f = form({ init: 'ssl', checkpoint: ckpt.path });
    const found = checkExperiment(f, BENGE, ckpt).find((x) => x.code === 'ckpt-backbone');
    expect(found?.fix?.patch).toEqual({ backbone: 'unet', width: 8 });
    expect(codes(form({ init: 'supervised', checkpoint: null }))).toContain('no-checkpoint');
    const unknown = checkExperiment(form({ init: 'ssl', checkpoint: '/gone' }), BENGE, null).find((x) => x.code === 'ckpt-unknown');
    expect(unknown?.level).toBe('warning');
  });

  it('says a ResNet checkpoint cannot serve segmentation instead of offering to switch back to ResNet', () => {
    const ckpt = ssl(sslEncoders('contrastive-s1s2', null));
    const f = form({ modalities: ['s2', 's1'], fusion: 'late', backbone: 'unet', tasks: [{ target: 'worldcover', weight: 1 }], init: 'ssl', checkpoint: ckpt.path });
    const found = checkExperiment(f, BENGE, ckpt).filter((x) => x.level === 'error');
    expect(found.map((x) => x.code)).toEqual(['ckpt-seg']);
    expect(found[0].message).toMatch(/segmentation needs a U-Net/);
    expect(found[0].fix).toBeUndefined();
    expect(codes(f, BENGE, { ...ckpt, backbone: 'unet' })).toEqual([]);
  });

  it('counts the labelled patches exactly only for a lulc head on complete patches', () => {
    const facts: DatasetFacts = { ...BENGE, lulcTrainCounts: [100, 50, 10] };
    expect(labelledOf(form({ labelFraction: 0.1 }), facts)).toEqual({ count: 16, of: 160, exact: true });
    expect(labelledOf(form({ labelFraction: 0.1, tasks: [{ target: 'climatezone', weight: 1 }] }), facts)).toEqual({ count: 16, of: 160, exact: false });
    // A WorldCover mask target: at least one patch per class present, as the dominant classes tell.
    expect(labelledOf(form({ labelFraction: 0.01, tasks: [{ target: 'worldcover', weight: 1 }] }), facts)).toEqual({ count: 3, of: 160, exact: false });
    expect(labelledOf(form({ labelFraction: 0.1 }), { ...facts, have: { ...facts.have, s2: 150 } })?.exact).toBe(false);
    expect(labelledOf(form(), null)).toBeNull();
  });

  it('matches encoders as the models layer builds them (early: one stacked, late: one per image modality)', () => {
    expect(encodersOf(['s1', 's2', 'season'], 'early')).toEqual([['s2', 's1', 'season']]);
    expect(encodersOf(['s1', 's2', 'season'], 'late')).toEqual([['s2'], ['s1']]);
    const simclr = ssl(sslEncoders('simclr', ['s2']), { method: 'simclr' });
    // SimCLR on S2 fits S2 early fusion, not S2 + season early fusion (a different first convolution).
    expect(codes(form({ init: 'ssl', checkpoint: simclr.path }), BENGE, simclr)).toEqual([]);
    expect(codes(form({ modalities: ['s2', 'season'], init: 'ssl', checkpoint: simclr.path }), BENGE, simclr)).toContain('ckpt-encoders');
  });
});

describe('label fraction and optimisation checks', () => {
  it('notes a fraction that fills less than one batch and errors on bad numbers', () => {
    const f = form({ labelFraction: 0.05, batchSize: 16 });
    const one = checkExperiment(f, BENGE, null).find((x) => x.code === 'one-batch');
    expect(one?.message).toMatch(/^8 labelled patches/);
    expect(codes(form({ labelFraction: 0 }))).toContain('fraction');
    expect(codes(form({ epochs: 0, batchSize: 2.5, lr: -1, seed: 0.5 }))).toEqual(expect.arrayContaining(['epochs', 'batch', 'lr', 'seed']));
  });

  it('lists errors before warnings before notes', () => {
    const f = form({ data: null, width: 64, labelFraction: 0.05 });
    const levels = checkExperiment(f, BENGE, null).map((x) => x.level);
    expect(levels).toEqual([...levels].sort((a, b) => ['error', 'warning', 'note'].indexOf(a) - ['error', 'warning', 'note'].indexOf(b)));
    expect(levels).toEqual(expect.arrayContaining(['error', 'warning', 'note']));
  });
});
