import type { TerrafuseClient } from '../../../../src-main/api/client';
import type { Settings, SettingsPatch } from '../../../../src-main/api/settings';
import type { EngineChoice } from './engine-choice';
import { folderPathInput } from './folder-path';
import { withoutRecent } from './recent';

export interface SettingsStateHooks {
  /**
   * The engine override changed (here or in another window): ask engine.info again, which re-runs the services'
   * ladder with the new choice. Resolves when the answer is in.
   */
  refreshEngine?: () => Promise<void>;
  /** The recent datasets changed: lists showing them (the Data panel's) read them again. */
  recentChanged?: () => void;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The Settings panel's model: the settings as the services last reported them, the workspace field being edited,
 * and the outcome of each change. Every change goes through settings.update; settings.changed (sent to every
 * window after any update) keeps this in step with other windows and tabs. The online basemap is not here: the
 * map's own binding owns that setting (it must also reload the page under the new security policy).
 */
export class SettingsState {
  readonly #client: TerrafuseClient;
  readonly #hooks: SettingsStateHooks;
  readonly #cleanup: Array<() => void> = [];

  /** The settings as the services last reported them; null before the first answer. */
  current = $state.raw<Settings | null>(null);
  loadError = $state<string | null>(null);
  /** The workspace field; follows the saved value while the user has not typed anything else. */
  workspaceDraft = $state('');
  workspaceError = $state<string | null>(null);
  engineError = $state<string | null>(null);
  recentError = $state<string | null>(null);
  /** Which change is on its way to the services (controls are disabled meanwhile). */
  saving = $state<'workspace' | 'engine' | 'recent' | null>(null);
  /** engine.info is being asked again after an override change. */
  checkingEngine = $state(false);
  #engineChecks = 0;

  constructor(client: TerrafuseClient, hooks: SettingsStateHooks = {}) {
    this.#client = client;
    this.#hooks = hooks;
  }

  /** Native folder dialogs exist only in the desktop app; in serve mode paths are typed (they are the server's). */
  get canBrowse(): boolean {
    return this.#client.transport === 'ipc';
  }

  get workspaceDirty(): boolean {
    return this.workspaceDraft.trim() !== (this.current?.workspaceFolder ?? '');
  }

  start(): void {
    let wasConnected = false;
    this.#cleanup.push(
      this.#client.on('settings.changed', (s) => this.#apply(s)),
      // Events sent while the link was down are lost: read the settings again when it is back.
      this.#client.onStatus((status) => {
        if (status === 'connected' && wasConnected) void this.load();
        if (status === 'connected') wasConnected = true;
      }),
    );
    void this.load();
  }

  dispose(): void {
    for (const undo of this.#cleanup.splice(0)) undo();
  }

  async load(): Promise<void> {
    try {
      this.#apply(await this.#client.call('settings.get', {}));
      this.loadError = null;
    } catch (err) {
      this.loadError = messageOf(err);
    }
  }

  /** Saves the typed workspace folder; false (with workspaceError) when the field is empty or the services refuse. */
  async saveWorkspace(): Promise<boolean> {
    const input = folderPathInput(this.workspaceDraft);
    if ('error' in input) {
      this.workspaceError = input.error;
      return false;
    }
    this.workspaceDraft = input.path;
    return this.#update('workspace', { workspaceFolder: input.path });
  }

  /** Puts the field back to the saved folder. */
  revertWorkspace(): void {
    this.workspaceDraft = this.current?.workspaceFolder ?? '';
    this.workspaceError = null;
  }

  /**
   * The native folder dialog (desktop app). The services make the chosen folder the workspace themselves
   * (dialog.openFolder with purpose 'workspace'), so only the new settings are read here.
   */
  async chooseWorkspace(): Promise<boolean> {
    this.workspaceError = null;
    this.saving = 'workspace';
    try {
      const { path } = await this.#client.call('dialog.openFolder', { title: 'Workspace folder', purpose: 'workspace' });
      if (path === null) return false;
      this.workspaceDraft = path;
      this.#apply(await this.#client.call('settings.get', {}));
      return true;
    } catch (err) {
      this.workspaceError = messageOf(err);
      return false;
    } finally {
      this.saving = null;
    }
  }

  setEngineOverride(choice: EngineChoice): Promise<boolean> {
    return this.#update('engine', { engineOverride: choice });
  }

  removeRecent(path: string): Promise<boolean> {
    const recent = this.current?.recentDatasets ?? [];
    return this.#update('recent', { recentDatasets: withoutRecent(recent, path) });
  }

  async #update(field: 'workspace' | 'engine' | 'recent', patch: SettingsPatch): Promise<boolean> {
    this.#setError(field, null);
    this.saving = field;
    try {
      this.#apply(await this.#client.call('settings.update', patch));
      return true;
    } catch (err) {
      this.#setError(field, messageOf(err));
      return false;
    } finally {
      this.saving = null;
    }
  }

  #setError(field: 'workspace' | 'engine' | 'recent', message: string | null): void {
    if (field === 'workspace') this.workspaceError = message;
    else if (field === 'engine') this.engineError = message;
    else this.recentError = message;
  }

  /** Takes settings from any source (a reply, the event, a reload); both a reply and its event may arrive. */
  #apply(next: Settings): void {
    const previous = this.current;
    const followDraft = previous === null || !this.workspaceDirty;
    this.current = next;
    if (followDraft) {
      this.workspaceDraft = next.workspaceFolder ?? '';
      this.workspaceError = null;
    }
    if (previous === null) return;
    if (previous.engineOverride !== next.engineOverride) void this.#recheckEngine();
    if (previous.recentDatasets.join('\n') !== next.recentDatasets.join('\n')) this.#hooks.recentChanged?.();
  }

  async #recheckEngine(): Promise<void> {
    const refresh = this.#hooks.refreshEngine;
    if (!refresh) return;
    this.#engineChecks += 1;
    this.checkingEngine = true;
    try {
      await refresh();
    } finally {
      // Two quick changes: still checking until the last answer is in.
      this.#engineChecks -= 1;
      this.checkingEngine = this.#engineChecks > 0;
    }
  }
}
