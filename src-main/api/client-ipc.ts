import type { EventName, EventOf, MethodName, RequestOf, ResponseOf } from './contract';
import { ApiError, apiErrorFromWire } from './errors';
import type { TerrafuseClient } from './client-types';
import type { CallResult, TerrafuseBridge } from './wire';

/** The typed client over the preload bridge (`window.terrafuse`) of the Electron app. */
export function createIpcClient(bridge: TerrafuseBridge): TerrafuseClient {
  return {
    transport: 'ipc',
    async call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>> {
      let result: CallResult;
      try {
        result = await bridge.call(method, request);
      } catch (err) {
        // Only a broken bridge (main process gone, unserialisable request) rejects; services answer with results.
        throw new ApiError('unavailable', `IPC call ${method} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (result && result.ok === true) return result.value as ResponseOf<M>;
      throw apiErrorFromWire(result?.ok === false ? result.error : undefined);
    },
    on<E extends EventName>(event: E, listener: (payload: EventOf<E>) => void): () => void {
      return bridge.on(event, (payload) => listener(payload as EventOf<E>));
    },
    // IPC has no connection that can drop: the renderer and the main process live and die together.
    status: () => 'connected',
    onStatus(listener) {
      listener('connected');
      return () => undefined;
    },
    close: () => undefined,
  };
}
