/**
 * The Content-Security-Policy of the renderer, the same in the Electron window and in serve mode: scripts only
 * from the app itself (no inline, no eval, no remote), nothing framed, no plugins, no forms. Map tiles from the
 * internet are allowed only while the user has switched the online basemap on.
 */

/** Where OpenLayers' OSM source fetches tiles (https://tile.openstreetmap.org/{z}/{x}/{y}.png). */
export const OSM_TILE_ORIGINS = ['https://tile.openstreetmap.org'] as const;

export interface CspOptions {
  basemapOnline: boolean;
  /** electron-vite's dev server origin during `electron-vite dev` (its scripts and HMR socket). */
  devServerOrigin?: string;
  /** Extra connect-src sources, e.g. the explicit ws:// origin of serve mode. */
  connectSources?: readonly string[];
}

export function buildCsp(opts: CspOptions): string {
  const tiles = opts.basemapOnline ? [...OSM_TILE_ORIGINS] : [];
  const dev = opts.devServerOrigin ? [opts.devServerOrigin] : [];
  const devSocket = opts.devServerOrigin ? [opts.devServerOrigin.replace(/^http/, 'ws')] : [];
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'", ...dev],
    // Inline styles stay allowed: Svelte's transitions and OpenLayers' controls set style attributes and add
    // <style> elements at run time. Styles cannot run code; scripts stay strict.
    'style-src': ["'self'", "'unsafe-inline'", ...dev],
    'img-src': ["'self'", 'data:', 'blob:', ...tiles],
    'font-src': ["'self'", 'data:'],
    'connect-src': ["'self'", ...(opts.connectSources ?? []), ...tiles, ...dev, ...devSocket],
    'worker-src': ["'self'", 'blob:'],
    'object-src': ["'none'"],
    'frame-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${[...new Set(sources)].join(' ')}`)
    .join('; ');
}

/** Parses a policy back into directives (for tests and diagnostics). */
export function parseCsp(policy: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out.set(name.toLowerCase(), sources);
  }
  return out;
}
