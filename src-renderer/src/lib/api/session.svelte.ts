import type { ResponseOf } from '../../../../src-main/api/contract';
import type { ConnectionStatus, TerrafuseClient } from '../../../../src-main/api/client';

export type EngineInfo = ResponseOf<'engine.info'>;
export type AppInfo = ResponseOf<'app.info'>;

/**
 * What the status bar says about the link to the services. The serve-mode client retries a dropped event stream by
 * itself, so a lost link is shown as `reconnecting` (not as a dead end) until the session is closed.
 */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/**
 * The renderer's view of the services: the client plus the few facts every part of the UI shows (engine, app,
 * connection). Components read the $state fields; nothing else in the renderer asks the client for these.
 */
export class ApiSession {
  readonly client: TerrafuseClient;
  connection = $state<ConnectionState>('connecting');
  engine = $state<EngineInfo | null>(null);
  engineError = $state<string | null>(null);
  app = $state<AppInfo | null>(null);
  #closed = false;
  #stopStatus: (() => void) | null = null;

  constructor(client: TerrafuseClient) {
    this.client = client;
  }

  /** Follow the connection and ask who we talk to and which engine it runs (again after every reconnect). */
  start(): void {
    let wasConnected = false;
    this.#stopStatus = this.client.onStatus((status: ConnectionStatus) => {
      this.connection = this.#closed ? 'closed' : status === 'disconnected' ? 'reconnecting' : status;
      // Events sent while the link was down are lost; facts shown in the UI are re-read when it comes back.
      if (status === 'connected' && wasConnected) void this.refresh();
      if (status === 'connected') wasConnected = true;
    });
    void this.refresh();
  }

  async refresh(): Promise<void> {
    await Promise.all([this.#refreshApp(), this.#refreshEngine()]);
  }

  close(): void {
    this.#closed = true;
    this.#stopStatus?.();
    this.client.close();
    this.connection = 'closed';
  }

  async #refreshEngine(): Promise<void> {
    try {
      this.engine = await this.client.call('engine.info', {});
      this.engineError = null;
    } catch (err) {
      this.engineError = messageOf(err);
    }
  }

  async #refreshApp(): Promise<void> {
    try {
      this.app = await this.client.call('app.info', {});
    } catch (err) {
      console.warn('app.info failed:', messageOf(err));
    }
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
