import { z } from 'zod';
import { MODALITIES, MODALITY_IDS, PATCH_SIZE, TARGETS, type ModalityId, type TargetId } from '../data/modalities';

/**
 * The description a task model is built from (buildTaskModel) and that a checkpoint stores to rebuild it exactly.
 * Parsing normalises it: modalities in the canonical MODALITY_IDS order (so `s1,s2` and `s2,s1` are the same model
 * and early fusion always stacks channels in one order), defaults filled, and every combination that cannot work
 * rejected with a message that says why.
 */

export const SPEC_VERSION = 1;

export const FUSION_KINDS = ['early', 'late'] as const;
export type FusionKind = (typeof FUSION_KINDS)[number];
export const BACKBONE_KINDS = ['resnet18', 'unet'] as const;
export type BackboneKind = (typeof BACKBONE_KINDS)[number];
export const TASK_KINDS = ['classification', 'multilabel', 'segmentation', 'regression'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** The task kind each target's label shape implies (modalities.ts TARGETS[].kind). */
export const TASK_KIND_OF_TARGET: Record<(typeof TARGETS)[TargetId]['kind'], TaskKind> = {
  class: 'classification',
  multilabel: 'multilabel',
  mask: 'segmentation',
  scalar: 'regression',
};

/**
 * Targets derived from an input modality: using both would hand the model its own labels. (It would also give an
 * input and an output the same name, e.g. `worldcover`.)
 */
export const TARGET_SOURCES: Partial<Record<TargetId, ModalityId>> = {
  lulc: 'worldcover',
  landcover: 'worldcover',
  worldcover: 'worldcover',
  climatezone: 'climatezone',
  season: 'season',
};

export interface TaskSpec {
  target: TargetId;
  kind: TaskKind;
  /** Output units: classes for (multi-label) classification and segmentation, 1 for regression. */
  classes: number;
  /** Weight of this task's loss in the multitask sum. */
  weight: number;
}

export interface TaskModelSpec {
  version: typeof SPEC_VERSION;
  /** Input modalities in MODALITY_IDS order; each is one model input named by its id. */
  modalities: ModalityId[];
  fusion: FusionKind;
  backbone: BackboneKind;
  /** Base width of the backbone (64 = torchvision / the tutorial; 16 fits a CPU). */
  width: number;
  /** Patch height and width in pixels (square). */
  inputSize: number;
  /** One head per task; model outputs are named by target id, in this order. */
  tasks: TaskSpec[];
  /** Seed of the initial weights. */
  seed: number;
}

const ModalityIdSchema = z.enum(MODALITY_IDS as [ModalityId, ...ModalityId[]]);
const TargetIdSchema = z.enum(Object.keys(TARGETS) as [TargetId, ...TargetId[]]);

const TaskSpecInput = z.object({
  target: TargetIdSchema,
  /** Defaults to the target's kind; if given it must agree with it. */
  kind: z.enum(TASK_KINDS).optional(),
  /** Defaults to the target's class count; if given it must agree with it. */
  classes: z.number().int().positive().optional(),
  weight: z.number().nonnegative().finite().default(1),
});

/** What a caller (CLI, service, stored checkpoint) may give; `parseTaskModelSpec` turns it into a TaskModelSpec. */
export const TaskModelSpecInput = z.object({
  version: z.literal(SPEC_VERSION).default(SPEC_VERSION),
  modalities: z.array(ModalityIdSchema).min(1),
  fusion: z.enum(FUSION_KINDS).default('early'),
  backbone: z.enum(BACKBONE_KINDS),
  width: z.number().int().min(1).max(512).default(64),
  inputSize: z.number().int().min(16).default(PATCH_SIZE),
  tasks: z.array(TaskSpecInput).min(1),
  seed: z.number().int().default(0),
});
export type TaskModelSpecInput = z.input<typeof TaskModelSpecInput>;

export class ModelSpecError extends Error {
  override name = 'ModelSpecError';
}

/** Validates and normalises a spec (or the JSON a checkpoint stored). Throws ModelSpecError with the reason. */
export function parseTaskModelSpec(input: unknown): TaskModelSpec {
  const parsed = TaskModelSpecInput.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(spec)'}: ${i.message}`).join('; ');
    throw new ModelSpecError(`invalid model spec: ${issues}`);
  }
  const s = parsed.data;
  const chosen = new Set(s.modalities);
  if (chosen.size !== s.modalities.length) throw new ModelSpecError(`modalities listed twice: ${s.modalities.join(',')}`);
  const modalities = MODALITY_IDS.filter((m) => chosen.has(m));

  const seen = new Set<TargetId>();
  const tasks: TaskSpec[] = s.tasks.map((t) => {
    if (seen.has(t.target)) throw new ModelSpecError(`target "${t.target}" has two heads`);
    seen.add(t.target);
    const target = TARGETS[t.target];
    const kind = TASK_KIND_OF_TARGET[target.kind];
    if (t.kind !== undefined && t.kind !== kind) {
      throw new ModelSpecError(`target "${t.target}" is a ${kind} target (its labels are ${target.kind}), not ${t.kind}`);
    }
    if (t.classes !== undefined && t.classes !== target.classes) {
      throw new ModelSpecError(`target "${t.target}" has ${target.classes} classes, spec says ${t.classes}`);
    }
    const source = TARGET_SOURCES[t.target];
    if (source !== undefined && chosen.has(source)) {
      throw new ModelSpecError(
        `target "${t.target}" is derived from the input modality "${source}" (label leak); drop one of them`,
      );
    }
    return { target: t.target, kind, classes: target.classes, weight: t.weight };
  });

  const spatial = modalities.filter((m) => MODALITIES[m].kind === 'spatial');
  if (tasks.some((t) => t.kind === 'segmentation')) {
    if (s.backbone !== 'unet') {
      throw new ModelSpecError(
        'segmentation needs the unet backbone: ResNet-18 ends at 1/32 resolution (4x4 for a 120 patch) and has no ' +
          'decoder back to per-pixel features',
      );
    }
    if (spatial.length === 0) throw new ModelSpecError('segmentation needs at least one spatial modality');
  }
  return {
    version: SPEC_VERSION,
    modalities,
    fusion: s.fusion,
    backbone: s.backbone,
    width: s.width,
    inputSize: s.inputSize,
    tasks,
    seed: s.seed,
  };
}

/** Spatial modalities of a spec (images on the patch grid), in spec order. */
export function spatialModalities(spec: Pick<TaskModelSpec, 'modalities'>): ModalityId[] {
  return spec.modalities.filter((m) => MODALITIES[m].kind === 'spatial');
}

/** Per-patch (vector/scalar) modalities of a spec, in spec order. */
export function vectorModalities(spec: Pick<TaskModelSpec, 'modalities'>): ModalityId[] {
  return spec.modalities.filter((m) => MODALITIES[m].kind === 'vector');
}

/** The model input shape (without batch) of a modality: [size, size, c] for spatial, [c] for vector ones. */
export function modalityInputShape(m: ModalityId, inputSize: number): number[] {
  const info = MODALITIES[m];
  return info.kind === 'spatial' ? [inputSize, inputSize, info.channels] : [info.channels];
}
