import * as tf from '@tensorflow/tfjs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
// Registers Terrafuse's custom layers (FreezableBatchNorm, TilePlanes) with tfjs serialisation: a process that only
// loads a checkpoint (evaluate, predict, a test) has not imported the model builders that would do it otherwise.
import '../models/layers';

/**
 * tfjs LayersModel artifacts as files: `model.json` (topology + weights manifest, the standard tfjs format, so
 * tfjs-node's file:// loader and tfjs-converter read it too) and one `weights.bin`. tfjs-node's file:// handler
 * exists only when libtensorflow loads, so on wasm/cpu the model is saved through this handler instead; it works
 * the same on every engine of the ladder.
 */

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/** A save handler that writes the artifacts into the (existing) folder `dir`. */
export function fileSaveHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error('model-io: graph models (binary topology) are not supported, only LayersModels');
      }
      const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig !== undefined) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata !== undefined) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      await writeFile(join(dir, WEIGHTS_BIN), new Uint8Array(weights));
      await writeFile(join(dir, MODEL_JSON), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

/** Reads `model.json` + its weight files from `dir` into ModelArtifacts. */
export async function readModelArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const json = JSON.parse(await readFile(join(dir, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      const bytes = await readFile(join(dir, p));
      buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    }
  }
  const weightData = tf.io.CompositeArrayBuffer.join(buffers);
  const expected = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * bytesPerElement(s.dtype), 0);
  if (weightData.byteLength !== expected) {
    throw new Error(`model-io: ${dir}: weights hold ${weightData.byteLength} bytes, the manifest needs ${expected}`);
  }
  return {
    modelTopology: json.modelTopology,
    weightSpecs: specs,
    weightData,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    trainingConfig: json.trainingConfig,
    userDefinedMetadata: json.userDefinedMetadata,
  };
}

function bytesPerElement(dtype: string): number {
  if (dtype === 'float32' || dtype === 'int32') return 4;
  if (dtype === 'bool' || dtype === 'uint8') return 1;
  if (dtype === 'float16' || dtype === 'int16') return 2;
  throw new Error(`model-io: unsupported weight dtype ${dtype}`);
}

export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(fileSaveHandler(dir));
}

/** Loads a LayersModel saved by saveModel (or by tfjs-node's file:// handler) from `dir`. */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const artifacts = await readModelArtifacts(dir);
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

/** The saved weights by name (e.g. `s2__layer1.0.conv1/kernel`), without building the model. Caller disposes. */
export async function loadNamedWeights(dir: string): Promise<tf.NamedTensorMap> {
  const artifacts = await readModelArtifacts(dir);
  return tf.io.decodeWeights(artifacts.weightData ?? new ArrayBuffer(0), artifacts.weightSpecs ?? []);
}
