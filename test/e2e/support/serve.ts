import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServices, type Services, type ServicesOptions } from '../../../src-main/services';
import { startServeServer } from '../../../src-main/transports/serve/server';

export const RENDERER_DIR = fileURLToPath(new URL('../../../out/renderer', import.meta.url));

export interface ServeFixture {
  /** The URL `terrafuse serve` prints: origin plus the access token. */
  url: string;
  origin: string;
  token: string;
  services: Services;
  close(): Promise<void>;
}

/**
 * Serve mode in this process, as `terrafuse serve --port 0` runs it: real services (with a throw-away config
 * folder, so the user's settings are neither read nor changed) behind the real HTTP + WebSocket server.
 */
export async function startServe(options: Pick<ServicesOptions, 'datasets'> = {}): Promise<ServeFixture> {
  const configDir = mkdtempSync(join(tmpdir(), 'terrafuse-e2e-config-'));
  const services = await createServices({ configDir, ...options });
  const server = await startServeServer({ host: '127.0.0.1', port: 0, rendererDir: RENDERER_DIR, services });
  const url = new URL(server.url);
  const token = url.searchParams.get('token');
  if (!token) throw new Error(`serve URL carries no token: ${server.url}`);
  return {
    url: server.url,
    origin: url.origin,
    token,
    services,
    async close() {
      await server.close();
      await services.shutdown();
      rmSync(configDir, { recursive: true, force: true });
    },
  };
}
