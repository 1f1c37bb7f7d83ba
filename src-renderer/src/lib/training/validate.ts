import type { DatasetSummary } from '../../../../src-main/api/datasets';
import { describeEncoders, encodersOf, matchEncoders, type CheckpointChoice } from './checkpoints';
import type { ExperimentForm } from './experiment-form';
import { estimateLabelled, type LabelledEstimate } from './label-fraction';
import {
  canonicalModalities,
  modalityChoice,
  TARGET_NEEDS,
  TARGET_SOURCE,
  targetChoice,
  type Modality,
  type Target,
} from './vocabulary';

/**
 * Choices that cannot work, explained before launch. The services refuse such runs too (core/models/spec.ts,
 * core/train/transfer.ts), but only after the job started; here the user sees why while choosing, next to the
 * field, often with a one-click fix. Pure functions of the form and what is known about the dataset and the
 * checkpoint, so they are unit-tested without a browser.
 */

export type FindingLevel = 'error' | 'warning' | 'note';
export type FindingField = 'data' | 'modalities' | 'fusion' | 'tasks' | 'backbone' | 'init' | 'labelFraction' | 'optim';

export interface Finding {
  level: FindingLevel;
  field: FindingField;
  /** A short stable key (tests and de-duplication). */
  code: string;
  message: string;
  /** A change of the form that resolves it. */
  fix?: { label: string; patch: Partial<ExperimentForm> };
}

/** What the panels know about the chosen dataset (from DatasetSummary and, when loaded, its index). */
export interface DatasetFacts {
  patches: number;
  train: number;
  val: number;
  test: number;
  /** Patches having each modality or label source (DatasetSummary.modalities; `ben19` when the dataset has those labels). */
  have: Record<string, number>;
  /** Per-class counts of the training split's dominant land cover (`lulc`), when the index is loaded. */
  lulcTrainCounts?: number[];
}

export function factsFromSummary(s: DatasetSummary, lulcTrainCounts?: number[]): DatasetFacts {
  const have: Record<string, number> = { ...s.modalities };
  // BigEarthNet labels are a dataset property (classes.ben19), not a per-patch modality count.
  if (s.classes.ben19 && s.classes.ben19.length > 0) have.labels = have.labels ?? s.patches;
  return { patches: s.patches, train: s.splits.train, val: s.splits.val, test: s.splits.test, have, lulcTrainCounts };
}

const label = (m: Modality) => modalityChoice(m).label;
const tlabel = (t: Target) => targetChoice(t).label;

/** The labelled patches a form's fraction means on a dataset (exact for a lone `lulc` head with known counts). */
export function labelledOf(form: Pick<ExperimentForm, 'labelFraction' | 'tasks' | 'modalities'>, facts: DatasetFacts | null): LabelledEstimate | null {
  if (!facts) return null;
  // The data layer stratifies by the first classification target; the index holds the counts of `lulc` only, and
  // they are the training split's only when every patch has every chosen input.
  const stratifiedBy = form.tasks.find((t) => targetChoice(t.target).task !== 'regression')?.target;
  const complete = form.modalities.every((m) => (facts.have[m] ?? 0) === facts.patches);
  if (stratifiedBy === 'lulc') return estimateLabelled(form.labelFraction, facts.train, complete ? facts.lulcTrainCounts : undefined, true);
  // WorldCover-derived targets share its classes: the dominant-class counts are a close proxy (≥ 1 per class).
  const proxy = stratifiedBy === 'worldcover' || stratifiedBy === 'landcover' ? facts.lulcTrainCounts : undefined;
  return estimateLabelled(form.labelFraction, facts.train, proxy, false);
}

function availability(form: ExperimentForm, facts: DatasetFacts): Finding[] {
  const out: Finding[] = [];
  const needs: Array<{ key: string; what: string; field: FindingField }> = [
    ...form.modalities.map((m) => ({ key: m as string, what: label(m), field: 'modalities' as const })),
    ...form.tasks.map((t) => ({ key: TARGET_NEEDS[t.target], what: `${tlabel(t.target)} labels`, field: 'tasks' as const })),
  ];
  const seen = new Set<string>();
  for (const { key, what, field } of needs) {
    if (seen.has(`${field}:${key}`)) continue;
    seen.add(`${field}:${key}`);
    const n = facts.have[key] ?? 0;
    if (n === 0) {
      const extra =
        field === 'tasks' && key === 'worldcover'
          ? ' (these labels come from WorldCover maps)'
          : field === 'tasks' && key === 'labels'
            ? ' (BigEarthNet folders carry them)'
            : '';
      out.push({ level: 'error', field, code: `missing:${key}`, message: `The dataset has no ${what}${extra}.` });
    } else if (n < facts.patches) {
      out.push({
        level: 'note',
        field,
        code: `partial:${key}`,
        message: `Only ${n.toLocaleString('en-US')} of ${facts.patches.toLocaleString('en-US')} patches have ${what}; the run uses the patches that have everything chosen.`,
      });
    }
  }
  return out;
}

function transferFindings(form: ExperimentForm, checkpoint: CheckpointChoice | null): Finding[] {
  if (form.init === 'scratch') return [];
  if (form.checkpoint === null) {
    return [{ level: 'error', field: 'init', code: 'no-checkpoint', message: `Choose a ${form.init === 'ssl' ? 'pretrained (SSL)' : 'supervised'} checkpoint, or start from scratch.` }];
  }
  if (!checkpoint) {
    return [
      {
        level: 'warning',
        field: 'init',
        code: 'ckpt-unknown',
        message: `${form.checkpoint} is not a finished run of this workspace: its fit cannot be checked before launch.`,
      },
    ];
  }
  const out: Finding[] = [];
  if (checkpoint.kind !== form.init) {
    out.push({
      level: 'warning',
      field: 'init',
      code: 'kind',
      message: `${checkpoint.name} is a ${checkpoint.kind === 'ssl' ? 'self-supervised' : 'supervised'} checkpoint.`,
    });
  }
  const segmentation = form.tasks.some((t) => targetChoice(t.target).task === 'segmentation');
  if (segmentation && checkpoint.backbone !== 'unet') {
    out.push({
      level: 'error',
      field: 'init',
      code: 'ckpt-seg',
      message: `The checkpoint holds a ${checkpoint.backbone} encoder, but segmentation needs a U-Net: pretrain (or train) a U-Net first.`,
    });
  } else if (checkpoint.backbone !== form.backbone || checkpoint.width !== form.width) {
    out.push({
      level: 'error',
      field: 'backbone',
      code: 'ckpt-backbone',
      message: `The checkpoint is a ${checkpoint.backbone} of width ${checkpoint.width}; its weights only fit the same backbone and width.`,
      fix: { label: `Use ${checkpoint.backbone} ×${checkpoint.width}`, patch: { backbone: checkpoint.backbone, width: checkpoint.width } },
    });
  }
  const run = encodersOf(form.modalities, form.fusion);
  const { matched, unmatched } = matchEncoders(checkpoint.encoders, run);
  if (run.length > 0 && matched.length === 0) {
    const ckptMods = new Set(checkpoint.encoders.flat());
    const foreign = canonicalModalities(run.flat().filter((m) => !ckptMods.has(m)));
    // The common mistake: per-sensor encoders (contrastive S1/S2, late fusion) used with early fusion.
    const perSensor = checkpoint.encoders.length > 1 || checkpoint.encoders.every((e) => e.length === 1);
    const lateWouldMatch = matchEncoders(checkpoint.encoders, encodersOf(form.modalities, 'late')).matched.length > 0;
    let why: string;
    if (form.fusion === 'early' && perSensor && lateWouldMatch) {
      why = `it has one encoder per sensor (${describeEncoders(checkpoint.encoders)}), but early fusion stacks ${describeEncoders(run)} into one encoder`;
    } else if (foreign.length > 0) {
      why = `its encoders read ${describeEncoders(checkpoint.encoders)}; an encoder trained on other input cannot take ${foreign.map(label).join(', ')}`;
    } else {
      why = `its encoders read ${describeEncoders(checkpoint.encoders)}, this run needs ${describeEncoders(run)}`;
    }
    out.push({
      level: 'error',
      field: 'init',
      code: 'ckpt-encoders',
      message: `No encoder of the checkpoint fits: ${why}.`,
      fix: form.fusion === 'early' && lateWouldMatch ? { label: 'Use late fusion', patch: { fusion: 'late' } } : undefined,
    });
  } else if (matched.length > 0 && unmatched.length > 0) {
    out.push({
      level: 'note',
      field: 'init',
      code: 'ckpt-partial',
      message: `${describeEncoders(unmatched)} start${unmatched.length === 1 ? 's' : ''} from scratch; ${describeEncoders(matched)} from the checkpoint.`,
    });
  }
  if (checkpoint.kind === 'ssl' && form.transfer === 'linear-probe' && form.tasks.some((t) => targetChoice(t.target).task === 'segmentation')) {
    out.push({
      level: 'note',
      field: 'init',
      code: 'probe-seg',
      message: 'A linear probe keeps the U-Net decoder at its random start too; "Frozen encoder" trains the decoder.',
      fix: { label: 'Frozen encoder', patch: { transfer: 'frozen' } },
    });
  }
  return out;
}

/**
 * Everything wrong or worth knowing about a form, errors first. `facts` and `checkpoint` may be null while
 * unknown (the checks that need them are skipped, not guessed).
 */
export function checkExperiment(form: ExperimentForm, facts: DatasetFacts | null, checkpoint: CheckpointChoice | null): Finding[] {
  const out: Finding[] = [];
  if (form.data === null) out.push({ level: 'error', field: 'data', code: 'no-data', message: 'Choose a dataset.' });
  if (form.modalities.length === 0) out.push({ level: 'error', field: 'modalities', code: 'no-modality', message: 'Choose at least one input modality.' });
  if (form.tasks.length === 0) out.push({ level: 'error', field: 'tasks', code: 'no-task', message: 'Add at least one task.' });

  const targets = form.tasks.map((t) => t.target);
  const dup = targets.find((t, i) => targets.indexOf(t) !== i);
  if (dup) out.push({ level: 'error', field: 'tasks', code: 'dup-target', message: `${tlabel(dup)} has two heads; each target may appear once.` });

  for (const t of new Set(targets)) {
    const source = TARGET_SOURCE[t];
    if (source && form.modalities.includes(source)) {
      out.push({
        level: 'error',
        field: 'tasks',
        code: `leak:${t}`,
        message: `Label leak: ${tlabel(t)} is computed from ${label(source)}, which is also an input — the model would read its answer.`,
        fix: { label: `Drop ${label(source)} input`, patch: { modalities: form.modalities.filter((m) => m !== source) } },
      });
    }
  }
  for (const t of form.tasks) {
    if (!(t.weight > 0) || !Number.isFinite(t.weight)) {
      out.push({ level: 'error', field: 'tasks', code: `weight:${t.target}`, message: `The loss weight of ${tlabel(t.target)} must be a positive number.` });
    }
  }

  const spatial = form.modalities.filter((m) => modalityChoice(m).spatial);
  const segmentation = form.tasks.filter((t) => targetChoice(t.target).task === 'segmentation');
  if (segmentation.length > 0) {
    if (form.backbone !== 'unet') {
      out.push({
        level: 'error',
        field: 'backbone',
        code: 'seg-backbone',
        message: 'Segmentation needs a U-Net: ResNet-18 ends at 1/32 resolution (4 × 4 for a 120 patch) and has no decoder back to pixels.',
        fix: { label: 'Use U-Net', patch: { backbone: 'unet' } },
      });
    }
    if (form.modalities.length > 0 && spatial.length === 0) {
      out.push({ level: 'error', field: 'modalities', code: 'seg-spatial', message: 'Segmentation needs at least one image modality (S2, S1, DEM).' });
    }
  }
  if (form.modalities.length > 0 && spatial.length === 0 && segmentation.length === 0) {
    out.push({
      level: 'note',
      field: 'modalities',
      code: 'no-image',
      message:
        form.fusion === 'early'
          ? 'No image modality: the backbone sees constant planes only; late fusion turns this into a small dense network.'
          : 'No image modality: only the small dense block learns (no backbone).',
    });
  }
  if (form.fusion === 'late' && spatial.length === 1 && form.modalities.length === 1) {
    out.push({ level: 'note', field: 'fusion', code: 'late-single', message: 'With one modality, late and early fusion build the same model.' });
  }

  if (facts) out.push(...availability(form, facts));
  out.push(...transferFindings(form, checkpoint));

  if (!(form.labelFraction > 0 && form.labelFraction <= 1)) {
    out.push({ level: 'error', field: 'labelFraction', code: 'fraction', message: 'The label fraction must be in (0, 100%].' });
  } else {
    const labelled = labelledOf(form, facts);
    if (labelled && facts && facts.train > 0) {
      const classes = Math.min(...form.tasks.map((t) => targetChoice(t.target).classes).filter((n) => n > 1), Infinity);
      if (labelled.count < form.batchSize) {
        out.push({
          level: 'note',
          field: 'labelFraction',
          code: 'one-batch',
          message: `${labelled.count} labelled patches fill less than one batch of ${form.batchSize}: every epoch is a single step.`,
        });
      }
      if (Number.isFinite(classes) && labelled.count < classes && labelled.count > 0) {
        out.push({ level: 'warning', field: 'labelFraction', code: 'few-labels', message: `Only ${labelled.count} labelled patches for up to ${classes} classes: many classes are never seen.` });
      }
    }
    if (facts && facts.train === 0) out.push({ level: 'error', field: 'data', code: 'no-train', message: 'The dataset has no training split.' });
  }

  if (!Number.isInteger(form.epochs) || form.epochs < 1) out.push({ level: 'error', field: 'optim', code: 'epochs', message: 'Epochs must be a whole number ≥ 1.' });
  if (!Number.isInteger(form.batchSize) || form.batchSize < 1) out.push({ level: 'error', field: 'optim', code: 'batch', message: 'Batch size must be a whole number ≥ 1.' });
  if (!(form.lr > 0) || !Number.isFinite(form.lr)) out.push({ level: 'error', field: 'optim', code: 'lr', message: 'The learning rate must be a positive number.' });
  else if (form.lr > 0.05) out.push({ level: 'warning', field: 'optim', code: 'lr-high', message: `A learning rate of ${form.lr} usually diverges with Adam; 1e-3 is the usual start.` });
  if (!Number.isInteger(form.seed)) out.push({ level: 'error', field: 'optim', code: 'seed', message: 'The seed must be a whole number.' });
  if (form.width > 32) {
    out.push({ level: 'warning', field: 'backbone', code: 'wide', message: `Width ${form.width} is slow on a CPU (cost grows with the square of the width); 8–16 train in minutes.` });
  }
  if (facts && facts.val === 0) {
    out.push({ level: 'note', field: 'data', code: 'no-val', message: 'No validation split: the last epoch is kept and there are no validation curves.' });
  }
  const rank: Record<FindingLevel, number> = { error: 0, warning: 1, note: 2 };
  return out.sort((a, b) => rank[a.level] - rank[b.level]);
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.level === 'error');
}
