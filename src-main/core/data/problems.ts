/**
 * How the data layer reports bad input. A dataset with one corrupt file among thousands must still load: readers
 * and the cache builder collect a `DataProblem` per bad file (naming the file and the reason) and carry on; only
 * problems that make the whole dataset unusable (an unknown layout, an unreadable folder) are thrown.
 */

export type ProblemSeverity = 'error' | 'warning';

export interface DataProblem {
  /** 'error': the patch (or the modality named) was skipped; 'warning': it loaded, with the repair described. */
  severity: ProblemSeverity;
  /** The file at fault (absolute path), or the dataset folder for dataset-level problems. */
  file: string;
  /** What is wrong, in words a user can act on. */
  reason: string;
  patchId?: string;
  modality?: string;
}

/** A problem with one file: thrown by low-level readers, caught and turned into a `DataProblem` by callers. */
export class DataFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'DataFileError';
  }
}

/** A problem with the dataset as a whole (unknown layout, no patches): nothing can be loaded. */
export class DatasetError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'DatasetError';
  }
}

export function problemFrom(err: unknown, fallbackFile: string, extra: Partial<DataProblem> = {}): DataProblem {
  if (err instanceof DataFileError) return { severity: 'error', file: err.file, reason: err.reason, ...extra };
  const reason = err instanceof Error ? err.message : String(err);
  return { severity: 'error', file: fallbackFile, reason, ...extra };
}

/** One line per problem, for logs and the CLI. */
export function formatProblem(p: DataProblem): string {
  const where = [p.patchId && `patch ${p.patchId}`, p.modality].filter(Boolean).join(', ');
  return `${p.severity}: ${p.file}${where ? ` (${where})` : ''}: ${p.reason}`;
}
