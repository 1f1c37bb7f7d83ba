import { PretrainConfig } from '../../api/training';
import { runPretrain } from '../../core/train/run';
import { defineJobKind } from '../jobs/define';
import { runContextOf } from './progress';

/** Job kind `pretrain`: self-supervised pretraining (simclr, contrastive-s1s2) into an encoder checkpoint. */
export default defineJobKind({
  params: PretrainConfig,
  async run(params, ctx) {
    const engine = await ctx.initEngine();
    ctx.log('info', `engine: ${engine.backend}`);
    return runPretrain(params, runContextOf(ctx, params.data));
  },
});
