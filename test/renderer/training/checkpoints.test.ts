import { describe, expect, it } from 'vitest';
import type { RunInfo } from '../../../src-main/api/training';
import { MODALITIES, type ModalityId } from '../../../src-main/core/data/modalities';
import { encoderParts } from '../../../src-main/core/models/fusion';
import type { CheckpointMeta } from '../../../src-main/core/train/checkpoint';
import { sslEncoderPlan } from '../../../src-main/core/train/ssl';
import { matchEncoders as coreMatch, modalityBands, modalityNormalisation } from '../../../src-main/core/train/transfer';
import {
  checkpointOfRun,
  encodersOf,
  matchEncoders,
  sslEncoders,
} from '../../../src-renderer/src/lib/training/checkpoints';
import { MODALITY_CHOICES, type Modality } from '../../../src-renderer/src/lib/training/vocabulary';

/** The panel's idea of a checkpoint's encoders, compared with the models and training layers' own code. */

const ALL = MODALITY_CHOICES.map((m) => m.id);
const subsets = (): Modality[][] => Array.from({ length: (1 << ALL.length) - 1 }, (_, k) => ALL.filter((_, i) => (k + 1) & (1 << i)));

function meta(encoders: Modality[][]): CheckpointMeta {
  const mods = [...new Set(encoders.flat())] as ModalityId[];
  return {
    format: 'terrafuse-checkpoint',
    version: 1,
    kind: 'encoder',
    created: '',
    engine: { backend: 'wasm', version: '' },
    backbone: 'resnet18',
    width: 8,
    inputSize: [120, 120],
    modalities: mods.map((m) => ({ id: m, bands: modalityBands(m), normalisation: modalityNormalisation(m) })),
    heads: [],
    encoders: encoders.map((e, i) => ({ prefix: `enc${i}`, modalities: e, channels: e.reduce((s, m) => s + MODALITIES[m].channels, 0), features: 64 })),
  } as unknown as CheckpointMeta;
}

function run(kind: 'train' | 'pretrain', config: Record<string, unknown>, checkpoint: string | null = '/ws/runs/x/checkpoint'): RunInfo {
  return { path: '/ws/runs/x', kind, status: 'done', config: config as RunInfo['config'], history: [], best: null, test: null, checkpoint };
}

describe('checkpoint encoders', () => {
  it('are those encoderParts builds for every modality set and fusion', () => {
    for (const mods of subsets()) {
      for (const fusion of ['early', 'late'] as const) {
        const core = encoderParts({ modalities: ALL.filter((m) => mods.includes(m)), fusion, backbone: 'resnet18', width: 8 }).map((p) => p.modalities);
        expect(encodersOf(mods, fusion)).toEqual(core);
      }
    }
  });

  it('are those the SSL methods train', () => {
    expect(sslEncoders('contrastive-s1s2', null)).toEqual(sslEncoderPlan('contrastive-s1s2').map((p) => p.modalities));
    expect(sslEncoders('simclr', ['s1', 's2'])).toEqual(sslEncoderPlan('simclr', ['s1', 's2']).map((p) => p.modalities));
    expect(sslEncoders('simclr', null)).toEqual(sslEncoderPlan('simclr').map((p) => p.modalities));
  });

  it('match exactly when the transfer code finds a match', () => {
    const checkpoints: Modality[][][] = [[['s2'], ['s1']], [['s2']], [['s1']], [['s2', 's1']], [['s2', 'dem']]];
    for (const ck of checkpoints) {
      for (const mods of subsets()) {
        for (const fusion of ['early', 'late'] as const) {
          const runEncoders = encoderParts({ modalities: ALL.filter((m) => mods.includes(m)), fusion, backbone: 'resnet18', width: 8 });
          if (runEncoders.length === 0) continue;
          let coreMatched: number;
          try {
            coreMatched = coreMatch(meta(ck), { backbone: 'resnet18', width: 8, inputSize: 120, encoders: runEncoders, modalities: [], heads: [] }).matches.length;
          } catch {
            coreMatched = 0;
          }
          expect(matchEncoders(ck, encodersOf(mods, fusion)).matched.length, `${JSON.stringify(ck)} ← ${mods.join('+')} ${fusion}`).toBe(coreMatched);
        }
      }
    }
  });

  it('are read from run folders: pretraining runs offer SSL checkpoints, training runs supervised ones', () => {
    const p = checkpointOfRun(run('pretrain', { method: 'contrastive-s1s2', backbone: 'unet', width: 8, modalities: null }));
    expect(p).toMatchObject({ kind: 'ssl', backbone: 'unet', width: 8, method: 'contrastive-s1s2', encoders: [['s2'], ['s1']], name: 'x' });
    const t = checkpointOfRun(
      run('train', { modalities: ['s1', 's2'], fusion: 'late', backbone: 'unet', width: 16, tasks: [{ task: 'segmentation', target: 'worldcover', weight: 1 }] }),
    );
    expect(t).toMatchObject({ kind: 'supervised', encoders: [['s2'], ['s1']], targets: ['worldcover'] });
    // No checkpoint (cancelled before the first validated epoch) or an unreadable config: nothing to offer.
    expect(checkpointOfRun(run('pretrain', { method: 'simclr', backbone: 'resnet18', width: 8 }, null))).toBeNull();
    expect(checkpointOfRun(run('train', { modalities: ['s2'], backbone: 'vgg', width: 8 }))).toBeNull();
  });
});
