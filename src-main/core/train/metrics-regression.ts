/**
 * Regression metrics, streaming: MAE, MSE, RMSE and R² (scikit-learn's r2_score, including its force_finite
 * convention for a constant target: 1 if the predictions are perfect, else 0). NaN targets are skipped. The target
 * variance is accumulated with Welford's update so that R² stays accurate over many batches.
 */

export interface RegressionMetrics {
  mae: number;
  mse: number;
  rmse: number;
  r2: number;
}

export class RegressionStats {
  n = 0;
  private absSum = 0;
  private sqSum = 0;
  private mean = 0;
  private m2 = 0;

  add(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): void {
    if (yTrue.length !== yPred.length) throw new Error(`RegressionStats: ${yTrue.length} targets, ${yPred.length} predictions`);
    for (let i = 0; i < yTrue.length; i++) {
      const t = yTrue[i];
      if (Number.isNaN(t)) continue;
      const e = yPred[i] - t;
      this.absSum += Math.abs(e);
      this.sqSum += e * e;
      this.n++;
      const d = t - this.mean;
      this.mean += d / this.n;
      this.m2 += d * (t - this.mean);
    }
  }

  result(): RegressionMetrics {
    if (this.n === 0) return { mae: Number.NaN, mse: Number.NaN, rmse: Number.NaN, r2: Number.NaN };
    const mse = this.sqSum / this.n;
    let r2: number;
    if (this.m2 === 0) r2 = this.sqSum === 0 ? 1 : 0;
    else r2 = 1 - this.sqSum / this.m2;
    return { mae: this.absSum / this.n, mse, rmse: Math.sqrt(mse), r2 };
  }
}
