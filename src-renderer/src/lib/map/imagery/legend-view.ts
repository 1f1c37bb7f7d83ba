import type { Legend } from '../../../../../src-main/api/imagery';
import type { LegendView } from '../layer-entry.svelte';

/** The contract's legend as the layer panel draws it. */
export function legendView(legend: Legend): LegendView {
  switch (legend.kind) {
    case 'classes':
      return { kind: 'classes', items: legend.classes.map((c) => ({ label: c.name, color: c.color, description: `Map value ${c.value}` })) };
    case 'ramp':
      return { kind: 'ramp', unit: legend.unit, stops: legend.stops.map((s) => ({ value: s.value, color: s.color })) };
    case 'rgb':
      return { kind: 'rgb', unit: legend.unit, channels: legend.channels.map((c) => ({ channel: c.channel, source: c.source })) };
    case 'shade':
      return { kind: 'shade', azimuth: legend.azimuth, altitude: legend.altitude };
  }
}
