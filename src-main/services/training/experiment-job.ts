import { LabelEfficiencyConfig } from '../../api/training';
import { runLabelEfficiency } from '../../core/train/experiment';
import { defineJobKind } from '../jobs/define';
import { runContextOf } from './progress';

/** Job kind `experiment`: the label-efficiency experiment (scratch vs SSL at each label fraction and seed). */
export default defineJobKind({
  params: LabelEfficiencyConfig,
  async run(params, ctx) {
    await ctx.initEngine();
    const summary = await runLabelEfficiency(params, runContextOf(ctx, params.data));
    // A fraction without finished runs has NaN means; job results are JSON, where that is null.
    return JSON.parse(JSON.stringify(summary)) as typeof summary;
  },
});
