import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The installer configuration, checked without building anything (the Electron runtime cannot be downloaded
 * here): electron-builder's own loader reads electron-builder.yml and its own schema validator checks it, then we
 * check what the schema cannot know (targets, unpacked native modules, the icon file).
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// app-builder-lib is electron-builder's engine; load it from electron-builder's own dependency tree.
const fromBuilder = createRequire(createRequire(join(ROOT, 'package.json')).resolve('electron-builder'));

interface BuilderConfig {
  appId?: string;
  productName?: string;
  directories?: { buildResources?: string; output?: string };
  files?: (string | { filter?: string[] })[];
  asar?: boolean;
  asarUnpack?: string[];
  npmRebuild?: boolean;
  linux?: { target?: string[]; icon?: string; category?: string; maintainer?: string };
  win?: { target?: string[]; icon?: string };
  mac?: { target?: string[]; icon?: string; category?: string };
  nsis?: { oneClick?: boolean };
}

const configApi = fromBuilder('app-builder-lib/out/util/config/config') as {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: object | null): Promise<BuilderConfig>;
  validateConfiguration(config: BuilderConfig, debugLogger: unknown): Promise<void>;
};
const { DebugLogger } = fromBuilder('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
const minimatch = (fromBuilder('minimatch') as { minimatch: (path: string, pattern: string, opts?: object) => boolean }).minimatch;

async function loadConfig(): Promise<BuilderConfig> {
  return configApi.getConfig(ROOT, null, null);
}

/** The file patterns, whether written as strings or normalised by the loader into { filter } sets. */
function filePatterns(config: BuilderConfig): string[] {
  return (config.files ?? []).flatMap((f) => (typeof f === 'string' ? [f] : (f.filter ?? [])));
}

function pngSize(file: string): { width: number; height: number } {
  const png = readFileSync(file);
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('the electron-builder configuration', () => {
  it("passes electron-builder's own schema validation, which does reject a wrong option", async () => {
    const config = await loadConfig();
    await expect(configApi.validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(configApi.validateConfiguration({ ...config, linux: { ...config.linux, nonsense: true } as never }, new DebugLogger(false))).rejects.toThrow(
      /Invalid configuration/,
    );
  });

  it('names the app and builds AppImage + deb, NSIS and dmg', async () => {
    const config = await loadConfig();
    expect(config.appId).toBe('org.terrafuse.desktop');
    expect(config.productName).toBe('Terrafuse');
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.mac?.target).toEqual(['dmg']);
    expect(config.nsis?.oneClick).toBe(false);
    expect(config.linux?.maintainer).toMatch(/<.+@.+>/); // deb refuses to build without one
    expect(config.npmRebuild).toBe(false);
  });

  it('packs the build output and keeps native tfjs modules and the wasm binaries outside the asar', async () => {
    const config = await loadConfig();
    expect(config.asar).toBe(true);
    expect(filePatterns(config)).toContain('out/**');
    const unpacked = (path: string) => (config.asarUnpack ?? []).some((pattern) => minimatch(path, pattern, { dot: true }));
    for (const path of [
      'node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node',
      'node_modules/@tensorflow/tfjs-node/deps/lib/libtensorflow.so.2',
      'node_modules/@tensorflow/tfjs-node-gpu/deps/lib/libtensorflow.so.2',
      'node_modules/@tensorflow/tfjs-node-gpu/lib/napi-v8/tfjs_binding.node',
      'node_modules/some-other-native/build/Release/addon.node',
    ]) {
      expect(unpacked(path), path).toBe(true);
    }
    // Every wasm binary that is actually installed is matched.
    const wasmDir = join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
    const wasm = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];
    for (const file of wasm) {
      expect(existsSync(join(wasmDir, file)), file).toBe(true);
      expect(unpacked(`node_modules/@tensorflow/tfjs-backend-wasm/dist/${file}`), file).toBe(true);
    }
    expect(unpacked('out/main/index.js')).toBe(false);
    expect(unpacked('node_modules/zod/index.js')).toBe(false);
  });

  it('points at icons and resources that exist: a square PNG of at least 512 px (macOS needs 512)', async () => {
    const config = await loadConfig();
    expect(config.directories?.buildResources).toBe('resources');
    for (const icon of [config.linux?.icon, config.win?.icon, config.mac?.icon]) {
      expect(icon).toBe('resources/icon.png');
      const size = pngSize(join(ROOT, icon ?? ''));
      expect(size.width).toBe(size.height);
      expect(size.width).toBeGreaterThanOrEqual(512);
    }
    expect(filePatterns(config)).toContain('resources/icon.png');
    // The package metadata electron-builder stamps into the installers.
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string; version: string; description: string; author: string };
    expect(pkg.main).toBe('out/main/index.js');
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(pkg.description.length).toBeGreaterThan(10);
    expect(pkg.author).toBeTruthy();
  });
});
