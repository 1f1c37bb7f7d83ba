import { EvaluateConfig } from '../../api/training';
import { runEvaluate } from '../../core/train/run';
import { defineJobKind } from '../jobs/define';
import { runContextOf } from './progress';

/** Job kind `evaluate`: metrics of a run's checkpoint on a split of a dataset. */
export default defineJobKind({
  params: EvaluateConfig,
  async run(params, ctx) {
    await ctx.initEngine();
    return runEvaluate(params, runContextOf(ctx, params.data));
  },
});
