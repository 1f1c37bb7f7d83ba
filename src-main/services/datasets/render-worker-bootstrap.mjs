// Development entry of a render worker thread: worker threads do not inherit the TypeScript loader of the thread
// that started them (vitest's transform, or tsx in bin/terrafuse.mjs), so register tsx here, then run the real
// entry. Built apps start out/main/imagery-worker.js instead (see render-pool.ts).
import { register } from 'tsx/esm/api';

register();
await import('./render-worker.ts');
