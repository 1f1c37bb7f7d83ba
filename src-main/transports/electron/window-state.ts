import type { WindowBounds } from '../../api/settings';

/** Remembering the window: restore where it was, unless that place is no longer on any screen. */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_WINDOW_SIZE = { width: 1280, height: 800 } as const;
/** At least this much of the title bar area must be visible on some display for the saved position to count. */
const MIN_VISIBLE = 64;

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

/**
 * The bounds to open the window with, from the saved ones and the displays' work areas now. A window saved on a
 * monitor that is gone (or a resolution that shrank) opens at the default size, centred by Electron (no x/y).
 */
export function restoreBounds(saved: WindowBounds | null, workAreas: readonly Rect[]): {
  bounds: { x?: number; y?: number; width: number; height: number };
  maximized: boolean;
} {
  if (saved) {
    const area = workAreas.find((wa) => {
      const o = overlap(saved, wa);
      return o.width >= MIN_VISIBLE && o.height >= MIN_VISIBLE;
    });
    if (area) {
      return {
        bounds: {
          x: saved.x,
          y: saved.y,
          width: Math.min(saved.width, area.width),
          height: Math.min(saved.height, area.height),
        },
        maximized: saved.maximized,
      };
    }
  }
  const first = workAreas[0];
  return {
    bounds: {
      width: first ? Math.min(DEFAULT_WINDOW_SIZE.width, first.width) : DEFAULT_WINDOW_SIZE.width,
      height: first ? Math.min(DEFAULT_WINDOW_SIZE.height, first.height) : DEFAULT_WINDOW_SIZE.height,
    },
    maximized: saved?.maximized ?? false,
  };
}

/** What to save: the normal (unmaximised) bounds, so un-maximising later returns to them. */
export function captureBounds(normalBounds: Rect, maximized: boolean): WindowBounds {
  return {
    x: Math.round(normalBounds.x),
    y: Math.round(normalBounds.y),
    width: Math.max(200, Math.round(normalBounds.width)),
    height: Math.max(150, Math.round(normalBounds.height)),
    maximized,
  };
}
