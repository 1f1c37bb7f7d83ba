import { feature, mesh } from 'topojson-client';
import type { Feature as GeoJsonFeature, FeatureCollection, MultiLineString, MultiPolygon, Polygon as GeoJsonPolygon } from 'geojson';
import GeoJSON from 'ol/format/GeoJSON';
import Feature, { type FeatureLike } from 'ol/Feature';
import Point from 'ol/geom/Point';
import Polygon from 'ol/geom/Polygon';
import VectorLayer from 'ol/layer/Vector';
import VectorImageLayer from 'ol/layer/VectorImage';
import VectorSource from 'ol/source/Vector';
import { Fill, Stroke, Style, Text } from 'ol/style';
import { fromLonLat } from 'ol/proj';
import { splitAtAntimeridian, unwrapRing } from './antimeridian';
import { loadAtlas, type WorldTopology } from './atlas';
import { BASEMAP_COLOURS } from './palette';

/**
 * The offline basemap: Natural Earth 1:50m land, country borders and country names from the `world-atlas` package,
 * bundled with the renderer so that the map works with no network at all.
 */

type Kind = 'land' | 'border' | 'coast';

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

function asFeature(lines: MultiLineString): GeoJsonFeature {
  const geometry: MultiLineString = { type: 'MultiLineString', coordinates: lines.coordinates.flatMap(splitAtAntimeridian) };
  return { type: 'Feature', properties: {}, geometry };
}

function planarGeometry<G extends GeoJsonPolygon | MultiPolygon>(g: G): G {
  if (g.type === 'Polygon') return { ...g, coordinates: g.coordinates.map(unwrapRing) };
  return { ...g, coordinates: (g as MultiPolygon).coordinates.map((poly) => poly.map(unwrapRing)) };
}

function planarPolygons(collection: FeatureCollection): FeatureCollection {
  return {
    type: 'FeatureCollection',
    features: collection.features.map((f) =>
      f.geometry.type === 'Polygon' || f.geometry.type === 'MultiPolygon' ? { ...f, geometry: planarGeometry(f.geometry) } : f,
    ),
  };
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

/**
 * One label point per country: inside its largest polygon (not on the mainland's bounding-box centre, which for
 * e.g. Norway or Croatia falls into the sea), with the polygon's size in map units to decide when it fits.
 */
export function countryLabelFeatures(topology: WorldTopology, viewProjection: string): Feature<Point>[] {
  const out: Feature<Point>[] = [];
  for (const f of feature(topology, topology.objects.countries).features) {
    const g = f.geometry;
    if (!g || (g.type !== 'Polygon' && g.type !== 'MultiPolygon') || !f.properties?.name) continue;
    const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
    let best: Polygon | undefined;
    let bestArea = 0;
    for (const rings of polygons) {
      const poly = new Polygon(rings.map((r) => unwrapRing(r).map((p) => fromLonLat(p, viewProjection))));
      const area = poly.getArea();
      if (area > bestArea) {
        best = poly;
        bestArea = area;
      }
    }
    if (!best) continue;
    const inner = best.getInteriorPoint().getCoordinates();
    out.push(new Feature({ geometry: new Point([inner[0], inner[1]]), name: f.properties.name, size: Math.sqrt(bestArea) }));
  }
  return out;
}

const LABEL_TEXT = new Text({
  font: '500 11px system-ui, sans-serif',
  fill: new Fill({ color: BASEMAP_COLOURS.label }),
  stroke: new Stroke({ color: BASEMAP_COLOURS.labelHalo, width: 3 }),
  overflow: true,
});
const LABEL_STYLE = new Style({ text: LABEL_TEXT });

/** Minimum on-screen extent (pixels, square root of the area) of a country before its name is drawn. */
const MIN_LABEL_PIXELS = 48;

function labelStyle(f: FeatureLike, resolution: number): Style | undefined {
  if ((f.get('size') as number) / resolution < MIN_LABEL_PIXELS) return undefined;
  LABEL_TEXT.setText(f.get('name') as string);
  return LABEL_STYLE;
}

export interface Basemap {
  /** Land, borders and coasts over the sea colour. */
  layer: VectorImageLayer<VectorSource>;
  /** Country names, decluttered; a separate layer so it can be switched off and stays crisp while zooming. */
  labels: VectorLayer<VectorSource<Feature<Point>>>;
  /** Resolves once the atlas is parsed and its features are in the sources. */
  loaded: Promise<void>;
}

export function createBasemap(viewProjection: string): Basemap {
  const source = new VectorSource({ attributions: NATURAL_EARTH_ATTRIBUTION, wrapX: true });
  // Rendered as an image: it only redraws when an interaction ends, which keeps panning fluid.
  const layer = new VectorImageLayer({ source, style: styleOf, background: BASEMAP_COLOURS.ocean, imageRatio: 1.5 });
  const labelSource = new VectorSource<Feature<Point>>({ wrapX: true });
  const labels = new VectorLayer({
    source: labelSource,
    style: labelStyle,
    declutter: true,
    // Larger countries first: with decluttering, the label placed first wins a contested spot.
    renderOrder: (a, b) => (b.get('size') as number) - (a.get('size') as number),
  });
  const loaded = loadAtlas().then((topology) => {
    source.addFeatures(worldFeatures(topology, viewProjection));
    labelSource.addFeatures(countryLabelFeatures(topology, viewProjection));
  });
  return { layer, labels, loaded };
}
