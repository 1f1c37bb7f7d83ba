/**
 * The CLI's usage contract, without data: every registered command answers --help with its usage (exit 0); every
 * flag a usage text documents is one its parser knows; bad flags (unknown, missing, out of range, not in an enum)
 * end with exit code 2 and one stderr line naming the flag, never a stack trace; and the same end to end through
 * bin/terrafuse.mjs as a child process.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commands } from '../../src-main/cli/commands';
import { UsageError } from '../../src-main/cli/command';
import { trainCommand } from '../../src-main/cli/train';
import { cli, expectOneLineError, terrafuseChild } from './support';

// Nothing here may get as far as writing: the folder stays empty (checked at the end).
const tmp = mkdtempSync(join(tmpdir(), 'tf-cli-usage-'));
const out = join(tmp, 'run');
const data = join(tmp, 'data');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const NAMES = Object.keys(commands);

describe('terrafuse --help and <command> --help', () => {
  it('the registry holds the commands of issues 3 and 4', () => {
    for (const name of ['train', 'pretrain', 'evaluate', 'predict', 'experiment', 'synth', 'inspect', 'raster', 'engine', 'bench']) {
      expect(NAMES).toContain(name);
    }
  });

  it('terrafuse --help lists every command with its summary, exit 0', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const [name, c] of Object.entries(commands)) expect(r.stdout).toMatch(new RegExp(`^  ${name}\\s+${c.summary.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, 'm'));
  });

  it('no command prints the list and exits 2; an unknown command exits 2 with one line', async () => {
    const none = await cli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toMatch(/^Usage: terrafuse <command>/m);
    expectOneLineError(await cli(['tarin', '--data', data]), 2, /^terrafuse: unknown command 'tarin'/);
  });

  it.each(NAMES)('%s --help prints its usage and exits 0 (also -h, also after other flags)', async (name) => {
    const command = await commands[name].load();
    expect(command.name).toBe(name);
    expect(command.summary).toBe(commands[name].summary);
    for (const argv of [[name, '--help'], [name, '-h'], [name, '--out', out, '--help']]) {
      const r = await cli(argv);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout.startsWith(`Usage: terrafuse ${name}`)).toBe(true);
      expect(r.stdout).toBe(command.usage.endsWith('\n') ? command.usage : `${command.usage}\n`);
    }
  });

  // Commands whose run() fails on a missing required flag or operand before doing any work, so that each
  // documented flag can be offered alone (engine, bench and serve would start the engine or a server).
  const PARSE_ONLY: Record<string, string[]> = {
    train: [], pretrain: [], evaluate: [], predict: [], experiment: ['label-efficiency'], synth: [], inspect: [], raster: [],
  };

  it.each(Object.keys(PARSE_ONLY))('every flag %s --help documents is accepted by its parser', async (name) => {
    const command = await commands[name].load();
    // A quoted command line names another command's flags ('terrafuse train --from DIR ...' in pretrain's usage).
    const documented = [...new Set(command.usage.replace(/'terrafuse [^']*'/g, '').match(/--[a-z][a-z0-9-]*/g) ?? [])].filter((f) => f !== '--help');
    expect(documented.length).toBeGreaterThan(0);
    for (const flag of documented) {
      const r = await cli([name, ...PARSE_ONLY[name], flag]);
      // Alone, a flag must fail for a missing value or a missing required flag, but never as unknown.
      expect(r.code, `${name} ${flag}: ${r.stderr}`).toBe(2);
      expect(r.stderr, `${name} ${flag}`).not.toMatch(/Unknown option/);
    }
  });
});

describe('bad flags: exit code 2, one stderr line naming the flag, no stack trace', () => {
  const train = ['train', '--data', data, '--modalities', 's2', '--target', 'lulc', '--out', out];

  const CASES: Array<[string, string[], RegExp]> = [
    ['unknown flag', [...train, '--lables', '0.1'], /Unknown option '--lables'/],
    ['missing --data', ['train', '--modalities', 's2', '--target', 'lulc', '--out', out], /--data is required/],
    ['missing --out', ['train', '--data', data, '--modalities', 's2', '--target', 'lulc'], /--out is required/],
    ['missing --modalities', ['train', '--data', data, '--target', 'lulc', '--out', out], /--modalities is required/],
    ['missing --target', ['train', '--data', data, '--modalities', 's2', '--out', out], /--target is required/],
    ['a flag without its value', ['train', '--data', data, '--modalities', 's2', '--target', 'lulc', '--out'], /'--out <value>' argument missing/],
    ['--task foo', [...train, '--task', 'foo'], /--task: .*classification.*segmentation.* \(got 'foo'\)$/],
    ['--target foo', ['train', '--data', data, '--modalities', 's2', '--target', 'lulc,foo', '--out', out], /--target: unknown target 'foo' \(lulc, .*season.*\)$/],
    ['--label-fraction 2', [...train, '--label-fraction', '2'], /--label-fraction: .*<=\s?1 \(got 2\)$/],
    ['--label-fraction 0', [...train, '--label-fraction', '0'], /--label-fraction: .*>\s?0 \(got 0\)$/],
    ['--label-fraction abc', [...train, '--label-fraction', 'abc'], /--label-fraction must be a number, got 'abc'/],
    ['--modalities s9', ['train', '--data', data, '--modalities', 's2,s9', '--target', 'lulc', '--out', out], /--modalities: .*"s1".* \(got 's9'\)$/],
    ['--backbone vgg', [...train, '--backbone', 'vgg'], /--backbone: .*"resnet18"\|"unet" \(got 'vgg'\)$/],
    ['--fusion middle', [...train, '--fusion', 'middle'], /--fusion: .*"early"\|"late" \(got 'middle'\)$/],
    ['--epochs 1.5', [...train, '--epochs', '1.5'], /--epochs must be an integer, got '1\.5'/],
    ['--epochs 0', [...train, '--epochs', '0'], /--epochs: .*>=\s?1 \(got 0\)$/],
    ['--batch-size 0', [...train, '--batch-size', '0'], /--batch-size: .* \(got 0\)$/],
    ['--transfer without --from', [...train, '--transfer', 'full'], /--transfer: .*from.*transfer/],
    ['--transfer sideways', [...train, '--from', data, '--transfer', 'sideways'], /--transfer: .*"linear-probe"\|"frozen"\|"full" \(got 'sideways'\)$/],
    ['--task count differs', ['train', '--data', data, '--modalities', 's2', '--target', 'lulc,season,worldcover', '--task', 'classification,regression', '--out', out], /--task lists 2 tasks but --target 3/],
    ['--loss-weights count differs', [...train, '--loss-weights', '1,2'], /--loss-weights lists 2 weights for 1 targets/],
    ['--loss-weights -1', [...train, '--loss-weights=-1'], /--loss-weights: .* \(got -1\)$/],
    ['same target twice', ['train', '--data', data, '--modalities', 's2', '--target', 'lulc,lulc', '--out', out], /--target: each target may appear in only one task/],
    ['pretrain --method byol', ['pretrain', '--data', data, '--method', 'byol', '--out', out], /^terrafuse pretrain: --method: .*"simclr"\|"contrastive-s1s2" \(got 'byol'\)$/],
    ['pretrain without --method', ['pretrain', '--data', data, '--out', out], /^terrafuse pretrain: --method is required$/],
    ['pretrain --batch-size 1', ['pretrain', '--data', data, '--method', 'simclr', '--batch-size', '1', '--out', out], /--batch-size: .*>=\s?2 \(got 1\)$/],
    ['evaluate --split dev', ['evaluate', '--run', out, '--data', data, '--split', 'dev'], /^terrafuse evaluate: --split: .*"test" \(got 'dev'\)$/],
    ['evaluate without --run', ['evaluate', '--data', data], /^terrafuse evaluate: --run is required$/],
    ['predict --threshold 1', ['predict', '--run', out, '--data', data, '--out', out, '--threshold', '1'], /^terrafuse predict: --threshold: .* \(got 1\)$/],
    ['predict --split everything', ['predict', '--run', out, '--data', data, '--out', out, '--split', 'everything'], /--split: .*"all" \(got 'everything'\)$/],
    ['experiment without its name', ['experiment', '--data', data], /^terrafuse experiment: unknown experiment '--data' \(available: label-efficiency\)$/],
    ['experiment --fractions 0.1,0', ['experiment', 'label-efficiency', '--data', data, '--out', out, '--fractions', '0.1,0'], /--fractions: .*>\s?0 \(got 0\)$/],
    ['experiment --temperature 0', ['experiment', 'label-efficiency', '--data', data, '--out', out, '--temperature', '0'], /: --temperature: .*>\s?0 \(got 0\)$/],
    ['experiment --pretrain-method x', ['experiment', 'label-efficiency', '--data', data, '--out', out, '--pretrain-method', 'x'], /--pretrain-method: .* \(got 'x'\)$/],
    ['synth --patches 0', ['synth', '--out', out, '--patches', '0'], /^terrafuse synth: --patches must be a positive integer, got '0'$/],
    ['synth without --out', ['synth', '--patches', '3'], /^terrafuse synth: --out DIR is required$/],
    ['inspect without a folder', ['inspect', '--json'], /^terrafuse inspect: give exactly one dataset folder$/],
    ['inspect --layout', ['inspect', data, '--layout', 'zarr'], /^terrafuse inspect: unknown layout 'zarr' \(ben-ge, /],
    ['raster without a file', ['raster', '--json'], /^terrafuse raster: no FILE given/],
    ['raster unknown flag', ['raster', '--stats', 'a.tif'], /^terrafuse raster: Unknown option '--stats'/],
    ['engine --backend quantum', ['engine', '--backend', 'quantum'], /^terrafuse engine: --backend must be one of /],
    ['bench unknown flag', ['bench', '--workload', 'resnet18', '--step', '1'], /^terrafuse bench: Unknown option '--step'/],
  ];

  it.each(CASES)('%s', async (_what, argv, pattern) => {
    const line = expectOneLineError(await cli(argv), 2, pattern);
    expect(line.startsWith(`terrafuse ${argv[0]}: `) || line.startsWith('terrafuse: ')).toBe(true);
  });

  it("a command's run() throws the UsageError that main() turns into exit code 2", async () => {
    await expect(trainCommand.run(['--data', data, '--modalities', 's2', '--target', 'lulc', '--out', out, '--task', 'foo'])).rejects.toBeInstanceOf(UsageError);
  });

  it('none of them wrote anything', () => {
    expect(readdirSync(tmp)).toEqual([]);
  });
});

describe('end to end through bin/terrafuse.mjs', () => {
  it('a bad enum value exits 2 with one line; --help exits 0; an unknown command exits 2', () => {
    const bad = terrafuseChild(['train', '--data', data, '--modalities', 's2', '--target', 'lulc', '--task', 'foo', '--out', out]);
    expectOneLineError(bad, 2, /^terrafuse train: --task: .* \(got 'foo'\)$/);
    expect(bad.stderr.trimEnd().split('\n')).toHaveLength(1);

    const help = terrafuseChild(['predict', '--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: terrafuse predict --run DIR --data DIR --out DIR/);

    expectOneLineError(terrafuseChild(['nope']), 2, /^terrafuse: unknown command 'nope'/);
    expect(readdirSync(tmp)).toEqual([]);
  });
});
