import type { ApiHandlers } from '../../api/contract';
import type { JobService } from './service';

type JobsHandlers = Pick<ApiHandlers, 'jobs.list' | 'jobs.get' | 'jobs.cancel'>;

/**
 * The contract's view of the jobs. Starting a job is not here on purpose: each domain starts its own kind through
 * its own typed method (train.start, predict.start...), which validates what that kind needs.
 */
export function jobsHandlers(jobs: JobService): JobsHandlers {
  return {
    'jobs.list': async () => ({ jobs: jobs.list() }),
    'jobs.get': async ({ jobId }) => jobs.get(jobId),
    'jobs.cancel': async ({ jobId }) => jobs.cancel(jobId),
  };
}
