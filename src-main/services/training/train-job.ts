import { TrainConfig } from '../../api/training';
import { runTrain } from '../../core/train/run';
import { defineJobKind } from '../jobs/define';
import { runContextOf } from './progress';

/** Job kind `train`: a supervised run (scratch or from a checkpoint) into its run folder. */
export default defineJobKind({
  params: TrainConfig,
  async run(params, ctx) {
    const engine = await ctx.initEngine();
    ctx.log('info', `engine: ${engine.backend}`);
    return runTrain(params, runContextOf(ctx, params.data));
  },
});
