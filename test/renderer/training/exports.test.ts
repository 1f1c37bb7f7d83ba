import { describe, expect, it } from 'vitest';
import type { TerrafuseClient } from '../../../src-main/api/client';
import type { MethodName, RequestOf, ResponseOf } from '../../../src-main/api/contract';
import { ApiError } from '../../../src-main/api/errors';
import { exportFile, exportFolder } from '../../../src-renderer/src/lib/training/exports';

function clientWith(transport: 'ipc' | 'serve', handlers: Partial<Record<MethodName, (r: unknown) => unknown>>) {
  const calls: Array<[MethodName, unknown]> = [];
  const client: TerrafuseClient = {
    transport,
    async call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>> {
      calls.push([method, request]);
      const h = handlers[method];
      if (!h) throw new ApiError('unavailable', `no handler for ${method}`);
      return (await h(request)) as ResponseOf<M>;
    },
    on: () => () => undefined,
    status: () => 'connected',
    onStatus: () => () => undefined,
    close: () => undefined,
  };
  return { client, calls };
}

const b64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');

describe('exports', () => {
  it('desktop: save dialog with a GeoTIFF filter, then files.copy to the chosen path; cancel does nothing', async () => {
    let answer: string | null = '/home/u/out.tif';
    const { client, calls } = clientWith('ipc', {
      'dialog.saveFile': () => ({ path: answer }),
      'files.copy': (r) => ({ path: (r as { to: string }).to, files: 1, bytes: 10 }),
    });
    const none = () => {
      throw new Error('no download on the desktop');
    };
    expect(await exportFile(client, '/ws/run/pred/masks/p1__worldcover.tif', none)).toEqual({ where: '/home/u/out.tif', files: 1 });
    expect(calls[0]).toEqual(['dialog.saveFile', { title: 'Export p1__worldcover.tif', defaultName: 'p1__worldcover.tif', filters: [{ name: 'GeoTIFF', extensions: ['tif', 'tiff'] }] }]);
    expect(calls[1]).toEqual(['files.copy', { from: '/ws/run/pred/masks/p1__worldcover.tif', to: '/home/u/out.tif' }]);
    answer = null;
    expect(await exportFile(client, '/ws/run/pred/predictions.csv', none)).toBeNull();
    expect(calls.filter(([m]) => m === 'files.copy')).toHaveLength(1);
  });

  it('desktop: a folder is copied into the chosen folder under its name', async () => {
    const { client, calls } = clientWith('ipc', {
      'dialog.openFolder': () => ({ path: '/home/u/exports' }),
      'files.copy': (r) => ({ path: (r as { to: string }).to, files: 3, bytes: 100 }),
    });
    expect(await exportFolder(client, '/ws/run/checkpoint', 'run-model', () => undefined)).toEqual({ where: '/home/u/exports/run-model', files: 3 });
    expect(calls[1]).toEqual(['files.copy', { from: '/ws/run/checkpoint', to: '/home/u/exports/run-model' }]);
  });

  it('serve: files are downloaded with their bytes; a folder file by file (sub-folders skipped)', async () => {
    const files: Record<string, number[]> = { '/ws/run/checkpoint/model.json': [123, 125], '/ws/run/checkpoint/weights.bin': [1, 2, 3] };
    const { client } = clientWith('serve', {
      'files.read': (r) => {
        const path = (r as { path: string }).path;
        return { path, name: path.split('/').pop(), size: files[path].length, base64: b64(files[path]) };
      },
      'files.list': () => ({
        path: '/ws/run/checkpoint',
        entries: [
          { name: 'model.json', kind: 'file', size: 2, modified: '' },
          { name: 'sub', kind: 'dir', size: 0, modified: '' },
          { name: 'weights.bin', kind: 'file', size: 3, modified: '' },
        ],
      }),
    });
    const got: Array<[string, number[]]> = [];
    const download = (name: string, bytes: Uint8Array) => got.push([name, Array.from(bytes)]);
    expect(await exportFile(client, '/ws/run/checkpoint/weights.bin', download)).toEqual({ where: 'weights.bin', files: 1 });
    expect(got).toEqual([['weights.bin', [1, 2, 3]]]);
    got.length = 0;
    expect(await exportFolder(client, '/ws/run/checkpoint', 'run-model', download)).toEqual({ where: '2 downloads', files: 2 });
    expect(got).toEqual([
      ['run-model_model.json', [123, 125]],
      ['run-model_weights.bin', [1, 2, 3]],
    ]);
  });
});
