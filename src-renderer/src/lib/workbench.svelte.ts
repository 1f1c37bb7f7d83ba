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
  /** The opening of the dataset predictions were made on (see the overlay binding below). */
  #showing: Promise<unknown> = Promise.resolve();

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
    const overlay = predictionOverlay(session.client);
    let swiping = false;
    this.#cleanup.push(
      // Predictions loaded in the Runs panel colour the map's patches.
      overlay.bind((o) => this.patches.data.setColouringOverride(o)),
      // ... of the dataset they were made on, which the map opens unless it shows it already.
      overlay.onChange((change) => {
        if (change === 'result' && overlay.data !== null) this.#showing = this.patches.data.show(overlay.data);
        // The swipe compares the prediction with the ground truth: when it starts, the WorldCover layer beneath shows.
        if (change === 'swipe' && overlay.swipe !== null && !swiping) this.map.layers.find((l) => l.id === 'imagery-worldcover')?.setVisible(true);
        if (change === 'swipe') swiping = overlay.swipe !== null;
      }),
      overlay.onGoTo((patchId) => void this.#goToPatch(patchId)),
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

  /** A predicted patch asked for in the Runs panel: once its dataset is on the map, inspect it and zoom to it. */
  async #goToPatch(patchId: string): Promise<void> {
    await this.#showing;
    const data = this.patches.data;
    const i = data.indexOf(patchId);
    if (i < 0) return;
    // Focus first: the zoom leaves room for the inspector it opens.
    data.setFocus(i);
    this.patches.layers.zoomToPatch(i);
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
