import { z } from 'zod';

/** A log line from a service or job, streamed to every connected client. */
export const LogEvent = z.object({
  level: z.enum(['debug', 'info', 'warn', 'error']),
  source: z.string(),
  message: z.string(),
  time: z.string(),
});

/** Events pushed from the main process to clients. Job events are added by the jobs domain. */
export const eventSchemas = {
  log: LogEvent,
};
