import type { IpcInvokeEventLike, IpcMainLike } from '../../../src-main/transports/electron/ipc';
import type { IpcRendererLike } from '../../../src-main/transports/electron/preload-api';

/**
 * A stand-in for Electron's ipcMain/ipcRenderer pair. Arguments and results are structured-cloned on every
 * crossing, as Electron serialises them, so anything that would not survive real IPC (functions, class
 * instances) fails here too.
 */

type Handler = (event: IpcInvokeEventLike, ...args: unknown[]) => unknown;
type RendererListener = (event: unknown, ...args: unknown[]) => void;

export class FakeIpcMain implements IpcMainLike {
  private readonly handlers = new Map<string, Handler>();
  private readonly renderers = new Set<FakeIpcRenderer>();

  handle(channel: string, listener: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  hasHandler(channel: string): boolean {
    return this.handlers.has(channel);
  }

  /** A renderer (one page) whose frame has this URL. */
  connect(frameUrl: string): FakeIpcRenderer {
    const renderer = new FakeIpcRenderer(this, frameUrl);
    this.renderers.add(renderer);
    return renderer;
  }

  disconnect(renderer: FakeIpcRenderer): void {
    this.renderers.delete(renderer);
  }

  /** webContents.send to every connected renderer. */
  broadcast(channel: string, ...args: unknown[]): void {
    for (const renderer of this.renderers) renderer.deliver(channel, structuredClone(args));
  }

  async invoke(frameUrl: string, channel: string, args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    const result = await handler({ senderFrame: { url: frameUrl } }, ...structuredClone(args));
    return structuredClone(result);
  }
}

export class FakeIpcRenderer implements IpcRendererLike {
  private readonly listeners = new Map<string, Set<RendererListener>>();

  constructor(
    private readonly main: FakeIpcMain,
    readonly frameUrl: string,
  ) {}

  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    return this.main.invoke(this.frameUrl, channel, args);
  }

  on(channel: string, listener: RendererListener): this {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    return this;
  }

  removeListener(channel: string, listener: RendererListener): this {
    this.listeners.get(channel)?.delete(listener);
    return this;
  }

  listenerCount(channel: string): number {
    return this.listeners.get(channel)?.size ?? 0;
  }

  deliver(channel: string, args: unknown[]): void {
    // Electron passes an IpcRendererEvent first; the preload must never hand it to the page.
    const event = { sender: this, senderId: 0, ports: [] };
    for (const listener of this.listeners.get(channel) ?? []) listener(event, ...args);
  }
}
