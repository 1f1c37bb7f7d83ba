import { describe, expect, it } from 'vitest';
import { RequestCache } from '../../../src-renderer/src/lib/map/imagery/request-cache';
import { stretchKey } from '../../../src-renderer/src/lib/map/imagery/imagery-client';

/** A promise with its resolve/reject handles, to control when a "request" answers. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('request cache', () => {
  it('shares one request between callers and answers later callers from memory', async () => {
    const cache = new RequestCache<string>({ maxSize: 100, sizeOf: (v) => v.length, concurrency: 2 });
    let calls = 0;
    const load = async () => {
      calls++;
      return 'abc';
    };
    const [a, b] = await Promise.all([cache.get('k', load), cache.get('k', load)]);
    expect(a).toBe('abc');
    expect(b).toBe('abc');
    expect(await cache.get('k', load)).toBe('abc');
    expect(calls).toBe(1);
    expect(cache.size).toBe(3);
  });

  it('evicts the least recently used answers beyond its budget', async () => {
    const cache = new RequestCache<string>({ maxSize: 10, sizeOf: (v) => v.length, concurrency: 4 });
    await cache.get('a', async () => 'aaaa');
    await cache.get('b', async () => 'bbbb');
    await cache.get('a', async () => 'never'); // touches a: b is now the oldest
    await cache.get('c', async () => 'cccc');
    await tick();
    expect(cache.has('a')).toBe(true);
    expect(cache.has('b')).toBe(false);
    expect(cache.has('c')).toBe(true);
    expect(cache.size).toBe(8);
  });

  it('does not keep failures: asking again retries', async () => {
    const cache = new RequestCache<string>({ maxSize: 10, sizeOf: () => 1, concurrency: 1 });
    await expect(cache.get('k', async () => Promise.reject(new Error('busy')))).rejects.toThrow('busy');
    await tick();
    expect(cache.has('k')).toBe(false);
    expect(await cache.get('k', async () => 'ok')).toBe('ok');
  });

  it('runs at most `concurrency` requests, the newest waiting one next', async () => {
    const cache = new RequestCache<string>({ maxSize: 100, sizeOf: () => 1, concurrency: 2 });
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred<string>>>();
    const load = (k: string) => () => {
      started.push(k);
      const d = deferred<string>();
      gates.set(k, d);
      return d.promise;
    };
    const all = ['a', 'b', 'c', 'd', 'e'].map((k) => cache.get(k, load(k)));
    expect(started).toEqual(['a', 'b']);
    gates.get('a')!.resolve('A');
    await tick();
    // After a pan, what was asked for last is in view now: it goes first.
    expect(started).toEqual(['a', 'b', 'e']);
    gates.get('b')!.resolve('B');
    gates.get('e')!.resolve('E');
    await tick();
    expect(started).toEqual(['a', 'b', 'e', 'd', 'c']);
    gates.get('d')!.resolve('D');
    gates.get('c')!.resolve('C');
    expect(await Promise.all(all)).toEqual(['A', 'B', 'C', 'D', 'E']);
  });

  it('drops the entries of a closed dataset', async () => {
    const cache = new RequestCache<string>({ maxSize: 100, sizeOf: (v) => v.length, concurrency: 2 });
    await cache.get('ds1|a', async () => 'xx');
    await cache.get('ds2|a', async () => 'yyy');
    await tick();
    cache.drop((k) => k.startsWith('ds1|'));
    expect(cache.has('ds1|a')).toBe(false);
    expect(cache.count).toBe(1);
    expect(cache.size).toBe(3);
  });

  it('keys stretches stably', () => {
    expect(stretchKey(undefined)).toBe('default');
    expect(stretchKey({ mode: 'percentile', low: 2, high: 98 })).toBe('p2-98');
    expect(stretchKey({ mode: 'minmax' })).toBe('minmax');
    expect(stretchKey({ mode: 'fixed', min: [0, 0, 0], max: 0.3 })).toBe('f[0,0,0]-0.3');
  });
});
