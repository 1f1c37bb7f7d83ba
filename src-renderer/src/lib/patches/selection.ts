/**
 * The selected patches of the open dataset: a flag per patch (membership in O(1), for drawing) plus a count. Kept
 * apart from the filter: a selection survives filter changes, and actions (labelling, prediction, export) read it
 * through `indices()` / ids. Pure: the Svelte store around it bumps a version on every change.
 */
export class PatchSelection {
  #flags: Uint8Array;
  #size = 0;

  constructor(count: number) {
    this.#flags = new Uint8Array(count);
  }

  get size(): number {
    return this.#size;
  }

  get capacity(): number {
    return this.#flags.length;
  }

  /** The flags (1 = selected), read-only by convention: the map uploads them as they are. */
  get flags(): Uint8Array {
    return this.#flags;
  }

  has(i: number): boolean {
    return this.#flags[i] === 1;
  }

  clear(): void {
    this.#flags.fill(0);
    this.#size = 0;
  }

  /** Select exactly these patches. */
  replace(indices: Iterable<number>): void {
    this.clear();
    this.add(indices);
  }

  add(indices: Iterable<number>): void {
    for (const i of indices) {
      if (i < 0 || i >= this.#flags.length || this.#flags[i]) continue;
      this.#flags[i] = 1;
      this.#size++;
    }
  }

  remove(indices: Iterable<number>): void {
    for (const i of indices) {
      if (i < 0 || i >= this.#flags.length || !this.#flags[i]) continue;
      this.#flags[i] = 0;
      this.#size--;
    }
  }

  toggle(i: number): void {
    if (this.has(i)) this.remove([i]);
    else this.add([i]);
  }

  /** Selected patch positions, ascending. */
  indices(): Uint32Array {
    const out = new Uint32Array(this.#size);
    let k = 0;
    for (let i = 0; i < this.#flags.length && k < out.length; i++) if (this.#flags[i]) out[k++] = i;
    return out;
  }

  /** How many selected patches the mask hides. */
  hiddenBy(mask: Uint8Array): number {
    let hidden = 0;
    for (let i = 0; i < this.#flags.length; i++) if (this.#flags[i] && !mask[i]) hidden++;
    return hidden;
  }
}

/** How a click or a box changes the selection: replace it, or (with Shift) add to / toggle in it. */
export type SelectMode = 'replace' | 'add' | 'toggle';

export function applySelect(selection: PatchSelection, hits: readonly number[], mode: SelectMode): void {
  if (mode === 'replace') selection.replace(hits);
  else if (mode === 'add') selection.add(hits);
  else for (const i of hits) selection.toggle(i);
}
