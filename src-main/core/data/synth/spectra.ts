/**
 * Surface reflectance endmembers for the 12 Sentinel-2 L2A bands (bottom-of-atmosphere reflectance, 0..1), in the
 * band order of modalities.ts: B01 B02 B03 B04 B05 B06 B07 B08 B8A B09 B11 B12 (443, 490, 560, 665, 705, 740, 783,
 * 842, 865, 945, 1610, 2190 nm). Values are typical of published field and image spectra (USGS/ASTER spectral
 * libraries, S2 L2A scenes) rounded to a few per mille; every synthetic pixel is a linear mixture of them.
 *
 * The shapes that matter for learning are kept: green vegetation (chlorophyll absorption in blue and red, green
 * peak, steep red edge B05->B07, high NIR plateau, water absorption in SWIR), conifers darker than broadleaf in
 * NIR, dry vegetation and soils rising with wavelength, snow very bright in the visible and dark in SWIR (ice
 * absorption), water dark everywhere and darkest in NIR/SWIR, clouds bright and spectrally flat.
 */

export const ENDMEMBER_NAMES = [
  'green_vegetation', 'conifer_canopy', 'dry_vegetation', 'soil_dark', 'soil_bright', 'rock', 'snow', 'firn_ice',
  'water_clear', 'water_turbid', 'concrete', 'roof_tiles', 'asphalt', 'lichen', 'rapeseed_flowers', 'cloud',
] as const;
export type Endmember = (typeof ENDMEMBER_NAMES)[number];

/** Reflectance per endmember and band (B01 B02 B03 B04 B05 B06 B07 B08 B8A B09 B11 B12). */
export const SPECTRA: Record<Endmember, readonly number[]> = {
  green_vegetation: [0.030, 0.035, 0.075, 0.035, 0.110, 0.300, 0.380, 0.420, 0.440, 0.420, 0.210, 0.095],
  conifer_canopy:   [0.020, 0.022, 0.045, 0.022, 0.060, 0.160, 0.205, 0.230, 0.240, 0.230, 0.110, 0.048],
  dry_vegetation:   [0.070, 0.085, 0.125, 0.165, 0.200, 0.235, 0.260, 0.280, 0.295, 0.290, 0.380, 0.290],
  soil_dark:        [0.055, 0.065, 0.095, 0.125, 0.150, 0.170, 0.185, 0.200, 0.210, 0.215, 0.280, 0.230],
  soil_bright:      [0.100, 0.125, 0.175, 0.225, 0.255, 0.275, 0.290, 0.305, 0.315, 0.320, 0.400, 0.340],
  rock:             [0.130, 0.150, 0.180, 0.205, 0.220, 0.230, 0.240, 0.250, 0.255, 0.255, 0.290, 0.250],
  snow:             [0.880, 0.920, 0.900, 0.870, 0.850, 0.810, 0.770, 0.730, 0.700, 0.580, 0.080, 0.060],
  firn_ice:         [0.550, 0.580, 0.560, 0.520, 0.490, 0.450, 0.410, 0.370, 0.350, 0.270, 0.040, 0.030],
  water_clear:      [0.060, 0.055, 0.050, 0.028, 0.018, 0.010, 0.008, 0.006, 0.005, 0.003, 0.002, 0.001],
  water_turbid:     [0.070, 0.075, 0.090, 0.070, 0.060, 0.035, 0.025, 0.020, 0.018, 0.010, 0.004, 0.002],
  concrete:         [0.150, 0.165, 0.185, 0.200, 0.210, 0.220, 0.228, 0.235, 0.240, 0.240, 0.270, 0.250],
  roof_tiles:       [0.080, 0.080, 0.095, 0.190, 0.220, 0.240, 0.250, 0.260, 0.265, 0.265, 0.300, 0.260],
  asphalt:          [0.060, 0.065, 0.070, 0.075, 0.080, 0.085, 0.090, 0.095, 0.098, 0.098, 0.110, 0.100],
  lichen:           [0.090, 0.110, 0.150, 0.180, 0.220, 0.260, 0.290, 0.310, 0.320, 0.315, 0.300, 0.200],
  rapeseed_flowers: [0.040, 0.045, 0.150, 0.090, 0.160, 0.280, 0.340, 0.380, 0.395, 0.380, 0.230, 0.110],
  cloud:            [0.480, 0.470, 0.460, 0.460, 0.470, 0.470, 0.475, 0.480, 0.480, 0.420, 0.360, 0.260],
};

export const BAND_COUNT = 12;
export const EM: Record<Endmember, number> = Object.fromEntries(ENDMEMBER_NAMES.map((n, i) => [n, i])) as Record<Endmember, number>;
export const ENDMEMBER_COUNT = ENDMEMBER_NAMES.length;

/** Flat table: SPECTRUM[e * 12 + b]. */
export const SPECTRUM: Float32Array = (() => {
  const t = new Float32Array(ENDMEMBER_COUNT * BAND_COUNT);
  ENDMEMBER_NAMES.forEach((n, e) => SPECTRA[n].forEach((v, b) => (t[e * BAND_COUNT + b] = v)));
  return t;
})();
