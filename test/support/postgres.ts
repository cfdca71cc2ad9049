import { execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway PostgreSQL cluster for tests: Debian's postgresql binaries, a fresh data
 * directory, loopback only, stopped and deleted afterwards. PLANTGATE_TEST_PG_URL
 * points the tests at an existing server instead.
 *
 * With `netns`, the server runs inside that network namespace and listens on its
 * loopback, so control planes started in the same namespace (the e2e labs) reach it;
 * the URL is then only usable from inside that namespace.
 */
export type TestPostgres = { url: string; stop(): Promise<void> };

export async function startTestPostgres(options: { netns?: string } = {}): Promise<TestPostgres> {
  if (process.env.PLANTGATE_TEST_PG_URL && !options.netns) return { url: process.env.PLANTGATE_TEST_PG_URL, stop: async () => undefined };
  const inNs = options.netns ? ['ip', 'netns', 'exec', options.netns] : [];
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'plantgate-pg-'));
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  chownSync(dir, uid, gid);
  const asPostgres = (cmd: string, args: string[]) => {
    const argv = [...inNs, 'runuser', '-u', 'postgres', '--', join(bin, cmd), ...args];
    return execFileSync(argv[0] as string, argv.slice(1), { stdio: 'pipe', timeout: 60_000 });
  };
  asPostgres('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const argv = [...inNs, 'runuser', '-u', 'postgres', '--', join(bin, 'postgres'), '-D', join(dir, 'data'), '-k', dir, '-h', '127.0.0.1', '-p', String(port), '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
  const server = spawn(argv[0] as string, argv.slice(1), { stdio: 'ignore' });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      asPostgres('pg_isready', ['-h', '127.0.0.1', '-p', String(port)]);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error('test PostgreSQL did not start within 30 s');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  asPostgres('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'plantgate']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/plantgate`,
    stop: async () => {
      const exited = new Promise((r) => server.once('exit', r));
      // runuser does not always pass the signal on: tell the postmaster itself (its PID is in its data dir).
      const postmaster = postmasterPid(join(dir, 'data'));
      server.kill('SIGINT');
      if (postmaster) signal(postmaster, 'SIGINT');
      const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
      if (!stopped && postmaster) signal(postmaster, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh database on the same cluster, so test files do not see each other's data. */
export async function createDatabase(url: string, name: string): Promise<string> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`drop database if exists ${name}`);
  await client.query(`create database ${name}`);
  await client.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

function postmasterPid(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 1 ? pid : null;
  } catch {
    return null;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error('PostgreSQL is not installed: run scripts/install-deps.sh');
  return join(root, versions[0] as string, 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });
}
