import type { GeometryCollection, Topology } from 'topojson-specification';

/** Natural Earth 1:50m countries and land as TopoJSON (the `world-atlas` package). */
export interface WorldTopology extends Topology {
  objects: { countries: GeometryCollection<{ name: string }>; land: GeometryCollection };
}

let atlas: Promise<WorldTopology> | undefined;

/**
 * The atlas, parsed once. It is bundled as its own chunk (about 750 kB) and loaded after the first paint, so the
 * workspace appears at once; no network is involved, the chunk ships with the renderer.
 */
export function loadAtlas(): Promise<WorldTopology> {
  atlas ??= import('world-atlas/countries-50m.json').then((mod) => (mod as unknown as { default: WorldTopology }).default);
  return atlas;
}
