import type { z } from 'zod';
import type { MethodSpec } from './define';
import { appMethods } from './app';
import { datasetsMethods } from './datasets';
import { dialogMethods } from './dialog';
import { engineMethods } from './engine';
import { eventSchemas } from './events';
import { filesMethods } from './files';
import { imageryMethods } from './imagery';
import { jobsMethods } from './jobs';
import { settingsMethods } from './settings';
import { trainingMethods } from './training';

/**
 * The one API of the main process. Every service method that the renderer, the CLI or a remote browser may call
 * is listed here; each domain keeps its schemas in its own file and is merged below.
 */
export const methods = {
  ...appMethods,
  ...engineMethods,
  ...settingsMethods,
  ...jobsMethods,
  ...filesMethods,
  ...dialogMethods,
  ...trainingMethods,
  ...datasetsMethods,
  ...imageryMethods,
} satisfies Record<string, MethodSpec>;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type RequestOf<M extends MethodName> = z.input<Methods[M]['request']>;
export type ResponseOf<M extends MethodName> = z.output<Methods[M]['response']>;

export const events = eventSchemas;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventOf<E extends EventName> = z.output<Events[E]>;

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, name);
}
export function isEventName(name: string): name is EventName {
  return Object.prototype.hasOwnProperty.call(events, name);
}

/** Facts about the caller that a handler may need (app.info reports the transport, for one). */
export interface CallContext {
  transport: 'ipc' | 'serve';
}

/** What services implement: one async function per method, given the validated request. */
export type ApiHandlers = {
  [M in MethodName]: (request: z.output<Methods[M]['request']>, context: CallContext) => Promise<z.input<Methods[M]['response']>>;
};

/** What every client (renderer, tests, CLI) sees, whatever the transport. */
export interface ApiClient {
  call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>>;
  /** Subscribe to a stream of events; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventOf<E>) => void): () => void;
}

// The error type lives apart from the schemas so that the renderer's client can use it without bundling zod.
export { ApiError, type ApiErrorCode, type ApiErrorShape } from './errors';
