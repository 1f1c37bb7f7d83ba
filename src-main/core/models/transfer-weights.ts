import type * as tf from '@tensorflow/tfjs';
import { inScope, NAME_SEP } from './names';
import { isUNetDecoderLayer } from './unet';

/**
 * Copying a sub-network's weights between models by layer name, with a scope (prefix) rename: e.g. a pretrained
 * `backbone_s2` encoder into the `backbone` of an early-fusion S2 model. Weight names are tfjs' saved names,
 * `${layerName}/${weight}` (what model.save writes and train/model-io loadNamedWeights returns).
 *
 * Never a silent reshape: every weight of the destination scope must be found in the source with the same shape,
 * otherwise nothing is copied and the error says which weight and why (the usual cause: an encoder of other
 * modalities, whose first convolution reads a different number of channels).
 */

export class WeightTransferError extends Error {
  override name = 'WeightTransferError';
}

/** The weights of a model by saved name (the model's own tensors, not copies). */
export function namedWeights(model: tf.LayersModel): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  for (const layer of model.layers) for (const w of layer.weights) out[w.originalName] = w.read();
  return out;
}

/** Scopes (layer-name prefixes before NAME_SEP) present in a set of weight names. */
export function weightScopes(weights: tf.NamedTensorMap): string[] {
  const scopes = new Set<string>();
  for (const name of Object.keys(weights)) {
    const i = name.indexOf(NAME_SEP);
    if (i > 0) scopes.add(name.slice(0, i));
  }
  return [...scopes].sort();
}

export interface CopyScopeOptions {
  /**
   * 'encoder' (default): the backbone's encoder layers — all of a ResNet-18, the inc/down half of a U-Net (an SSL
   * encoder checkpoint has nothing else); the U-Net decoder keeps its own weights. 'all': every layer of the scope
   * (a backbone taken from a trained segmentation model, decoder included).
   */
  part?: 'encoder' | 'all';
}

/**
 * Copies the weights of `dst`'s layers in `dstScope` from `source`'s `srcScope`. Returns the number of weights
 * copied. Throws WeightTransferError (before changing anything) on a missing weight or a shape mismatch.
 */
export function copyScopeWeights(
  source: tf.NamedTensorMap,
  srcScope: string,
  dst: tf.LayersModel,
  dstScope: string,
  opts: CopyScopeOptions = {},
): number {
  const part = opts.part ?? 'encoder';
  const plan: { variable: tf.LayerVariable; value: tf.Tensor }[] = [];
  for (const layer of dst.layers) {
    if (!inScope(layer.name, dstScope)) continue;
    if (part === 'encoder' && isUNetDecoderLayer(layer.name.slice(dstScope.length + NAME_SEP.length))) continue;
    for (const w of layer.weights) {
      const rest = w.originalName.slice(dstScope.length);
      const srcName = `${srcScope}${rest}`;
      const value = source[srcName];
      if (!value) {
        const have = weightScopes(source);
        throw new WeightTransferError(
          `no weight "${srcName}" in the source for "${w.originalName}" (source scopes: ${have.join(', ') || 'none'})`,
        );
      }
      const want = w.shape as number[];
      if (value.shape.length !== want.length || value.shape.some((d, i) => d !== want[i])) {
        throw new WeightTransferError(
          `"${srcName}" has shape [${value.shape.join(', ')}] but "${w.originalName}" needs [${want.join(', ')}]` +
            (rest.startsWith(`${NAME_SEP}conv1/`) || rest.startsWith(`${NAME_SEP}inc.conv1/`)
              ? ' (the encoder was trained on inputs with a different number of channels)'
              : ''),
        );
      }
      plan.push({ variable: w, value });
    }
  }
  if (plan.length === 0) throw new WeightTransferError(`the model has no layers in scope "${dstScope}"`);
  for (const { variable, value } of plan) variable.write(value);
  return plan.length;
}
