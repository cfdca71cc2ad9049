/**
 * CLI start-up (issue 7 item 17): wall time of `plantgate --version` and of
 * `plantgate vpn routes` against a real control plane, each the real bin run by this
 * Node (run it with npm's Node 24: `npx node bench/cli-startup.ts`). Medians of --runs
 * (default 15) after one warm-up run; both with Node's compile cache (what users get
 * from the second run on) and without it (NODE_DISABLE_COMPILE_CACHE=1, a first run).
 *
 *   npx node bench/cli-startup.ts [--runs 15]
 *
 * Targets on an idle machine: --version < 0.3 s, vpn routes < 0.6 s (median).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '../bin/plantgate.js');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 15) || 15;

export type StartupFigures = { command: string; cache: boolean; runs: number; medianMs: number; minMs: number; maxMs: number };

export async function measureCliStartup(options: { runs: number }): Promise<StartupFigures[]> {
  const work = mkdtempSync(join(tmpdir(), 'plantgate-bench-cli-'));
  const server = spawn(process.execPath, [BIN, 'server', '--listen', '127.0.0.1:0', '--data-dir', join(work, 'data'), '--demo'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await listening(server);
    const env = { ...process.env, PLANTGATE_CONFIG_DIR: join(work, 'cli'), XDG_CACHE_HOME: join(work, 'cache') };
    execFileSync(process.execPath, [BIN, 'login', '--server', url, '--email', 'alice@solarco.example', '--password-stdin'], { env, input: 'demo-alice-pw\n' });
    const figures: StartupFigures[] = [];
    for (const cache of [true, false]) {
      const runEnv = cache ? env : { ...env, NODE_DISABLE_COMPILE_CACHE: '1' };
      for (const args of [['--version'], ['vpn', 'routes']]) figures.push({ command: `plantgate ${args.join(' ')}`, cache, ...time(args, runEnv, options.runs) });
    }
    return figures;
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(work, { recursive: true, force: true });
  }
}

function time(args: string[], env: NodeJS.ProcessEnv, n: number): { runs: number; medianMs: number; minMs: number; maxMs: number } {
  execFileSync(process.execPath, [BIN, ...args], { env, stdio: 'ignore' }); // warm-up (fills the compile cache)
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    execFileSync(process.execPath, [BIN, ...args], { env, stdio: 'ignore' });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  const median = n % 2 ? (samples[(n - 1) / 2] as number) : ((samples[n / 2 - 1] as number) + (samples[n / 2] as number)) / 2;
  return { runs: n, medianMs: round(median), minMs: round(samples[0] as number), maxMs: round(samples[n - 1] as number) };
}

function listening(server: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 60_000);
    server.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const m = /control plane on (http:\/\/[\d.:]+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    server.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

if (import.meta.main) {
  const figures = await measureCliStartup({ runs });
  const load = loadavg().map((l) => l.toFixed(2)).join(', ');
  console.log(`| command | compile cache | runs | median ms | min | max |\n|---|---|---|---|---|---|`);
  for (const f of figures) console.log(`| \`${f.command}\` | ${f.cache ? 'on' : 'off'} | ${f.runs} | **${f.medianMs}** | ${f.minMs} | ${f.maxMs} |`);
  console.log(`load average after the run: ${load}`);
  console.log(`RESULT ${JSON.stringify({ bench: 'cli-startup', date: new Date().toISOString(), load, figures })}`);
}
