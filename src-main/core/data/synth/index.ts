/**
 * The synthetic ben-ge generator: physically coherent multimodal patches (Sentinel-2, Sentinel-1, DEM, WorldCover,
 * climate zone, season, ERA-5) at real places in Europe, written in the ben-ge layout. Used for the embedded default
 * dataset, demos and tests.
 */
export { generateBenGe, BENGE_WORLDCOVER_COLUMNS, META_COLUMNS, GENERATOR_VERSION } from './generate';
export type { GenerateOptions, GenerateSummary } from './generate';
export { synthesizePatch, makePatchParams } from './patch';
export type { PatchParams, SynthPatch } from './patch';
export { planDataset, splitIds } from './plan';
export type { PlannedPatch } from './plan';
export { KIND, KIND_TO_WORLDCOVER } from './landscape';
export { TILES, REGIMES } from './tiles';
export type { TileDef, Regime, RegimeName } from './tiles';
export { SPECTRA, ENDMEMBER_NAMES } from './spectra';
