import type { ApiClient } from './contract';

/** 'connecting' until the event stream is up, 'disconnected' while it is down (serve mode reconnects by itself). */
export type ConnectionStatus = 'connecting' | 'connected' | 'disconnected';

/** The client the renderer uses, whatever the transport. */
export interface TerrafuseClient extends ApiClient {
  readonly transport: 'ipc' | 'serve';
  status(): ConnectionStatus;
  /**
   * Called with the current status at once and on every change. After a reconnect ('connected' following
   * 'disconnected') events sent meanwhile are lost: re-read state (e.g. jobs.list) there.
   */
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
  /** Stops reconnecting and closes the event stream. */
  close(): void;
}
