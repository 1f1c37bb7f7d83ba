/**
 * Entry of a render worker thread (built as out/main/imagery-worker.js; in development started through
 * render-worker-bootstrap.mjs, which registers tsx first). It serves render and histogram tasks one message at a
 * time, keeping decoded pixels between them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ImageryWorker, ImageryWorkError } from './imagery-work';
import type { ToRenderWorker, FromRenderWorker } from './render-protocol';

const port = parentPort;
if (!port) throw new Error('render worker started outside a worker thread');
const worker = new ImageryWorker((workerData as { pixelCacheBytes?: number } | undefined)?.pixelCacheBytes);

port.on('message', (msg: ToRenderWorker) => {
  if (msg.op === 'forget') {
    worker.forget(msg.prefix);
    return;
  }
  const run = msg.op === 'render' ? worker.render(msg.task) : worker.histogram(msg.task);
  run.then(
    (value) => {
      if (msg.op === 'render') {
        const { png, facts } = value as Awaited<ReturnType<ImageryWorker['render']>>;
        port.postMessage({ id: msg.id, ok: true, value: { png, facts } } satisfies FromRenderWorker, [png.buffer as ArrayBuffer]);
      } else port.postMessage({ id: msg.id, ok: true, value } satisfies FromRenderWorker);
    },
    (err: unknown) => {
      const code = err instanceof ImageryWorkError ? err.code : 'internal';
      port.postMessage({ id: msg.id, ok: false, code, message: err instanceof Error ? err.message : String(err) } satisfies FromRenderWorker);
    },
  );
});
