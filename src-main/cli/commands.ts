import type { Command } from './command';

/**
 * Every sub-command, loaded lazily so that `terrafuse --help` does not pay for tfjs or geotiff start-up.
 * Add one line per command.
 */
export const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  engine: { summary: 'Show the compute engine in use and why faster ones were skipped', load: async () => (await import('./engine')).engineCommand },
  bench: { summary: 'Benchmark a training/inference workload on the engine in use', load: async () => (await import('./bench')).benchCommand },
  serve: { summary: 'Serve the app to a web browser (token-protected HTTP + WebSocket)', load: async () => (await import('./serve')).serveCommand },
  raster: { summary: 'Show GeoTIFF facts and band statistics exactly as GDAL reads them', load: async () => (await import('./raster')).rasterCommand },
  inspect: { summary: 'Show what a dataset folder holds (layout, patches, modalities, extent, splits, problems)', load: async () => (await import('./inspect')).inspectCommand },
  train: { summary: 'Train a fusion / multitask model (from scratch or from a checkpoint)', load: async () => (await import('./train')).trainCommand },
  pretrain: { summary: 'Self-supervised pretraining (SimCLR, S1/S2 contrastive) of encoders', load: async () => (await import('./pretrain')).pretrainCommand },
  evaluate: { summary: "Evaluate a run's checkpoint on a dataset split", load: async () => (await import('./evaluate')).evaluateCommand },
  predict: { summary: 'Predict with a run: CSV, GeoJSON footprints and GeoTIFF masks', load: async () => (await import('./predict')).predictCommand },
  experiment: { summary: 'Experiments (label-efficiency: scratch vs SSL at several label fractions)', load: async () => (await import('./experiment')).experimentCommand },
  synth: { summary: 'Write a synthetic ben-ge dataset (S2, S1, DEM, WorldCover, climate, season, ERA-5)', load: async () => (await import('./synth')).synthCommand },
};
