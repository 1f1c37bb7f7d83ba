import { createIpcClient } from './client-ipc';
import { createServeClient, type ServeClientOptions } from './client-serve';
import type { TerrafuseClient } from './client-types';
import type { TerrafuseBridge } from './wire';

export type { ConnectionStatus, TerrafuseClient } from './client-types';
export type { OpenSocket, ServeClientOptions, SocketHandlers } from './client-serve';
export { ApiError, type ApiErrorCode, type ApiErrorShape } from './errors';
export { createIpcClient } from './client-ipc';
export { createServeClient } from './client-serve';

/**
 * The renderer's one way to reach the services: over the preload bridge inside the Electron app, over HTTP and a
 * WebSocket when the same renderer is served to a browser by `terrafuse serve`. Browser-safe (no Node modules,
 * no zod): the renderer bundle imports this file.
 */
export function createApiClient(opts: { serve?: ServeClientOptions } = {}): TerrafuseClient {
  const bridge = (globalThis as { terrafuse?: TerrafuseBridge }).terrafuse;
  if (bridge && typeof bridge.call === 'function' && typeof bridge.on === 'function') return createIpcClient(bridge);
  return createServeClient(opts.serve);
}
