/**
 * A uniform grid over patch centres (EPSG:3857 metres) for the questions the map asks on every click and box: the
 * patch nearest a point within a tolerance, and the patches inside a rectangle. Built once per dataset by a counting
 * sort (no per-cell arrays), so 100,000 points take a few milliseconds and a few hundred kilobytes.
 */
export class PointGrid {
  readonly #x: Float64Array;
  readonly #y: Float64Array;
  readonly #minx: number;
  readonly #miny: number;
  readonly #cell: number;
  readonly #cols: number;
  readonly #rows: number;
  /** Cell c holds #order[#start[c] .. #start[c + 1]). */
  readonly #start: Uint32Array;
  readonly #order: Uint32Array;

  /** `x`/`y`: centres, NaN for patches without a place (never found). `maxCells` bounds the grid's memory. */
  constructor(x: Float64Array, y: Float64Array, maxCells = 1 << 20) {
    this.#x = x;
    this.#y = y;
    let minx = Infinity;
    let miny = Infinity;
    let maxx = -Infinity;
    let maxy = -Infinity;
    let placed = 0;
    for (let i = 0; i < x.length; i++) {
      if (Number.isNaN(x[i]) || Number.isNaN(y[i])) continue;
      placed++;
      if (x[i] < minx) minx = x[i];
      if (x[i] > maxx) maxx = x[i];
      if (y[i] < miny) miny = y[i];
      if (y[i] > maxy) maxy = y[i];
    }
    if (placed === 0) {
      minx = miny = 0;
      maxx = maxy = 1;
    }
    const w = Math.max(maxx - minx, 1);
    const h = Math.max(maxy - miny, 1);
    // About two points per cell on average, within the memory bound; at least 1 m per cell.
    const cells = Math.min(maxCells, Math.max(1, Math.ceil(placed / 2)));
    const cell = Math.max(1, Math.sqrt((w * h) / cells), Math.max(w, h) / Math.sqrt(maxCells));
    this.#minx = minx;
    this.#miny = miny;
    this.#cell = cell;
    this.#cols = Math.max(1, Math.floor(w / cell) + 1);
    this.#rows = Math.max(1, Math.floor(h / cell) + 1);

    const cellOf = new Int32Array(x.length);
    const start = new Uint32Array(this.#cols * this.#rows + 1);
    for (let i = 0; i < x.length; i++) {
      if (Number.isNaN(x[i]) || Number.isNaN(y[i])) {
        cellOf[i] = -1;
        continue;
      }
      const c = this.#cellIndex(this.#col(x[i]), this.#row(y[i]));
      cellOf[i] = c;
      start[c + 1]++;
    }
    for (let c = 0; c < start.length - 1; c++) start[c + 1] += start[c];
    const fill = start.slice(0, start.length - 1);
    const order = new Uint32Array(placed);
    for (let i = 0; i < x.length; i++) if (cellOf[i] >= 0) order[fill[cellOf[i]]++] = i;
    this.#start = start;
    this.#order = order;
  }

  #col(x: number): number {
    return Math.min(this.#cols - 1, Math.max(0, Math.floor((x - this.#minx) / this.#cell)));
  }

  #row(y: number): number {
    return Math.min(this.#rows - 1, Math.max(0, Math.floor((y - this.#miny) / this.#cell)));
  }

  #cellIndex(col: number, row: number): number {
    return row * this.#cols + col;
  }

  /** Visits every point whose cell meets the rectangle (a superset of the points inside it). */
  #visit(minx: number, miny: number, maxx: number, maxy: number, fn: (i: number) => void): void {
    if (maxx < this.#minx - this.#cell || minx > this.#minx + this.#cols * this.#cell) return;
    if (maxy < this.#miny - this.#cell || miny > this.#miny + this.#rows * this.#cell) return;
    const c0 = this.#col(minx);
    const c1 = this.#col(maxx);
    const r0 = this.#row(miny);
    const r1 = this.#row(maxy);
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const cell = this.#cellIndex(c, r);
        for (let k = this.#start[cell]; k < this.#start[cell + 1]; k++) fn(this.#order[k]);
      }
    }
  }

  /** The point nearest (x, y) no further than `tolerance`, among those `accept` allows; -1 when there is none. */
  nearest(x: number, y: number, tolerance: number, accept?: (i: number) => boolean): number {
    let best = -1;
    let bestD = tolerance * tolerance;
    this.#visit(x - tolerance, y - tolerance, x + tolerance, y + tolerance, (i) => {
      const dx = this.#x[i] - x;
      const dy = this.#y[i] - y;
      const d = dx * dx + dy * dy;
      // Ties go to the lower index, so the answer does not depend on the grid's cell order.
      if ((d < bestD || (d === bestD && (best < 0 || i < best))) && (!accept || accept(i))) {
        best = i;
        bestD = d;
      }
    });
    return best;
  }

  /** Points inside [minx, maxx] × [miny, maxy] (edges included) that `accept` allows, ascending. */
  within(minx: number, miny: number, maxx: number, maxy: number, accept?: (i: number) => boolean): number[] {
    const out: number[] = [];
    this.#visit(minx, miny, maxx, maxy, (i) => {
      const px = this.#x[i];
      const py = this.#y[i];
      if (px >= minx && px <= maxx && py >= miny && py <= maxy && (!accept || accept(i))) out.push(i);
    });
    return out.sort((a, b) => a - b);
  }
}
