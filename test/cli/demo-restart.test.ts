import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';

const BIN = join(import.meta.dirname, '../../bin/plantgate.js');
const ADMIN = { email: 'ops@demo.test', password: 'demo-operator-pw' };

type Started = { child: ChildProcess; url: string; output: () => string };

/** `plantgate server --demo` as `npm start -- --demo` runs it, on a given data directory. */
async function startDemoServer(dataDir: string): Promise<Started> {
  const child = spawn(process.execPath, [BIN, 'server', '--demo', '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PLANTGATE_ADMIN_EMAIL: ADMIN.email, PLANTGATE_ADMIN_PASSWORD: ADMIN.password },
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /control plane on (http:\/\/[\d.:]+)/.exec(output);
      if (listening) {
        clearTimeout(timer);
        resolve(listening[1] as string);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
  return { child, url, output: () => output };
}

async function stop(started: Started | undefined): Promise<void> {
  if (!started?.child.pid || started.child.exitCode !== null) return;
  const exited = new Promise((r) => started.child.once('exit', r));
  started.child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
}

function plantgate(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('npm start -- --demo on one data directory, twice (issue 7 #12)', () => {
  const work = mkdtempSync(join(tmpdir(), 'plantgate-demo-'));
  const env = { PLANTGATE_CONFIG_DIR: join(work, 'cli') };
  let server: Started | undefined;
  after(async () => {
    await stop(server);
    rmSync(work, { recursive: true, force: true });
  });

  it('#12: a second --demo start re-applied the demo fleet and rolled back operator changes', async () => {
    server = await startDemoServer(join(work, 'data'));
    assert.match(server.output(), /demo fleet: \d+ change\(s\) applied/);
    assert.equal((await plantgate(['login', '--server', server.url, '--email', ADMIN.email, '--password', ADMIN.password], env)).code, 0);

    // The operator's changes: an organization deleted, a job role changed.
    const demo = parse(readFileSync(join(import.meta.dirname, '../../src/server/demo/fleet.yaml'), 'utf8'));
    demo.organizations = demo.organizations.filter((o: { name: string }) => o.name !== 'WindServ');
    demo.organizations[0].cooperations = [];
    demo.organizations[0].jobRoles[2].role = 'viewer';
    const file = join(work, 'changed.json');
    writeFileSync(file, JSON.stringify(demo));
    const applied = await plantgate(['admin', 'apply', '-f', file, '--prune'], env);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /- organization WindServ/);
    const before = (await plantgate(['admin', 'fleet', 'export', '--format', 'json'], env)).stdout;

    await stop(server);
    server = await startDemoServer(join(work, 'data'));
    assert.match(server.output(), /demo fleet skipped: the database already holds 1 organization\(s\)/);
    assert.doesNotMatch(server.output(), /demo fleet: \d+ change/);
    assert.equal((await plantgate(['login', '--server', server.url, '--email', ADMIN.email, '--password', ADMIN.password], env)).code, 0);
    const afterRestart = await plantgate(['admin', 'fleet', 'export', '--format', 'json'], env);
    assert.equal(afterRestart.code, 0, afterRestart.stderr);
    assert.deepEqual(JSON.parse(afterRestart.stdout), JSON.parse(before), 'the operator\u2019s fleet is untouched');
    const roles = JSON.parse(afterRestart.stdout).organizations[0].jobRoles;
    assert.ok(roles.some((j: { user: string; role: string }) => j.user === 'bob@solarco.example' && j.role === 'viewer'));
  });

  it('#13: fleet export writes a YAML file that admin apply reports as "no changes"', async () => {
    const out = join(work, 'exported.yaml');
    const exported = await plantgate(['admin', 'fleet', 'export', '-o', out], env);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /fleet written to .*exported\.yaml \(yaml\)/);
    const again = await plantgate(['admin', 'apply', '-f', out, '--prune'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^no changes/);
    const bad = await plantgate(['admin', 'fleet', 'export', '--format', 'xml'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--format: "xml" is neither yaml nor json/);
  });

  it('#14: admin region remove refused while a gateway is enrolled (exit 5, naming it); --force removes both', async () => {
    const enrol = await plantgate(['admin', 'gateway', 'enrol', '--region', 'demo', '--json'], env);
    assert.equal(enrol.code, 0, enrol.stderr);
    const token = JSON.parse(enrol.stdout).token as string;
    const enrolled = await fetch(`${server?.url}/api/v1/enrol`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, name: 'gw-demo-1' }) });
    assert.equal(enrolled.status, 201);
    const refused = await plantgate(['admin', 'region', 'remove', 'demo'], env);
    assert.equal(refused.code, 5, refused.stderr);
    assert.match(refused.stderr, /gw-demo-1/);
    assert.match(refused.stderr, /--force/);
    const forced = await plantgate(['admin', 'region', 'remove', 'demo', '--force'], env);
    assert.equal(forced.code, 0, forced.stderr);
    const events = JSON.parse((await plantgate(['admin', 'events', '--kind', 'daemon.removed', '--json'], env)).stdout);
    assert.equal(events[0].details.name, 'gw-demo-1');
  });

  it('#13: without --prune an apply keeps what the file does not list, and says so', async () => {
    const file = join(work, 'one-org.yaml');
    writeFileSync(file, 'users:\n  - { email: nina@newco.example, name: Nina }\norganizations:\n  - name: NewCo\n    members: [{ email: nina@newco.example, role: admin }]\n');
    const applied = await plantgate(['admin', 'apply', '-f', file], env);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /\+ organization NewCo/);
    assert.match(applied.stdout, /nothing removed: 1 thing the file does not list was kept \(--prune removes them\)/);
    assert.match(applied.stdout, /kept: organization SolarCo/);
  });
});
