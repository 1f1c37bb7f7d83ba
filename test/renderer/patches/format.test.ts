import { describe, expect, it } from 'vitest';
import { baseName, formatCount, formatPercent, formatRange, formatSeason, formatValue, histogramPath } from '../../../src-renderer/src/lib/patches/format';

describe('data panel and inspector text', () => {
  it('writes counts, shares, values and seasons', () => {
    expect(formatCount(100000)).toBe('100,000');
    expect(formatPercent(0.375)).toBe('38 %');
    expect(formatPercent(0.0651)).toBe('6.5 %');
    expect(formatPercent(0.0004)).toBe('<0.1 %');
    expect(formatPercent(0)).toBe('0.0 %');
    expect(formatValue(1013.24, 'hPa')).toBe('1013 hPa');
    expect(formatValue(287.456)).toBe('287.5');
    expect(formatValue(-12.345)).toBe('-12.35');
    expect(formatValue(0.04219)).toBe('0.042');
    expect(formatValue(null)).toBe('–');
    expect(formatSeason(0.944)).toBe('0.94 (near midsummer)');
    expect(formatSeason(0.5)).toBe('0.50 (near an equinox)');
    expect(formatSeason(null)).toBe('–');
    expect(formatRange([0.2, 0.8])).toBe('0.20 – 0.80');
    expect(baseName('/data/ben-ge-s/')).toBe('ben-ge-s');
    expect(baseName('C:\\data\\bigearthnet')).toBe('bigearthnet');
  });

  it('draws histogram bars with square-root heights, skipping empty bins', () => {
    expect(histogramPath([0, 0], 10, 10)).toBe('');
    expect(histogramPath([4, 0, 1], 30, 20)).toBe('M0 20V0H10V20ZM20 20V10H30V20Z');
    // A tiny bin next to a huge one stays visible (at least 0.75 px).
    expect(histogramPath([1_000_000, 1], 20, 10)).toContain('V9.25');
  });
});
