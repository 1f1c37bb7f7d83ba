/**
 * ben-ge's seasonal encoding, for datasets that only give a date (BigEarthNet). ben-ge describes it as: take the
 * fractional year of the date shifted by 9 days (so that 21 June is 0.5 and 22 December is 0 or 1) and modulate it
 * with a sine so that the summer solstice gives 1 and the winter solstice 0. We read that as sin(pi * f), which is
 * continuous across the new year and spans [0, 1].
 */

export function seasonOfDate(date: Date): number {
  const year = date.getUTCFullYear();
  const start = Date.UTC(year, 0, 1);
  const length = Date.UTC(year + 1, 0, 1) - start;
  const shifted = (date.getTime() - start + 9 * 86_400_000) / length;
  const f = shifted - Math.floor(shifted);
  return Math.sin(Math.PI * f);
}

/**
 * Parses the date-times found in EO names and metadata: ISO ("2017-06-13T16:50:43", "2017-06-13 10:10:31") and
 * compact ("20170613T101031"; BigEarthNet's 5-digit time fields like "20170924T93021" drop a leading zero).
 */
export function parseAcquisitionTime(text: string): Date | undefined {
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}):(\d{2}))?/.exec(text);
  if (iso) {
    const [, y, m, d, hh = '0', mm = '0', ss = '0'] = iso;
    return new Date(Date.UTC(+y, +m - 1, +d, +hh, +mm, +ss));
  }
  const compact = /(\d{4})(\d{2})(\d{2})T(\d{5,6})(?!\d)/.exec(text);
  if (compact) {
    const [, y, m, d, t] = compact;
    const time = t.padStart(6, '0');
    return new Date(Date.UTC(+y, +m - 1, +d, +time.slice(0, 2), +time.slice(2, 4), +time.slice(4, 6)));
  }
  return undefined;
}
