import { PredictConfig } from '../../api/training';
import { runPredict } from '../../core/train/run';
import { defineJobKind } from '../jobs/define';
import { runContextOf } from './progress';

/** Job kind `predict`: per-patch predictions (CSV, GeoJSON) and GeoTIFF masks of a run's checkpoint. */
export default defineJobKind({
  params: PredictConfig,
  async run(params, ctx) {
    await ctx.initEngine();
    const { masks, ...rest } = await runPredict(params, runContextOf(ctx, params.data));
    // The mask list can be long; the job result carries the count, the files are in the output folder.
    return { ...rest, masks: masks.length };
  },
});
