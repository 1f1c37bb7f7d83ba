/**
 * Early stopping on a validation metric: remembers the best value and its epoch, and says to stop once `patience`
 * epochs have passed without an improvement of more than `minDelta`. The same object decides when the best
 * checkpoint is replaced, so "best" and "stop" never disagree.
 */
export type MetricMode = 'max' | 'min';

export interface EarlyStoppingOptions {
  /** Epochs without improvement before stopping; Infinity never stops early (best checkpoint is still tracked). */
  patience: number;
  mode: MetricMode;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
}

export interface EarlyStoppingUpdate {
  improved: boolean;
  stop: boolean;
}

export class EarlyStopping {
  private bestValue: number | undefined;
  private bestAt = -1;
  private waited = 0;

  constructor(readonly options: EarlyStoppingOptions) {
    if (!(options.patience >= 0)) throw new RangeError(`early stopping: patience must be >= 0, got ${options.patience}`);
  }

  /** Feed the metric of epoch `epoch`. NaN never improves (a diverged run keeps its last good checkpoint). */
  update(epoch: number, value: number): EarlyStoppingUpdate {
    const delta = this.options.minDelta ?? 0;
    const improved =
      !Number.isNaN(value) &&
      (this.bestValue === undefined ||
        (this.options.mode === 'max' ? value > this.bestValue + delta : value < this.bestValue - delta));
    if (improved) {
      this.bestValue = value;
      this.bestAt = epoch;
      this.waited = 0;
    } else {
      this.waited += 1;
    }
    return { improved, stop: this.waited > this.options.patience };
  }

  get best(): { value: number; epoch: number } | undefined {
    return this.bestValue === undefined ? undefined : { value: this.bestValue, epoch: this.bestAt };
  }
}
