import * as tf from '@tensorflow/tfjs';

/** One benchmark workload: a model, a fixed batch and an optimizer, stepped by the harness. */
export interface Workload {
  /** Patches per batch (throughput = batch · steps / seconds). */
  readonly batch: number;
  /** Forward + backward + optimizer step on the fixed batch; resolves once the step's results exist. */
  trainStep(): Promise<void>;
  /** Forward pass in inference mode (BN with running statistics, no gradients). */
  inferStep(): Promise<void>;
  dispose(): void;
}

export interface WorkloadSpec {
  name: string;
  description: string;
  create(): Workload;
}

/**
 * A workload that is not a train/infer step (the map in a browser): it measures what it measures and returns its
 * own figures, printed as one JSON line with --json. `steps` is the --steps value.
 */
export interface MeasuredWorkloadSpec {
  name: string;
  description: string;
  measure(options: { steps: number }): Promise<Record<string, number | string>>;
}

/** A classifier workload on one fixed random batch (seeded, so every run sees the same data). */
export function classifierWorkload(opts: {
  model: tf.LayersModel;
  inputShape: [number, number, number, number];
  classes: number;
  learningRate: number;
  seed: number;
}): Workload {
  const { model, inputShape, classes } = opts;
  const batch = inputShape[0];
  const x = tf.randomUniform(inputShape, 0, 1, 'float32', opts.seed);
  const labels = tf.tidy(() =>
    tf.oneHot(tf.cast(tf.floor(tf.randomUniform([batch], 0, classes, 'float32', opts.seed + 1)), 'int32'), classes),
  );
  const optimizer = tf.train.adam(opts.learningRate);
  return {
    batch,
    async trainStep() {
      const loss = optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
        true,
      );
      if (loss === null) throw new Error('optimizer.minimize returned no loss');
      // Reading the loss waits for the whole step (and would surface NaNs).
      const [value] = await loss.data();
      loss.dispose();
      if (!Number.isFinite(value)) throw new Error(`loss is ${value}`);
    },
    async inferStep() {
      const out = model.predict(x) as tf.Tensor;
      await out.data();
      out.dispose();
    },
    dispose() {
      tf.dispose([x, labels]);
      optimizer.dispose();
      model.dispose();
    },
  };
}
