import { buildResNet18 } from '../src-main/core/models/resnet';
import { classifierWorkload, type MeasuredWorkloadSpec, type WorkloadSpec } from './workload';
import { LOADER_WORKLOAD } from './workloads/loader';
import { MAP_WORKLOAD } from './workloads/map';

/**
 * The benchmark workloads. `resnet18` is exactly the workload of ../shared/bench/torch_reference.py so the two
 * throughputs can be compared: ResNet-18 (torchvision layout) with a 12-band 7×7/2 first convolution of 64 filters
 * without bias, an 11-class linear head, a batch of 32 patches of 120×120×12 (NHWC here, NCHW in PyTorch),
 * Adam lr 1e-4, softmax cross-entropy.
 */
export const WORKLOADS: Record<string, WorkloadSpec> = {
  resnet18: {
    name: 'resnet18',
    description: 'ResNet-18, 12 bands, 11 classes, batch 32x120x120x12, Adam 1e-4 (= torch_reference.py)',
    create: () =>
      classifierWorkload({
        model: buildResNet18({ inputShape: [120, 120, 12], classes: 11, width: 64, seed: 0 }),
        inputShape: [32, 120, 120, 12],
        classes: 11,
        learningRate: 1e-4,
        seed: 0,
      }),
  },
  'resnet18-small': {
    name: 'resnet18-small',
    description: 'ResNet-18 at width 16, batch 8x64x64x12: a quick smoke run of the same code path',
    create: () =>
      classifierWorkload({
        model: buildResNet18({ inputShape: [64, 64, 12], classes: 11, width: 16, seed: 0 }),
        inputShape: [8, 64, 64, 12],
        classes: 11,
        learningRate: 1e-4,
        seed: 0,
      }),
  },
  loader: LOADER_WORKLOAD,
};

/** Workloads with their own measurements (not train/infer steps), run by `terrafuse bench` the same way. */
export const MEASURED_WORKLOADS: Record<string, MeasuredWorkloadSpec> = {
  map: MAP_WORKLOAD,
};
