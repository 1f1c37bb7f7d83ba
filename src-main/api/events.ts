import { z } from 'zod';
import { appEvents } from './app';
import { datasetsEvents } from './datasets';
import { jobsEvents } from './jobs';
import { settingsEvents } from './settings';

/** A log line from a service or job, streamed to every connected client. */
export const LogEvent = z.object({
  level: z.enum(['debug', 'info', 'warn', 'error']),
  source: z.string(),
  message: z.string(),
  time: z.string(),
});

/** Events pushed from the main process to clients. Each domain keeps its events next to its methods. */
export const eventSchemas = {
  log: LogEvent,
  ...appEvents,
  ...jobsEvents,
  ...settingsEvents,
  ...datasetsEvents,
};
