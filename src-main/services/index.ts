import type { ApiHandlers } from '../api/contract';
import { flushAtomicWrites } from '../core/fs-atomic';
import { appHandlers } from './app';
import { createDatasetsDomain, type DatasetsDomainOptions } from './datasets';
import { dialogHandlers, type DialogProvider } from './dialogs';
import { engineForce, engineHandlers } from './engine';
import { EventBus } from './events';
import { filesHandlers } from './files/handlers';
import { exportHandlers } from './files/export-handlers';
import { PathGuard } from './files/path-guard';
import { jobsHandlers } from './jobs/handlers';
import { JobService, type JobServiceOptions } from './jobs/service';
import { defaultConfigDir } from './settings/config-dir';
import { settingsHandlers } from './settings/handlers';
import { SettingsStore } from './settings/store';
import { trainingHandlers } from './training/handlers';

export interface ServicesOptions {
  /** The config folder (settings.json); default defaultConfigDir() (TERRAFUSE_CONFIG_DIR or the platform's). */
  configDir?: string;
  /** Native dialogs (the Electron transport); without them dialog.* answers `unavailable`. */
  dialogs?: DialogProvider;
  /** The renderer opens the embedded synthetic sample when no dataset is open (npm start, the desktop app). */
  openSampleOnStart?: boolean;
  /** Overrides the version reported by app.info (the Electron app passes app.getVersion()). */
  version?: string;
  jobs?: Omit<JobServiceOptions, 'events' | 'engineForce' | 'cacheRoot'>;
  /** Datasets and imagery (sample size, caches). */
  datasets?: DatasetsDomainOptions;
}

/** Everything the transports and the CLI need: the contract's handlers plus the services behind them. */
export interface Services {
  handlers: ApiHandlers;
  events: EventBus;
  settings: SettingsStore;
  jobs: JobService;
  paths: PathGuard;
  /** For quitting: cancels jobs, waits for their workers, and for every atomic write still in flight. */
  shutdown(): Promise<void>;
}

/**
 * Assembles the services of one process. Each domain contributes its handlers below (add one spread per domain);
 * TypeScript refuses the object until every method of the contract has a handler.
 */
export async function createServices(opts: ServicesOptions = {}): Promise<Services> {
  const events = new EventBus();
  const settings = await SettingsStore.open(opts.configDir ?? defaultConfigDir(), events);
  const paths = new PathGuard(() => {
    const s = settings.get();
    return [
      ...(s.workspaceFolder ? [{ path: s.workspaceFolder, kind: 'workspace' as const }] : []),
      ...s.recentDatasets.map((path) => ({ path, kind: 'dataset' as const })),
    ];
  });
  // Jobs read the workspace's cache folder when they start, by then the datasets domain below exists.
  let cacheRoot: () => string | undefined = () => undefined;
  const jobs = new JobService({ ...opts.jobs, events, engineForce: () => engineForce(settings), cacheRoot: () => cacheRoot() });
  const datasets = createDatasetsDomain({ ...opts.datasets, settings, paths, events, jobs });
  cacheRoot = () => datasets.datasets.cacheRoot();

  const handlers: ApiHandlers = {
    ...appHandlers(opts.version, opts.openSampleOnStart),
    ...engineHandlers(settings),
    ...settingsHandlers(settings),
    ...jobsHandlers(jobs),
    ...filesHandlers(paths),
    ...exportHandlers(paths),
    ...dialogHandlers({ provider: opts.dialogs, settings, paths }),
    ...trainingHandlers(jobs, paths, (path) => datasets.datasets.packedCacheDir(path)),
    ...datasets.handlers,
  };

  let closing: Promise<void> | undefined;
  return {
    handlers,
    events,
    settings,
    jobs,
    paths,
    shutdown() {
      closing ??= (async () => {
        await jobs.shutdown();
        await settings.flush();
        await flushAtomicWrites();
      })();
      return closing;
    },
  };
}

export type { DialogProvider } from './dialogs';
