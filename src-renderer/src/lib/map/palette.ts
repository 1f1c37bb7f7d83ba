/**
 * Colours of the offline basemap. Kept apart from the OpenLayers code (plain constants, no imports) because the
 * end-to-end tests read them to recognise land and sea in screenshots of the map canvas.
 */
export const BASEMAP_COLOURS = {
  /** Sea: painted as the basemap layer's background, so every pixel not covered by land is this colour. */
  ocean: '#cfdde6',
  land: '#f3f0e8',
  /** Borders between two countries (drawn once per shared arc). */
  border: '#a3a9b0',
  /** Land/sea boundary, a shade darker than the sea so coasts read at small scales. */
  coast: '#8aa3b3',
  graticule: 'rgba(54, 78, 99, 0.22)',
  label: '#5b6570',
  labelHalo: 'rgba(243, 240, 232, 0.9)',
  graticuleLabel: '#51606d',
} as const;

/** The same colours as RGB triples (0..255) for pixel comparisons. */
export function hexToRgb(hex: string): [number, number, number] {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
}
