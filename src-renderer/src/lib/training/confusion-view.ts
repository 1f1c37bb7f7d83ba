import type { ConfusionResult } from '../../../../src-main/api/training';

/**
 * A confusion matrix as the Runs panel draws it: only the classes that occur (as truth or as prediction), each
 * cell's share of its true-class row (recall along the diagonal), and a shade for that share. Pure.
 */

export interface ConfusionCell {
  count: number;
  /** count / row total (0 for an empty row). */
  share: number;
  diagonal: boolean;
  /** CSS background: blue for the diagonal, red off it, alpha by share. */
  background: string;
}

export interface ConfusionView {
  labels: string[];
  rows: Array<{ label: string; total: number; cells: ConfusionCell[] }>;
}

export function confusionView(c: Pick<ConfusionResult, 'classNames' | 'matrix'>): ConfusionView {
  const k = c.matrix.length;
  const keep: number[] = [];
  for (let i = 0; i < k; i++) {
    const row = c.matrix[i].reduce((a, b) => a + b, 0);
    let col = 0;
    for (let t = 0; t < k; t++) col += c.matrix[t][i];
    if (row > 0 || col > 0) keep.push(i);
  }
  const labels = keep.map((i) => c.classNames[i] ?? String(i));
  const rows = keep.map((t) => {
    const total = c.matrix[t].reduce((a, b) => a + b, 0);
    const cells = keep.map((p) => {
      const count = c.matrix[t][p];
      const share = total > 0 ? count / total : 0;
      const diagonal = t === p;
      const alpha = count > 0 ? Math.max(0.08, share).toFixed(2) : '0';
      return { count, share, diagonal, background: diagonal ? `rgba(8, 81, 156, ${alpha})` : `rgba(215, 48, 39, ${alpha})` };
    });
    return { label: c.classNames[t] ?? String(t), total, cells };
  });
  return { labels, rows };
}

/** Compact counts for cells (pixel counts reach millions). */
export function formatCellCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1e6) return `${(n / 1000).toFixed(n < 1e4 ? 1 : 0)}k`;
  return `${(n / 1e6).toFixed(1)}M`;
}
