import { z } from 'zod';
import { method } from './define';

export const AppInfo = z.object({
  name: z.literal('Terrafuse'),
  version: z.string(),
  /** How this client reaches the services: 'ipc' inside Electron, 'serve' from a browser. */
  transport: z.enum(['ipc', 'serve']),
  platform: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const appMethods = {
  'app.info': method(z.object({}), AppInfo, 'Application name, version and transport.'),
};
