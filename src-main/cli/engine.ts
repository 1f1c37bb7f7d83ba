import { parseArgs } from 'node:util';
import { BackendName, type EngineInfo } from '../api/engine';
import { UsageError, type Command } from './command';

const USAGE = `Usage: terrafuse engine [--json] [--backend NAME]

Shows which compute engine the ladder chose (tensorflow-gpu > tensorflow > wasm > cpu) and why each rung above it
was skipped.

  --json           one JSON line: {"backend", "package", "version", "forced", "skipped": [...], "details"}
  --backend NAME   force a backend (same as TERRAFUSE_BACKEND=NAME); fails if it cannot start
`;

/** A short aligned table: the chosen backend, every skipped rung with its reason, then the details. */
export function formatEngineInfo(info: EngineInfo): string {
  const rows: Array<[string, string, string]> = [
    ...info.skipped.map((s): [string, string, string] => [s.backend, s.package, `skipped: ${s.reason}`]),
    [info.backend, `${info.package} ${info.version}`, info.forced ? 'in use (forced)' : 'in use'],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length), 'backend'.length);
  const w1 = Math.max(...rows.map((r) => r[1].length), 'package'.length);
  const line = (r: [string, string, string]) => `${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}`;
  const details = Object.entries(info.details).map(([k, v]) => `  ${k}: ${String(v)}`);
  return [line(['backend', 'package', 'status']), ...rows.map(line), 'details:', ...details].join('\n') + '\n';
}

export const engineCommand: Command = {
  name: 'engine',
  summary: 'Show the compute engine in use and why faster ones were skipped',
  usage: USAGE,
  async run(argv) {
    let values: { json?: boolean; backend?: string };
    try {
      ({ values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, backend: { type: 'string' } }, strict: true }));
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
    let force: BackendName | undefined;
    if (values.backend !== undefined) {
      const parsed = BackendName.safeParse(values.backend);
      if (!parsed.success) throw new UsageError(`--backend must be one of ${BackendName.options.join(', ')}`);
      force = parsed.data;
    }
    // Loaded here so that `terrafuse --help` does not start tfjs.
    const { initEngine } = await import('../core/engine');
    let info: EngineInfo;
    try {
      info = await initEngine(force ? { force } : {});
    } catch (err) {
      process.stderr.write(`terrafuse engine: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
    process.stdout.write(values.json ? `${JSON.stringify(info)}\n` : formatEngineInfo(info));
    return 0;
  },
};
