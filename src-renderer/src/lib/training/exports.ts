import type { TerrafuseClient } from '../../../../src-main/api/client';

/**
 * Exports of run outputs, the same buttons in both apps: the desktop app asks where to save (native dialog) and
 * the services copy there (files.copy); in serve mode the browser downloads the file (files.read, small files) or,
 * for a folder, each of its files. Paths are the services'; the main process checks both ends.
 */

export type Download = (name: string, bytes: Uint8Array) => void;

export interface ExportOutcome {
  /** Where it went: a path on the computer, or the downloaded names. */
  where: string;
  files: number;
}

function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}

function join(dir: string, name: string): string {
  const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  return dir.endsWith(sep) ? `${dir}${name}` : `${dir}${sep}${name}`;
}

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const FILTERS: Record<string, { name: string; extensions: string[] }> = {
  tif: { name: 'GeoTIFF', extensions: ['tif', 'tiff'] },
  csv: { name: 'CSV', extensions: ['csv'] },
  geojson: { name: 'GeoJSON', extensions: ['geojson', 'json'] },
};

/** One file. null when the user cancelled the save dialog. */
export async function exportFile(client: TerrafuseClient, path: string, download: Download): Promise<ExportOutcome | null> {
  const name = baseName(path);
  if (client.transport === 'ipc') {
    const filter = FILTERS[name.split('.').pop()?.toLowerCase() ?? ''];
    const chosen = await client.call('dialog.saveFile', { title: `Export ${name}`, defaultName: name, ...(filter ? { filters: [filter] } : {}) });
    if (chosen.path === null) return null;
    const r = await client.call('files.copy', { from: path, to: chosen.path });
    return { where: r.path, files: r.files };
  }
  const r = await client.call('files.read', { path });
  download(r.name, decodeBase64(r.base64));
  return { where: r.name, files: 1 };
}

/**
 * A folder (the model, the masks): copied as `<chosen folder>/<name>` in the desktop app; in serve mode each file
 * at its top level is downloaded as `<name>_<file>` (no archives: zip is not offered).
 */
export async function exportFolder(client: TerrafuseClient, path: string, name: string, download: Download): Promise<ExportOutcome | null> {
  if (client.transport === 'ipc') {
    const chosen = await client.call('dialog.openFolder', { title: `Export ${name} into…`, purpose: 'other' });
    if (chosen.path === null) return null;
    const r = await client.call('files.copy', { from: path, to: join(chosen.path, name) });
    return { where: r.path, files: r.files };
  }
  const { entries } = await client.call('files.list', { path });
  const files = entries.filter((e) => e.kind === 'file');
  for (const f of files) {
    const r = await client.call('files.read', { path: join(path, f.name) });
    download(`${name}_${r.name}`, decodeBase64(r.base64));
  }
  return { where: `${files.length} download${files.length === 1 ? '' : 's'}`, files: files.length };
}

/** The browser side of a download: a blob URL clicked through a temporary link. */
export function browserDownload(name: string, bytes: Uint8Array): void {
  const blob = new Blob([bytes as BlobPart], { type: 'application/octet-stream' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
