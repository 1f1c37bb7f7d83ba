/** Messages between the imagery service and its render workers. */
import type { HistogramTask, RenderTask } from './imagery-work';

export type ToRenderWorker =
  | { op: 'render'; id: number; task: RenderTask }
  | { op: 'histogram'; id: number; task: HistogramTask }
  /** Drop decoded pixels of keys starting with `prefix`. */
  | { op: 'forget'; prefix: string };

export type FromRenderWorker =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; code: 'not_found' | 'bad_request' | 'internal'; message: string };
