import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createServices } from '../services';
import { startServeServer } from '../transports/serve/server';
import { UsageError, type Command } from './command';

const USAGE = `Usage: terrafuse serve [--port N] [--host H] [--open] [--sample] [--renderer-dir DIR]

Serves the Terrafuse app to a web browser: the built renderer plus the API over HTTP and a WebSocket. Prints the
URL to open once the server listens; the URL carries a random access token (new at every start) that the first
page load trades for a cookie. Without it every request, the page included, is refused (401).

Options:
  --port N            port to listen on (default 0: any free port)
  --host H            address to bind (default 127.0.0.1). Anything else is reachable from other machines:
                      prefer an SSH tunnel (ssh -L 8080:127.0.0.1:8080 gpu-host) to a public address.
  --open              open the URL in the default browser
  --sample            the page opens the embedded synthetic sample when no dataset is open (what npm start does)
  --renderer-dir DIR  the built renderer (default: out/renderer of this installation)

Stop with Ctrl-C: running jobs are cancelled and pending writes finished before exit.
`;

/** out/renderer of this installation, from the sources (src-main/cli) or the build (out/main, maybe a chunk). */
export function defaultRendererDir(moduleUrl: string = import.meta.url): string {
  const here = dirname(fileURLToPath(moduleUrl));
  const candidates = [join(here, '..', '..', 'out', 'renderer'), join(here, '..', 'renderer'), join(here, '..', '..', 'renderer')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? resolve('out', 'renderer');
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new UsageError(`--port must be 0..65535, got ${text}`);
  return Number(text);
}

function openInBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  const child = spawn(cmd, args as string[], { detached: true, stdio: 'ignore' });
  child.on('error', () => process.stderr.write(`terrafuse serve: could not open a browser (${cmd}); open the URL yourself\n`));
  child.unref();
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Serve the app to a web browser (token-protected HTTP + WebSocket)',
  usage: USAGE,
  async run(argv) {
    let values: { port?: string; host?: string; open?: boolean; sample?: boolean; 'renderer-dir'?: string };
    try {
      ({ values } = parseArgs({
        args: argv,
        options: { port: { type: 'string' }, host: { type: 'string' }, open: { type: 'boolean' }, sample: { type: 'boolean' }, 'renderer-dir': { type: 'string' } },
        strict: true,
        allowPositionals: false,
      }));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const port = parsePort(values.port);
    const host = values.host?.trim() || '127.0.0.1';
    const rendererDir = values['renderer-dir'] ? resolve(values['renderer-dir']) : defaultRendererDir();

    const services = await createServices({ openSampleOnStart: values.sample === true });
    const server = await startServeServer({ host, port, rendererDir, services });
    for (const warning of server.warnings) process.stderr.write(`${warning}\n`);
    if (!existsSync(join(rendererDir, 'index.html'))) {
      process.stderr.write(`terrafuse serve: no built renderer in ${rendererDir} (run \`npm run build\`); serving the API only\n`);
    }
    process.stdout.write(`Terrafuse serve mode: ${server.url}\n`);
    if (values.open) openInBrowser(server.url);

    // Handlers stay installed: Ctrl-C may arrive twice (from the terminal and forwarded by npm start), and a
    // second default SIGINT would kill the process in the middle of the graceful stop.
    await new Promise<void>((done) => {
      process.on('SIGINT', done);
      process.on('SIGTERM', done);
    });
    process.stderr.write('terrafuse serve: stopping (cancelling jobs, finishing writes)…\n');
    await server.close();
    await services.shutdown();
    return 0;
  },
};
