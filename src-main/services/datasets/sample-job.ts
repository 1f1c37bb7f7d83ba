/**
 * Job kind `datasets.sample`: writes the embedded synthetic ben-ge sample with the synth generator, in a worker
 * thread (generation is CPU-bound for a minute or more). The generator writes into `<out>.partial` and renames at
 * the end, so a cancelled or crashed job leaves no half sample behind.
 */
import { z } from 'zod';
import { defineJobKind } from '../jobs/define';

export const SampleJobParams = z.object({
  out: z.string().min(1),
  patches: z.number().int().min(1).max(100_000),
  seed: z.union([z.number(), z.string()]),
});
export type SampleJobParams = z.infer<typeof SampleJobParams>;

export default defineJobKind({
  params: SampleJobParams,
  async run(params, ctx) {
    const { generateBenGe } = await import('../../core/data/synth');
    ctx.progress({ progress: 0, step: 0, message: `generating ${params.patches} synthetic patches` });
    const summary = await generateBenGe({
      out: params.out,
      patches: params.patches,
      seed: params.seed,
      // About a third of the uncompressed size (0.35 MB per patch), and inflating 120 x 120 pixels costs little.
      compression: 'deflate',
      signal: ctx.signal,
      onProgress: (done, total) => ctx.progress({ progress: total > 0 ? done / total : 1, step: done, message: `${done} / ${total} patches` }),
    });
    ctx.log('info', `synthetic sample: ${summary.patches} patches, ${summary.files} files in ${summary.seconds.toFixed(1)} s`);
    return { path: summary.out, patches: summary.patches, seconds: summary.seconds };
  },
});
