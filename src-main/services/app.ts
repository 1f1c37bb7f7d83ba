import type { ApiHandlers } from '../api/contract';
import pkg from '../../package.json';

/** The version in package.json (bundled at build time; electron-builder stamps the same one into installers). */
export const APP_VERSION: string = pkg.version;

export function appHandlers(version: string = APP_VERSION, openSampleOnStart = false): Pick<ApiHandlers, 'app.info'> {
  return {
    'app.info': async (_request, context) => ({
      name: 'Terrafuse' as const,
      version,
      transport: context.transport,
      platform: process.platform,
      openSampleOnStart,
    }),
  };
}
