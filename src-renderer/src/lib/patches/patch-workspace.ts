import type { TerrafuseClient } from '../../../../src-main/api/client';
import { ImageryClient } from '../map/imagery/imagery-client';
import { PatchLayers } from '../map/patch-layers.svelte';
import type { WorkspaceMap } from '../map/workspace-map.svelte';
import { PatchInspector } from './inspector.svelte';
import { PatchData } from './patch-data.svelte';

/**
 * Everything about the dataset on the map, built once by the Workbench: the data store (open, colour, filter,
 * select), the imagery client with its cache, the map layers and gestures, and the inspector.
 */
export class PatchWorkspace {
  readonly data: PatchData;
  readonly imagery: ImageryClient;
  readonly layers: PatchLayers;
  readonly inspector: PatchInspector;

  constructor(client: TerrafuseClient, map: WorkspaceMap) {
    this.data = new PatchData(client);
    this.imagery = new ImageryClient(client);
    this.layers = new PatchLayers(map, this.data, this.imagery);
    this.inspector = new PatchInspector(this.data, this.imagery);
    this.inspector.onDetail = (detail) => this.layers.showFocusOutline(detail);
  }

  start(): void {
    this.data.start();
  }

  dispose(): void {
    this.inspector.dispose();
    this.layers.dispose();
    this.data.dispose();
  }
}
