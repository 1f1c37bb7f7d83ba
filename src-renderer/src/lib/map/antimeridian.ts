/**
 * Natural Earth cuts shapes at the antimeridian for spherical renderers: a ring (Chukotka, Fiji) jumps from +180°
 * to -180° and back. Drawn on a flat map such a jump is a line across the whole world. These helpers make the
 * shapes planar-safe. Coordinates are [lon, lat] degrees.
 */

type Position = number[];

/** Longitude of points on the cut itself; quantised atlases put them at exactly ±180. */
const CUT_EPSILON = 1e-6;

/**
 * A ring without jumps: after a jump of more than 180° the rest of the ring is shifted by ±360°, so Chukotka
 * continues east of +180° (OpenLayers draws the wrapped copy west of -180°). A ring around a pole (Antarctica)
 * does not close after unwrapping; its straight ±180° edge is already right on a flat map, so it is kept as is.
 */
export function unwrapRing(ring: Position[]): Position[] {
  if (ring.length < 2) return ring;
  let shift = 0;
  let changed = false;
  const out: Position[] = [ring[0]];
  for (let i = 1; i < ring.length; i++) {
    const delta = ring[i][0] - ring[i - 1][0];
    if (delta > 180) shift -= 360;
    else if (delta < -180) shift += 360;
    if (shift !== 0) changed = true;
    out.push(shift === 0 ? ring[i] : [ring[i][0] + shift, ring[i][1]]);
  }
  if (!changed) return ring;
  const first = out[0];
  const last = out[out.length - 1];
  return first[0] === last[0] && first[1] === last[1] ? out : ring;
}

/**
 * Lines (coasts, borders) split where they jump across the antimeridian, without the pieces that run along the cut
 * itself (those are seams of the atlas, not coasts). Returns zero or more lines of at least two points.
 */
export function splitAtAntimeridian(line: Position[]): Position[][] {
  const out: Position[][] = [];
  let current: Position[] = [];
  for (let i = 1; i < line.length; i++) {
    const q = line[i - 1];
    const p = line[i];
    const drawable = Math.abs(p[0] - q[0]) <= 180 && !(onCut(p) && onCut(q));
    if (drawable) {
      if (current.length === 0) current.push(q);
      current.push(p);
    } else if (current.length) {
      out.push(current);
      current = [];
    }
  }
  if (current.length) out.push(current);
  return out;
}

function onCut(p: Position): boolean {
  return Math.abs(Math.abs(p[0]) - 180) < CUT_EPSILON;
}
