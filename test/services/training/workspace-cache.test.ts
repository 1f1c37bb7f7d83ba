import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrainConfig } from '../../../src-main/api/training';
import { defaultCacheDir } from '../../../src-main/core/data/cache/packed-cache';
import { createServices, type Services } from '../../../src-main/services';
import { datasetIdOf } from '../../../src-main/services/datasets/dataset-dirs';
import { writeBengeFixture } from '../../core/data/helpers/write-benge';

// The packed cache a training job builds belongs to the workspace (next to the dataset's georef index and imagery),
// not to the OS temp: it is large, and the OS temp is often a small RAM disk emptied at boot. The prediction views
// of the services then read the very same cache instead of decoding the dataset a second time.
const root = mkdtempSync(join(tmpdir(), 'tf-ws-cache-'));
const workspace = join(root, 'workspace');
const data = join(workspace, 'data');
const context = { transport: 'serve' as const };
let services: Services;

beforeAll(async () => {
  writeBengeFixture(data, { patches: 10 });
  services = await createServices({ configDir: join(root, 'config'), jobs: { cancelGraceMs: 60_000 } });
  await services.settings.update({ workspaceFolder: workspace });
});
afterAll(async () => {
  await services?.shutdown();
  rmSync(root, { recursive: true, force: true });
  rmSync(defaultCacheDir(data), { recursive: true, force: true });
});

describe('dataset caches of training jobs', () => {
  it('train and predict jobs and the prediction views share one packed cache in the workspace', async () => {
    const packed = join(workspace, 'cache', datasetIdOf(realpathSync(data)), 'packed');
    const h = services.handlers;
    const out = join(workspace, 'runs', 'a');
    const config = TrainConfig.parse({ data, modalities: ['s2'], tasks: [{ task: 'classification', target: 'lulc' }], width: 2, epochs: 1, batchSize: 4, out });
    const { jobId } = await h['training.train'](config, context);
    const trained = await services.jobs.wait(jobId);
    expect(trained.state, trained.error ?? '').toBe('done');
    expect(existsSync(join(packed, 'header.json'))).toBe(true);
    expect(existsSync(defaultCacheDir(data))).toBe(false);

    const predicted = join(workspace, 'predictions', 'a');
    const p = await h['training.predict']({ run: out, data, out: predicted, split: 'test', batchSize: 4, threshold: 0.5 }, context);
    expect((await services.jobs.wait(p.jobId)).state).toBe('done');
    const confusion = await h['training.confusion']({ dir: predicted, data, target: 'lulc', split: 'test' }, context);
    expect(confusion.patches).toBeGreaterThan(0);
    // Nobody fell back to the default cache folder under the OS temp.
    expect(existsSync(defaultCacheDir(data))).toBe(false);
  });
});
