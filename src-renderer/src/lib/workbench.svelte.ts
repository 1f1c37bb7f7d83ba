import type { ApiSession } from './api/session.svelte';
import { bindOnlineBasemap } from './map/online-basemap';
import { formatViewHash, parseViewHash } from './map/view-hash';
import { WorkspaceMap } from './map/workspace-map.svelte';
import { PatchWorkspace } from './patches/patch-workspace';
import { predictionOverlay } from './training/prediction-overlay.svelte';
import { PredictionMaskLayer } from './map/prediction-mask-layer.svelte';

/** Panels of the side area. Data, experiment and jobs panels join this list as their services arrive. */
export const PANELS = [
  { id: 'data', title: 'Data', icon: 'database' },
  { id: 'layers', title: 'Layers', icon: 'layers' },
  { id: 'experiment', title: 'Experiment', icon: 'flask' },
  { id: 'pretrain', title: 'Pretrain', icon: 'spark' },
  { id: 'jobs', title: 'Jobs', icon: 'queue' },
  { id: 'runs', title: 'Runs', icon: 'table' },
  { id: 'settings', title: 'Settings', icon: 'settings', end: true },
] as const;
export type PanelId = (typeof PANELS)[number]['id'];

/**
 * The whole workspace behind the components: the session with the services, the map, and which side panel is
 * open. Built once in main.ts; components only read it and call its methods.
 */
export class Workbench {
  readonly session: ApiSession;
  readonly map: WorkspaceMap;
  /** The dataset on the map: data store, patch layers, inspector. */
  readonly patches: PatchWorkspace;
  panelOpen = $state(true);
  activePanel = $state<PanelId>('data');
  readonly #cleanup: Array<() => void> = [];

  constructor(session: ApiSession, location: Location, history: History) {
    this.session = session;
    this.map = new WorkspaceMap({
      initialView: parseViewHash(location.hash),
      // replaceState: panning must not fill the history with one entry per move.
      onViewSettled: (view) => history.replaceState(history.state, '', formatViewHash(view)),
    });
    this.patches = new PatchWorkspace(session.client, this.map);
    this.patches.start();
    // Predicted segmentation masks (Runs › Predict › show on map), above the patch layers.
    const masks = new PredictionMaskLayer(session.client, predictionOverlay(session.client), this.map.map);
    this.map.addDataLayers([masks.group], [masks.entry]);
    this.#cleanup.push(() => masks.dispose());
    this.#cleanup.push(
      // Predictions loaded in the Runs panel colour the map's patches.
      predictionOverlay(session.client).bind((o) => this.patches.data.setColouringOverride(o)),
      this.patches.data.onChange((change) => {
        if (change === 'colour' && !this.patches.data.colouringOverride) predictionOverlay(session.client).dropped();
      }),
      bindOnlineBasemap(this.map.entry('osm'), session, () => location.reload()),
      // The Electron menu's View items (Ctrl+L, Ctrl+B) arrive as events.
      session.client.on('app.menu', ({ action }) => {
        if (action === 'toggleLayers') this.selectPanel('layers');
        else if (action === 'togglePanels') this.panelOpen = !this.panelOpen;
      }),
    );
  }

  /** Like an IDE's activity bar: choosing the open panel hides it, choosing another shows that one. */
  selectPanel(id: PanelId): void {
    if (this.panelOpen && this.activePanel === id) this.panelOpen = false;
    else {
      this.activePanel = id;
      this.panelOpen = true;
    }
  }

  dispose(): void {
    for (const undo of this.#cleanup.splice(0)) undo();
    this.patches.dispose();
    this.map.dispose();
    this.session.close();
  }
}
