/** Folder listing helpers for the layout readers (they only ever look at names). */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function listNames(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

export function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function subdirs(dir: string): string[] {
  return listNames(dir).filter((n) => !n.startsWith('.') && isDir(join(dir, n)));
}

/** GeoTIFF names end in .tif or .tiff (any case). */
export const TIFF_RE = /\.tiff?$/i;

/**
 * Finds `<stem>.tif` or `<stem>.tiff` among `names` (a folder listing); returns the name found, or undefined.
 */
export function findTiff(names: ReadonlySet<string>, stem: string): string | undefined {
  for (const ext of ['.tif', '.tiff', '.TIF', '.TIFF']) if (names.has(stem + ext)) return stem + ext;
  return undefined;
}
