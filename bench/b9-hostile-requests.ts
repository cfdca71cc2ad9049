/**
 * B9 — hostile requests against the real control plane (issue 7 items 1 and 2).
 *
 * Starts `plantgate server` (the real binary, its own data dir) and, per run:
 *  1. sends `--bodies` concurrent chunked POSTs of `--mib` MiB each to /auth/login (no
 *     login needed) and measures how long /healthz takes meanwhile and how far the
 *     server's resident memory rises (VmHWM from /proc, peak over the whole process);
 *  2. tries `--guesses` wrong passwords for one account as fast as it can, sequentially,
 *     and counts how many were checked (401) and how many refused unchecked (429).
 * Prints one RESULT line with medians over `--runs`. `--bin` points at another
 * checkout's bin/plantgate.js to measure it the same way.
 *
 *   npx node bench/b9-hostile-requests.ts [--runs 3] [--bodies 4] [--mib 256] [--guesses 500] [--bin PATH]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MiB = 1024 * 1024;
const args = parseArgs(process.argv.slice(2));
const ADMIN = { email: 'bench@example.test', password: 'bench-password-1' };

async function main(): Promise<void> {
  const runs: Array<{ healthMs: number; peakRssMiB: number; rssBeforeMiB: number; refused: number; bodiesMs: number; checked: number; blocked: number; guessMs: number }> = [];
  for (let run = 0; run < args.runs; run++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'plantgate-b9-'));
    const server = await startServer(dataDir);
    try {
      const rssBeforeMiB = vm(server.pid, 'VmRSS');
      const started = Date.now();
      const bodies = Promise.all(Array.from({ length: args.bodies }, () => streamBody(server.url, args.mib * MiB)));
      await new Promise((r) => setTimeout(r, 50));
      const healthStarted = Date.now();
      await fetch(`${server.url}/healthz`).then((r) => r.text());
      const healthMs = Date.now() - healthStarted;
      const statuses = await bodies;
      const bodiesMs = Date.now() - started;
      const peakRssMiB = vm(server.pid, 'VmHWM');
      let checked = 0;
      let blocked = 0;
      const guessStarted = Date.now();
      for (let i = 0; i < args.guesses; i++) {
        const r = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: ADMIN.email, password: `guess-${i}` }) });
        await r.text();
        if (r.status === 429) blocked++;
        else checked++;
      }
      const guessMs = Date.now() - guessStarted;
      runs.push({ healthMs, peakRssMiB, rssBeforeMiB, refused: statuses.filter((s) => s === 413).length, bodiesMs, checked, blocked, guessMs });
      console.log(`run ${run + 1}: ${JSON.stringify(runs.at(-1))}`);
    } finally {
      await stop(server.child);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const med = (f: (r: (typeof runs)[number]) => number) => median(runs.map(f));
  console.log(
    `RESULT ${JSON.stringify({
      bench: 'B9',
      bodies: args.bodies,
      mib: args.mib,
      runs: runs.length,
      healthMedianMs: med((r) => r.healthMs),
      peakRssMedianMiB: med((r) => r.peakRssMiB),
      rssBeforeMedianMiB: med((r) => r.rssBeforeMiB),
      bodiesRefused413: runs.map((r) => r.refused),
      bodiesMedianMs: med((r) => r.bodiesMs),
      guesses: args.guesses,
      checkedMedian: med((r) => r.checked),
      blockedMedian: med((r) => r.blocked),
      guessMedianMs: med((r) => r.guessMs),
    })}`,
  );
}

async function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string; pid: number }> {
  const child = spawn(process.execPath, [args.bin, 'server', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--admin-email', ADMIN.email, '--admin-password', ADMIN.password], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const m = /control plane on (http:\/\/[\d.:]+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    child.stderr?.on('data', () => undefined);
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${output}`)));
  });
  return { child, url, pid: child.pid as number };
}

/** One chunked body of `total` bytes; resolves with the status (0 when the server hung up without one). */
function streamBody(base: string, total: number): Promise<number> {
  return new Promise((resolve) => {
    const url = new URL('/api/v1/auth/login', base);
    const chunk = Buffer.alloc(MiB, 'a');
    chunk.write('{"email":"a@b.c","password":"');
    let sent = 0;
    let done = false;
    const finish = (status: number) => {
      if (done) return;
      done = true;
      req.destroy();
      resolve(status);
    };
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => finish(res.statusCode ?? 0));
    });
    req.on('error', () => finish(0));
    const pump = () => {
      while (!done && sent < total) {
        sent += chunk.length;
        if (!req.write(sent >= total ? Buffer.concat([chunk.subarray(0, chunk.length - 2), Buffer.from('"}')]) : chunk)) return void req.once('drain', pump);
      }
      if (!done) req.end();
    };
    pump();
  });
}

function vm(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(m?.[1] ?? 0) / 1024);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function parseArgs(argv: string[]) {
  const get = (name: string, fallback: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? (argv[i + 1] as string) : fallback;
  };
  return {
    runs: Number(get('runs', '3')),
    bodies: Number(get('bodies', '4')),
    mib: Number(get('mib', '256')),
    guesses: Number(get('guesses', '500')),
    bin: get('bin', join(import.meta.dirname, '../bin/plantgate.js')),
  };
}

await main();
