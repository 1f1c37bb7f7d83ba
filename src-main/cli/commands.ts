import type { Command } from './command';

/**
 * Every sub-command, loaded lazily so that `terrafuse --help` does not pay for tfjs or geotiff start-up.
 * Add one line per command.
 */
export const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
};
