/** The datasets and imagery domain, assembled for createServices (services/index.ts). */
import type { EventBus } from '../events';
import type { PathGuard } from '../files/path-guard';
import type { JobService } from '../jobs/service';
import type { SettingsStore } from '../settings/store';
import { datasetsHandlers } from './handlers';
import { ImageryService, type ImageryServiceOptions } from './imagery-service';
import { DatasetsService } from './service';

export interface DatasetsDomainOptions {
  /** Patches of the embedded synthetic sample (default DEFAULT_SAMPLE_PATCHES). */
  samplePatches?: number;
  /** Where caches and the sample live; default: the workspace folder, else `<config dir>/workspace`. */
  workspaceDir?: () => string;
  imagery?: ImageryServiceOptions;
}

export function createDatasetsDomain(deps: DatasetsDomainOptions & { settings: SettingsStore; paths: PathGuard; events: EventBus; jobs: JobService }) {
  const datasets = new DatasetsService(deps);
  const imagery = new ImageryService(datasets, deps.imagery);
  return { datasets, imagery, handlers: datasetsHandlers(datasets, imagery) };
}

export { DatasetsService, datasetIdOf, summaryOf, DEFAULT_SAMPLE_PATCHES, SAMPLE_JOB_KIND } from './service';
export { ImageryService } from './imagery-service';
