import { describe, expect, it } from 'vitest';
import { confusionView, formatCellCount } from '../../../src-renderer/src/lib/training/confusion-view';

describe('confusion matrix view', () => {
  it('keeps the classes that occur, shares along true-class rows, diagonal shaded blue', () => {
    const v = confusionView({
      classNames: ['a', 'b', 'c', 'd'],
      // true b predicted as b 3 and as d 1; true d predicted as b 2; a and c never occur.
      matrix: [
        [0, 0, 0, 0],
        [0, 3, 0, 1],
        [0, 0, 0, 0],
        [0, 2, 0, 0],
      ],
    });
    expect(v.labels).toEqual(['b', 'd']);
    expect(v.rows.map((r) => r.total)).toEqual([4, 2]);
    expect(v.rows[0].cells.map((c) => c.share)).toEqual([0.75, 0.25]);
    expect(v.rows[1].cells.map((c) => c.count)).toEqual([2, 0]);
    expect(v.rows[0].cells[0].background).toBe('rgba(8, 81, 156, 0.75)');
    expect(v.rows[0].cells[1].background).toMatch(/^rgba\(215, 48, 39/);
    expect(v.rows[1].cells[1].background).toMatch(/, 0\)$/);
  });

  it('a class only predicted (never true) still gets its column and an empty row', () => {
    const v = confusionView({ classNames: ['x', 'y'], matrix: [[1, 4], [0, 0]] });
    expect(v.labels).toEqual(['x', 'y']);
    expect(v.rows[1].total).toBe(0);
    expect(v.rows[1].cells.every((c) => c.share === 0)).toBe(true);
  });

  it('formats large counts compactly', () => {
    expect([12, 1234, 56789, 2_500_000].map(formatCellCount)).toEqual(['12', '1.2k', '57k', '2.5M']);
  });
});
