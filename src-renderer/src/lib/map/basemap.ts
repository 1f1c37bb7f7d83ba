import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import type { Feature as GeoJsonFeature, FeatureCollection, MultiLineString } from 'geojson';
import GeoJSON from 'ol/format/GeoJSON';
import type Feature from 'ol/Feature';
import VectorImageLayer from 'ol/layer/VectorImage';
import VectorSource from 'ol/source/Vector';
import { Fill, Stroke, Style } from 'ol/style';
import type { FeatureLike } from 'ol/Feature';
import { BASEMAP_COLOURS } from './palette';
import { splitAtAntimeridian, unwrapRing } from './antimeridian';

/**
 * The offline basemap: Natural Earth 1:50m land and country borders from the `world-atlas` package, bundled with
 * the renderer so that the map works with no network at all.
 */

type Kind = 'land' | 'border' | 'coast';

interface WorldTopology extends Topology {
  objects: { countries: GeometryCollection<{ name: string }>; land: GeometryCollection };
}

export const NATURAL_EARTH_ATTRIBUTION =
  'Basemap: <a href="https://www.naturalearthdata.com/" target="_blank" rel="noreferrer">Natural Earth</a> (public domain)';

const STYLES: Record<Kind, Style> = {
  // zIndex fixes the drawing order (land under lines) whatever order the spatial index returns features in.
  land: new Style({ fill: new Fill({ color: BASEMAP_COLOURS.land }), zIndex: 0 }),
  border: new Style({ stroke: new Stroke({ color: BASEMAP_COLOURS.border, width: 0.8 }), zIndex: 1 }),
  coast: new Style({ stroke: new Stroke({ color: BASEMAP_COLOURS.coast, width: 0.9 }), zIndex: 2 }),
};

function styleOf(f: FeatureLike): Style {
  return STYLES[f.get('kind') as Kind];
}

/** TopoJSON → OpenLayers features in the view projection: land polygons, internal borders, coastlines. */
export function worldFeatures(topology: WorldTopology, viewProjection: string): Feature[] {
  const { countries, land } = topology.objects;
  const format = new GeoJSON({ dataProjection: 'EPSG:4326', featureProjection: viewProjection });
  const parts: Array<[Kind, FeatureCollection | GeoJsonFeature]> = [
    ['land', planarPolygons(feature(topology, land))],
    // An arc shared by two different countries is a border; an arc used by one country only is a coast.
    ['border', asFeature(mesh(topology, countries, (a, b) => a !== b))],
    ['coast', asFeature(mesh(topology, countries, (a, b) => a === b))],
  ];
  const out: Feature[] = [];
  for (const [kind, geo] of parts) {
    for (const f of format.readFeatures(geo)) {
      f.set('kind', kind);
      out.push(f);
    }
  }
  return out;
}

function asFeature(lines: MultiLineString): GeoJsonFeature {
  const geometry: MultiLineString = { type: 'MultiLineString', coordinates: lines.coordinates.flatMap(splitAtAntimeridian) };
  return { type: 'Feature', properties: {}, geometry };
}

function planarPolygons(collection: FeatureCollection): FeatureCollection {
  return {
    type: 'FeatureCollection',
    features: collection.features.map((f) => {
      const g = f.geometry;
      if (g.type === 'Polygon') return { ...f, geometry: { ...g, coordinates: g.coordinates.map(unwrapRing) } };
      if (g.type === 'MultiPolygon')
        return { ...f, geometry: { ...g, coordinates: g.coordinates.map((poly) => poly.map(unwrapRing)) } };
      return f;
    }),
  };
}

/**
 * The basemap layer. The sea is the layer's background (so the canvas itself carries it, not CSS), land and lines
 * are drawn on top. Rendered as an image: it only redraws when an interaction ends, which keeps panning fluid.
 * Features load asynchronously (the atlas is a separate chunk), so the first paint of the workspace is not blocked.
 */
export interface Basemap {
  layer: VectorImageLayer<VectorSource>;
  /** Resolves once the atlas is parsed and its features are in the source. */
  loaded: Promise<void>;
}

export function createBasemap(viewProjection: string): Basemap {
  const source = new VectorSource({ attributions: NATURAL_EARTH_ATTRIBUTION, wrapX: true });
  const layer = new VectorImageLayer({
    source,
    style: styleOf,
    background: BASEMAP_COLOURS.ocean,
    imageRatio: 1.5,
  });
  const loaded = import('world-atlas/countries-50m.json').then((mod) => {
    const topology = (mod as unknown as { default: WorldTopology }).default;
    source.addFeatures(worldFeatures(topology, viewProjection));
  });
  return { layer, loaded };
}
