import type BaseLayer from 'ol/layer/Base';
import type { Stretch } from '../../../../src-main/api/imagery';

/** Sections of the layer panel, top to bottom (drawing order is the reverse: basemaps at the bottom). */
export type LayerGroup = 'overlay' | 'data' | 'basemap';

export interface LayerNotice {
  text: string;
  tone: 'info' | 'warning' | 'error';
  action?: { label: string; run: () => void };
}

/** What a layer's colours mean, as the layer panel draws it under the layer. */
export type LegendView =
  | { kind: 'classes'; items: Array<{ label: string; color: string; count?: number; description?: string }> }
  | { kind: 'ramp'; unit: string; stops: Array<{ value: number; color: string }> }
  | { kind: 'rgb'; unit: string; channels: Array<{ channel: 'R' | 'G' | 'B'; source: string }> }
  | { kind: 'shade'; azimuth: number; altitude: number };

/** The contrast stretch of a raster layer, changed from the layer panel. */
export interface StretchControl {
  /** The stretch asked for; null = the layer's default. */
  readonly value: Stretch | null;
  /** What the default is (shown as the "Default" choice), null when the layer has a fixed colour ramp. */
  readonly layerDefault: Stretch | null;
  set(stretch: Stretch | null): void;
}

export interface LayerEntryOptions {
  id: string;
  title: string;
  group: LayerGroup;
  /** One line under the title: source, scale, licence. */
  subtitle?: string;
  /** The layer fetches from the internet when visible (shown with a badge; off by default). */
  online?: boolean;
  /** A contrast stretch the panel offers (raster layers). */
  stretch?: StretchControl;
}

/**
 * One row of the layer panel bound to one OpenLayers layer. The OpenLayers layer stays the single source of truth
 * for visibility and opacity: setters write to it and its change events write back here, so code that toggles the
 * layer directly (a keyboard shortcut, a later "solo" action) is reflected in the panel too.
 */
export class LayerEntry {
  readonly id: string;
  readonly title: string;
  readonly group: LayerGroup;
  readonly subtitle: string | undefined;
  readonly online: boolean;
  readonly layer: BaseLayer;
  visible = $state(false);
  opacity = $state(1);
  /** A message shown under the layer (a failure, a step the user must take), with an optional action button. */
  notice = $state<LayerNotice | null>(null);
  /** The legend shown under the layer while it is visible. */
  legend = $state.raw<LegendView | null>(null);
  /** A short live status ("12 patches", "3 loading"), shown next to the subtitle. */
  status = $state<string | null>(null);
  readonly stretch: StretchControl | undefined;
  readonly #unlisten: Array<() => void> = [];

  constructor(layer: BaseLayer, options: LayerEntryOptions) {
    this.layer = layer;
    this.id = options.id;
    this.title = options.title;
    this.group = options.group;
    this.subtitle = options.subtitle;
    this.online = options.online ?? false;
    this.stretch = options.stretch;
    this.visible = layer.getVisible();
    this.opacity = layer.getOpacity();
    // Block bodies on purpose: an OpenLayers listener that returns `false` stops the event for every later
    // listener, and an arrow returning the assignment would do exactly that when a layer is hidden.
    const onVisible = (): void => {
      this.visible = layer.getVisible();
    };
    const onOpacity = (): void => {
      this.opacity = layer.getOpacity();
    };
    layer.on('change:visible', onVisible);
    layer.on('change:opacity', onOpacity);
    this.#unlisten.push(
      () => layer.un('change:visible', onVisible),
      () => layer.un('change:opacity', onOpacity),
    );
  }

  setVisible(visible: boolean): void {
    this.layer.setVisible(visible);
  }

  setOpacity(opacity: number): void {
    this.layer.setOpacity(Math.min(1, Math.max(0, opacity)));
  }

  dispose(): void {
    for (const off of this.#unlisten.splice(0)) off();
  }
}
