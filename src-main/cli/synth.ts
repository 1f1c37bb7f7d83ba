import cliProgress from 'cli-progress';
import { parseArgs } from 'node:util';
import { UsageError, type Command } from './command';

const USAGE = `Usage: terrafuse synth --out DIR --patches N --seed S [--name NAME] [--deflate] [--force] [--json]

Writes a synthetic, physically coherent dataset in the ben-ge layout (as the lecture reads ben-ge-800):
Sentinel-2 (12 bands at native 10/20/60 m), Sentinel-1 (VV, VH in dB), Copernicus-like DEM, ESA WorldCover
map and fractions, climate zone, season and ERA-5 weather, with train/val/test split CSVs (70/15/15, seeded).
Patches are 1.2 km squares on BigEarthNet's grid in 17 real Sentinel-2 tiles across Europe (UTM zones 29-35).
The same seed gives the same bytes. The dataset is written to DIR.partial and renamed to DIR when complete.

  --out DIR      output folder (must not exist, unless --force)
  --patches N    number of patches (default 100)
  --seed S       seed, a number or a word (default 0)
  --name NAME    dataset name in the CSV file names (default: the folder's name)
  --deflate      deflate-compress the GeoTIFFs (about 30 % smaller: noisy imagery compresses little;
                 BigEarthNet itself is uncompressed)
  --force        replace DIR if it exists
  --json         print a one-line JSON summary on stdout
`;

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        out: { type: 'string' },
        patches: { type: 'string' },
        seed: { type: 'string' },
        name: { type: 'string' },
        deflate: { type: 'boolean' },
        force: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

export const synthCommand: Command = {
  name: 'synth',
  summary: 'Write a synthetic ben-ge dataset (S2, S1, DEM, WorldCover, climate, season, ERA-5)',
  usage: USAGE,
  async run(argv) {
    const flags = parse(argv);
    if (!flags.out) throw new UsageError('--out DIR is required');
    const patches = Number(flags.patches ?? '100');
    if (!Number.isInteger(patches) || patches < 1) throw new UsageError(`--patches must be a positive integer, got '${flags.patches}'`);
    const seedText = flags.seed ?? '0';
    // Numeric seeds and their text are the same seed (createRng(42) === createRng('42')).
    const seed = /^-?\d+$/.test(seedText) ? Number(seedText) : seedText;

    const { generateBenGe } = await import('../core/data/synth');
    const ac = new AbortController();
    const onSigint = (): void => {
      process.stderr.write('\nterrafuse: cancelling; no partial dataset will be left behind\n');
      ac.abort(new Error('cancelled'));
    };
    process.on('SIGINT', onSigint);
    const bar = process.stderr.isTTY
      ? new cliProgress.SingleBar(
          { format: 'synth |{bar}| {value}/{total} patches | {rate} patches/s | ETA {eta_formatted}', stream: process.stderr, hideCursor: true, clearOnComplete: true, barsize: 30 },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
    const started = performance.now();
    bar?.start(patches, 0, { rate: '-' });
    try {
      const summary = await generateBenGe({
        out: flags.out,
        patches,
        seed,
        name: flags.name,
        compression: flags.deflate ? 'deflate' : 'none',
        overwrite: Boolean(flags.force),
        signal: ac.signal,
        onProgress: (done) => {
          const s = (performance.now() - started) / 1000;
          bar?.update(done, { rate: (done / Math.max(s, 1e-3)).toFixed(1) });
        },
      });
      bar?.stop();
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(summary)}\n`);
      } else {
        const mb = (summary.bytes / 1e6).toFixed(1);
        process.stdout.write(
          `wrote ${summary.patches} patches (${summary.files} files, ${mb} MB of pixels) to ${summary.out}\n` +
            `  ${summary.seconds.toFixed(1)} s, ${summary.patchesPerSecond.toFixed(1)} patches/s; ` +
            `${summary.tiles.length} tiles; splits train ${summary.splits.train} / val ${summary.splits.val} / test ${summary.splits.test}; ` +
            `${summary.cloudyPatches} partly cloudy\n`,
        );
      }
      return 0;
    } catch (err) {
      bar?.stop();
      if (ac.signal.aborted) return 130;
      if (err instanceof Error && /already exists/.test(err.message)) throw new UsageError(`${err.message.replace('use overwrite', 'use --force')}`);
      throw err;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
