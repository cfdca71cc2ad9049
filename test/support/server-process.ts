import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The real `plantgate server` as a child process on 127.0.0.1 (a free port), for the
 * benchmarks that measure the process itself (CPU, RSS, its /metrics). Stopped by its
 * PID: SIGTERM, SIGKILL after 15 s.
 */
export type ServerProcess = { url: string; pid: number; child: ChildProcess; output(): string; stop(): Promise<void> };

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function startServerProcess(options: { dataDir: string; args?: string[]; env?: NodeJS.ProcessEnv; readyTimeoutMs?: number }): Promise<ServerProcess> {
  const cliArgs = ['server', '--listen', '127.0.0.1:0', '--data-dir', options.dataDir, ...(options.args ?? [])];
  // process.execPath is the Node 24 the caller runs on.
  const child = spawn(process.execPath, [join(ROOT, 'bin/plantgate.js'), ...cliArgs], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  let output = '';
  const keep = (chunk: Buffer) => {
    // The last 64 KiB are enough for an error report.
    output = (output + chunk.toString()).slice(-65_536);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const timeoutMs = options.readyTimeoutMs ?? 120_000;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = () => {
      const m = /plantgate control plane on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(m[1] as string);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before it listened:\n${output}`));
    });
  });
  return {
    url,
    pid: child.pid as number,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }, 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** utime + stime of a process so far, in seconds (from /proc). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function processRssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}
