import * as tf from '@tensorflow/tfjs';

/** Saves a model to memory and loads it back, as a checkpoint round trip would (custom layers must be registered). */
export async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved) throw new Error('model was not saved');
  return tf.loadLayersModel(tf.io.fromMemory(saved));
}

/** Deterministic pseudo-random test input (no Math.random in tests). */
export function ramp(shape: number[], scale = 1): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = Math.sin(i * 0.7311 + 0.3) * scale;
  return tf.tensor(data, shape);
}

/** Layer names that own at least one weight, i.e. torchvision's module names in a state dict. */
export function weightedLayerNames(model: tf.LayersModel): string[] {
  return model.layers.filter((l) => l.weights.length > 0).map((l) => l.name);
}
