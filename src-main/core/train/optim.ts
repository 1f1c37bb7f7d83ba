import * as tf from '@tensorflow/tfjs';

/**
 * Adam and SGD (with momentum) written on tensor ops rather than tf.train's optimisers, for two reasons:
 * - parameter groups: fine-tuning a pretrained backbone with a lower learning rate than the new heads needs a
 *   per-variable learning rate, which tf.train optimisers (one rate per optimiser) cannot express;
 * - the learning rate changes every step (cosine schedule), and tf.train keeps it in a protected field.
 * The update rules follow PyTorch's (torch.optim.Adam with bias correction, torch.optim.SGD with dampening 0),
 * so hyper-parameters carry over from the lecture's notebooks.
 *
 * State (moments, momentum buffers) is created on the first step and then only updated in place, so the number of
 * live tensors stays constant from the second step on.
 */

export type OptimizerName = 'adam' | 'sgd';

export interface OptimizerConfig {
  name: OptimizerName;
  /** Base learning rate; the schedule scales it each step. */
  lr: number;
  /** SGD momentum (default 0.9). */
  momentum?: number;
  /** Adam betas (default 0.9, 0.999). */
  beta1?: number;
  beta2?: number;
  /** Adam epsilon (default 1e-8). */
  epsilon?: number;
  /** L2 penalty added to the gradient, as torch's `weight_decay` (default 0). */
  weightDecay?: number;
}

/** Variables trained at `lrScale` times the scheduled learning rate (1 for heads, e.g. 0.1 for a pretrained backbone). */
export interface ParamGroup {
  variables: tf.Variable[];
  lrScale: number;
}

interface Slot {
  variable: tf.Variable;
  lrScale: number;
  m?: tf.Variable;
  v?: tf.Variable;
}

export class Optimizer {
  private readonly slots = new Map<string, Slot>();
  private t = 0;

  constructor(
    readonly config: OptimizerConfig,
    groups: ParamGroup[],
  ) {
    if (!(config.lr > 0)) throw new RangeError(`optimizer: lr must be > 0, got ${config.lr}`);
    for (const g of groups) {
      for (const v of g.variables) {
        if (this.slots.has(v.name)) throw new Error(`optimizer: variable ${v.name} is in two parameter groups`);
        this.slots.set(v.name, { variable: v, lrScale: g.lrScale });
      }
    }
  }

  /** The variables this optimiser updates, in a fixed order (the list to differentiate against). */
  get variables(): tf.Variable[] {
    return [...this.slots.values()].map((s) => s.variable);
  }

  /** Steps taken so far. */
  get iterations(): number {
    return this.t;
  }

  /**
   * One update with learning rate `lr` (already scheduled). `grads` maps variable names to gradients, as returned
   * by tf.variableGrads; variables without a gradient are left alone. The gradients are not disposed here.
   */
  step(grads: tf.NamedTensorMap, lr: number): void {
    this.t += 1;
    const c = this.config;
    tf.tidy(() => {
      for (const slot of this.slots.values()) {
        const g0 = grads[slot.variable.name];
        if (g0 === undefined) continue;
        const rate = lr * slot.lrScale;
        if (rate === 0) continue;
        const p = slot.variable;
        const g = c.weightDecay ? tf.add(g0, tf.mul(p, c.weightDecay)) : g0;
        if (c.name === 'adam') this.adam(slot, g, rate);
        else this.sgd(slot, g, rate);
      }
    });
  }

  // State variables are left unnamed: tfjs registers variable names globally, and two runs in one process (an
  // experiment) would otherwise collide.
  private adam(slot: Slot, g: tf.Tensor, rate: number): void {
    const b1 = this.config.beta1 ?? 0.9;
    const b2 = this.config.beta2 ?? 0.999;
    const eps = this.config.epsilon ?? 1e-8;
    slot.m ??= tf.keep(tf.variable(tf.zerosLike(slot.variable), false));
    slot.v ??= tf.keep(tf.variable(tf.zerosLike(slot.variable), false));
    const m = tf.add(tf.mul(slot.m, b1), tf.mul(g, 1 - b1));
    const v = tf.add(tf.mul(slot.v, b2), tf.mul(tf.square(g), 1 - b2));
    slot.m.assign(m);
    slot.v.assign(v);
    // Bias correction folded into the step size and epsilon, as torch does.
    const bc1 = 1 - b1 ** this.t;
    const bc2 = 1 - b2 ** this.t;
    const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), eps);
    slot.variable.assign(tf.sub(slot.variable, tf.mul(tf.div(m, denom), rate / bc1)));
  }

  private sgd(slot: Slot, g: tf.Tensor, rate: number): void {
    const mu = this.config.momentum ?? 0.9;
    let update = g;
    if (mu > 0) {
      if (slot.m === undefined) {
        // torch initialises the buffer with the first gradient itself.
        slot.m = tf.keep(tf.variable(g, false));
      } else {
        slot.m.assign(tf.add(tf.mul(slot.m, mu), g));
      }
      update = slot.m;
    }
    slot.variable.assign(tf.sub(slot.variable, tf.mul(update, rate)));
  }

  /** Frees the optimiser state (not the model's variables). */
  dispose(): void {
    for (const s of this.slots.values()) {
      s.m?.dispose();
      s.v?.dispose();
      s.m = undefined;
      s.v = undefined;
    }
  }
}

export interface CosineSchedule {
  /** Total number of optimiser steps of the run. */
  totalSteps: number;
  /** Linear warm-up from 0 over this many steps (default 0). */
  warmupSteps?: number;
  /** Floor of the schedule as a fraction of the base rate (default 0). */
  minFactor?: number;
}

/**
 * Learning-rate factor at `step` (0-based) of a cosine schedule with optional linear warm-up: 1 at the end of the
 * warm-up, `minFactor` at the last step (SGDR without restarts, torch's CosineAnnealingLR).
 */
export function cosineFactor(step: number, s: CosineSchedule): number {
  const warm = s.warmupSteps ?? 0;
  const floor = s.minFactor ?? 0;
  if (step < warm) return (step + 1) / warm;
  const span = Math.max(1, s.totalSteps - warm);
  const progress = Math.min(1, (step - warm) / span);
  return floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
