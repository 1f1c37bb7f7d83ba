import type { ApiSession } from '../api/session.svelte';
import type { LayerEntry } from './layer-entry.svelte';

/**
 * Ties the OpenStreetMap layer to the `basemapOnline` setting. The setting is also what the transports' security
 * policy reads, and a page keeps the policy it was loaded with: tiles can only load after a reload that follows
 * switching the setting on. The Electron main process reloads its window by itself; in serve mode the page reloads
 * here. Until then the layer stays hidden (its tiles would only be blocked) and says why. The view survives the
 * reload through the address (#map=...). Returns a function that undoes the binding.
 */
export function bindOnlineBasemap(entry: LayerEntry, session: ApiSession, reload: () => void): () => void {
  const { client } = session;
  /** The setting as last read or written; null until the first read, so nothing is written before it. */
  let setting: boolean | null = null;
  /** Whether this page's policy admits tiles: the setting when the page was loaded (its first read). */
  let policyAllowsTiles: boolean | null = null;
  /** Set while this binding itself changes the layer, so the change is not taken for the user's. */
  let applying = false;

  const show = (visible: boolean): void => {
    applying = true;
    try {
      entry.setVisible(visible);
    } finally {
      applying = false;
    }
  };

  const awaitReload = (): void => {
    show(false);
    entry.notice =
      client.transport === 'serve'
        ? { tone: 'info', text: 'Online tiles are allowed after a reload of this page.', action: { label: 'Reload', run: reload } }
        : { tone: 'info', text: 'Reloading with online tiles allowed…' };
  };

  const apply = (online: boolean): void => {
    setting = online;
    policyAllowsTiles ??= online;
    if (online && !policyAllowsTiles) return awaitReload();
    entry.notice = null;
    show(online);
  };

  const onVisible = (): void => {
    if (applying || setting === null) return;
    const wanted = entry.layer.getVisible();
    const needsReload = wanted && !policyAllowsTiles;
    if (needsReload) show(false);
    if (wanted === setting && !needsReload) return;
    setting = wanted;
    entry.notice = needsReload ? { tone: 'info', text: 'Allowing online tiles…' } : null;
    client.call('settings.update', { basemapOnline: wanted }).then(
      () => {
        if (needsReload && client.transport === 'serve') reload();
      },
      (err: unknown) => {
        setting = !wanted;
        show(!wanted && !!policyAllowsTiles);
        entry.notice = { tone: 'error', text: `Could not change the setting: ${err instanceof Error ? err.message : String(err)}` };
      },
    );
  };

  entry.layer.on('change:visible', onVisible);
  const stopEvents = client.on('settings.changed', (s) => {
    if (s.basemapOnline !== setting) apply(s.basemapOnline);
  });
  client.call('settings.get', {}).then(
    (s) => apply(s.basemapOnline),
    (err: unknown) => console.warn('settings.get failed; the online basemap stays off:', err),
  );

  return () => {
    entry.layer.un('change:visible', onVisible);
    stopEvents();
  };
}
