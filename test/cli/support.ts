import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';

export const BIN = join(import.meta.dirname, '../../bin/plantgate.js');

export type Run = { code: number; stdout: string; stderr: string };

/** Runs the real `plantgate` binary with Node 24, as a user would through npx. */
export function plantgate(args: string[], env: NodeJS.ProcessEnv, input?: string, nodeArgs: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [...nodeArgs, BIN, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

export type RunningServer = { process: ChildProcess; url: string; oneTimePassword: string; stop(): Promise<void> };

/** A real `plantgate server` on a free loopback port; its operator's one-time password. */
export async function startServer(dataDir: string): Promise<RunningServer> {
  const server = spawn(process.execPath, [BIN, 'server', '--listen', '127.0.0.1:0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const { url, oneTimePassword } = await new Promise<{ url: string; oneTimePassword: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 30_000);
    server.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /control plane on (http:\/\/[\d.:]+)/.exec(output);
      const password = /one-time password: (\S+)/.exec(output);
      if (listening && password) {
        clearTimeout(timer);
        resolve({ url: listening[1] as string, oneTimePassword: password[1] as string });
      }
    });
    server.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
  return {
    process: server,
    url,
    oneTimePassword,
    async stop() {
      if (server.exitCode !== null) return;
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    },
  };
}
