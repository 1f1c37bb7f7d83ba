import { baseName } from '../patches/format';

export interface RecentEntry {
  path: string;
  name: string;
  /** The services reported the folder missing (moved, unmounted); false when they did not say. */
  missing: boolean;
}

/** The recent datasets list without one folder (order kept). */
export function withoutRecent(recent: readonly string[], path: string): string[] {
  return recent.filter((p) => p !== path);
}

/**
 * The settings' recent folders for display, with what datasets.list knows about their existence (a list read at
 * another moment: folders it does not mention count as present).
 */
export function recentEntries(recent: readonly string[], known: ReadonlyArray<{ path: string; exists: boolean }>): RecentEntry[] {
  const exists = new Map(known.map((k) => [k.path, k.exists]));
  return recent.map((path) => ({ path, name: baseName(path), missing: exists.get(path) === false }));
}
