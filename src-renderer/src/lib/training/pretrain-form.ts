import type { PretrainConfigInput } from '../../../../src-main/api/training';
import { childPath, runsFolder, safeRunName, timeStamp } from './experiment-form';
import type { DatasetFacts, Finding } from './validate';
import { canonicalModalities, modalityChoice, type Backbone, type Modality, type Ssl } from './vocabulary';

/** The pretrain panel's form: self-supervised pretraining on unlabelled patches into an encoder checkpoint. */
export interface PretrainForm {
  data: string | null;
  method: Ssl;
  backbone: Backbone;
  width: number;
  /** SimCLR's encoder input; contrastive-s1s2 always reads S2 and S1. */
  modalities: Modality[];
  temperature: number;
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  name: string;
}

export function defaultPretrainForm(): PretrainForm {
  return {
    data: null,
    method: 'contrastive-s1s2',
    backbone: 'resnet18',
    width: 16,
    modalities: ['s2'],
    // The lecture's S1/S2 setup.
    temperature: 0.1,
    epochs: 10,
    batchSize: 32,
    lr: 1e-3,
    seed: 0,
    name: '',
  };
}

export function pretrainFolderFor(form: PretrainForm, workspace: string, now: Date): string {
  const slug = form.method === 'simclr' ? `simclr-${canonicalModalities(form.modalities).join('-')}` : 'contrastive-s1s2';
  const name = safeRunName(form.name) || `${timeStamp(now)}-pretrain-${slug}-${form.backbone}${form.width}`;
  return childPath(runsFolder(workspace), name);
}

export function toPretrainConfig(form: PretrainForm, out: string): PretrainConfigInput {
  if (form.data === null) throw new Error('no dataset chosen');
  return {
    data: form.data,
    method: form.method,
    backbone: form.backbone,
    width: form.width,
    modalities: form.method === 'simclr' ? canonicalModalities(form.modalities) : null,
    temperature: form.temperature,
    epochs: form.epochs,
    batchSize: form.batchSize,
    lr: form.lr,
    seed: form.seed,
    out,
  };
}

/** The modalities a pretraining reads. */
export function pretrainInputs(form: Pick<PretrainForm, 'method' | 'modalities'>): Modality[] {
  return form.method === 'contrastive-s1s2' ? ['s2', 's1'] : canonicalModalities(form.modalities);
}

export function checkPretrain(form: PretrainForm, facts: DatasetFacts | null): Finding[] {
  const out: Finding[] = [];
  if (form.data === null) out.push({ level: 'error', field: 'data', code: 'no-data', message: 'Choose a dataset.' });
  const inputs = pretrainInputs(form);
  if (form.method === 'simclr') {
    if (inputs.length === 0) out.push({ level: 'error', field: 'modalities', code: 'no-modality', message: 'Choose the modalities SimCLR encodes.' });
    else if (!inputs.some((m) => modalityChoice(m).spatial)) {
      out.push({
        level: 'error',
        field: 'modalities',
        code: 'simclr-image',
        message: "SimCLR's views are augmented images: choose at least one image modality (S2, S1, DEM).",
      });
    }
  }
  if (facts) {
    for (const m of inputs) {
      if ((facts.have[m] ?? 0) === 0) {
        const why = form.method === 'contrastive-s1s2' ? ' (S1 ↔ S2 contrastive pairs co-located S1 and S2 patches)' : '';
        out.push({ level: 'error', field: 'modalities', code: `missing:${m}`, message: `The dataset has no ${modalityChoice(m).label}${why}.` });
      }
    }
    if (facts.train > 0 && facts.train < form.batchSize) {
      out.push({ level: 'warning', field: 'optim', code: 'small-train', message: `Only ${facts.train} training patches for batches of ${form.batchSize}: each epoch is one small batch.` });
    }
    if (facts.val === 0) out.push({ level: 'note', field: 'data', code: 'no-val', message: 'No validation split: the last epoch is kept.' });
  }
  if (!Number.isInteger(form.batchSize) || form.batchSize < 2) {
    out.push({ level: 'error', field: 'optim', code: 'batch', message: 'Contrastive learning needs batches of at least 2 (the other patches are the negatives).' });
  } else if (form.batchSize < 8) {
    out.push({ level: 'warning', field: 'optim', code: 'batch-small', message: `With ${form.batchSize} patches a batch has only ${form.batchSize - 1} negatives per pair; 16–64 learn better features.` });
  }
  if (!(form.temperature > 0) || !Number.isFinite(form.temperature)) out.push({ level: 'error', field: 'optim', code: 'temperature', message: 'The temperature must be a positive number.' });
  if (!Number.isInteger(form.epochs) || form.epochs < 1) out.push({ level: 'error', field: 'optim', code: 'epochs', message: 'Epochs must be a whole number ≥ 1.' });
  if (!(form.lr > 0) || !Number.isFinite(form.lr)) out.push({ level: 'error', field: 'optim', code: 'lr', message: 'The learning rate must be a positive number.' });
  if (!Number.isInteger(form.seed)) out.push({ level: 'error', field: 'optim', code: 'seed', message: 'The seed must be a whole number.' });
  if (form.width > 32) out.push({ level: 'warning', field: 'backbone', code: 'wide', message: `Width ${form.width} is slow on a CPU; 8–16 train in minutes.` });
  const rank = { error: 0, warning: 1, note: 2 } as const;
  return out.sort((a, b) => rank[a.level] - rank[b.level]);
}
