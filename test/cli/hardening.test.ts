import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generate } from 'otplib';
import { stringify } from 'yaml';
import { generateWireGuardKeyPair, wireGuardPublicKey } from '../../src/crypto/wireguard-keys.ts';
import { baseFleet } from '../api/fleet-fixture.ts';
import { BIN, plantgate, type RunningServer, startServer } from './support.ts';

/** Issue 7 (hardening and operator basics), the CLI items, against the real binary and a real server. */
describe('issue 7: the CLI against a real server, a forged server and a dead one', () => {
  const work = mkdtempSync(join(tmpdir(), 'plantgate-cli-hardening-'));
  let server: RunningServer;
  let forged: Server;
  let forgedUrl = '';
  let deadUrl = '';
  const operatorEnv = { PLANTGATE_CONFIG_DIR: join(work, 'operator') };
  const aliceEnv = { PLANTGATE_CONFIG_DIR: join(work, 'alice') };
  const conf = join(work, 'profiles', 'alice.conf');
  /** What the forged control plane answers per "METHOD path". */
  const forgedAnswers = new Map<string, unknown>();

  before(async () => {
    mkdirSync(join(work, 'profiles'));
    server = await startServer(join(work, 'data'));
    const login = await plantgate(['login', '--server', server.url, '--email', 'admin@plantgate.local', '--password-stdin'], operatorEnv, `${server.oneTimePassword}\n`);
    assert.equal(login.code, 0, login.stderr);
    writeFileSync(join(work, 'fleet.yaml'), stringify(baseFleet()));
    assert.equal((await plantgate(['admin', 'apply', '-f', join(work, 'fleet.yaml')], operatorEnv)).code, 0);
    assert.equal((await plantgate(['admin', 'region', 'add', 'eu-central', '--endpoint', 'gw.example.test:51820'], operatorEnv)).code, 0);
    assert.equal((await plantgate(['login', '--server', server.url, '--email', 'alice@solarco.example', '--password', 'alice-password'], aliceEnv)).code, 0);
    // A control plane that answers whatever the test puts in forgedAnswers, and never answers GET /me.
    forged = createServer((req, res) => {
      const key = `${req.method} ${req.url}`;
      if (key === 'GET /api/v1/me') return; // hangs: the --timeout case
      const answer = forgedAnswers.get(key);
      res.writeHead(answer === undefined ? 404 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer ?? { error: { code: 'not-found', message: 'nothing here' } }));
    });
    await new Promise<void>((r) => forged.listen(0, '127.0.0.1', r));
    forgedUrl = `http://127.0.0.1:${(forged.address() as AddressInfo).port}`;
    // A port where nothing listens: the control plane is down.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    deadUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise((r) => probe.close(r));
  });

  after(async () => {
    forged?.closeAllConnections();
    await new Promise((r) => (forged ? forged.close(r) : r(null)));
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const leftovers = () => readdirSync(join(work, 'profiles')).filter((f) => f.endsWith('.tmp'));

  it('item 11: vpn rotate --force with the server unreachable leaves the old config (and its key) intact', async () => {
    assert.equal((await plantgate(['vpn', 'issue', '--out', conf], aliceEnv)).code, 0);
    const before = readFileSync(conf, 'utf8');
    const down = await plantgate(['vpn', 'rotate', '--out', conf, '--force'], { ...aliceEnv, PLANTGATE_SERVER: deadUrl });
    assert.equal(readFileSync(conf, 'utf8'), before, 'the old config is byte for byte the same');
    assert.equal(down.code, 6, `exit code 6: unreachable\n${down.stderr}`);
    assert.match(down.stderr, /cannot reach the control plane/);
    assert.deepEqual(leftovers(), [], 'no temporary file left behind');
  });

  it('item 11: a directory that cannot be written fails before the server is asked', async () => {
    const noDir = await plantgate(['vpn', 'rotate', '--force', '--out', join(work, 'absent', 'x.conf')], aliceEnv);
    assert.match(noDir.stderr, /--out: cannot write beside/);
    assert.equal(noDir.code, 2);
    const events = JSON.parse((await plantgate(['admin', 'events', '--kind', 'profile.rotated', '--json'], operatorEnv)).stdout);
    assert.deepEqual(events, [], 'the server was not asked');
  });

  it('item 11: a rotated config replaces a 0644 file as 0600, with the new key (also when --region names no region)', async () => {
    chmodSync(conf, 0o644);
    // An unknown --region after the server rotated the key still gets a working config (the old key is dead now).
    const rotated = await plantgate(['vpn', 'rotate', '--out', conf, '--force', '--region', 'nowhere'], aliceEnv);
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stderr, /no region "nowhere" .*wrote the config for eu-central/);
    assert.equal(statSync(conf).mode & 0o777, 0o600);
    const show = JSON.parse((await plantgate(['vpn', 'show', '--json'], aliceEnv)).stdout);
    assert.equal(wireGuardPublicKey(/PrivateKey = (\S+)/.exec(readFileSync(conf, 'utf8'))?.[1] as string), show.profile.publicKey);
    assert.deepEqual(leftovers(), []);
  });

  it('item 11: vpn refresh keeps the user\u2019s MTU, DNS and comments and changes only AllowedIPs/Endpoint', async () => {
    const original = readFileSync(conf, 'utf8');
    const edited = original.replace('[Interface]\n', '# my laptop, keep this\n[Interface]\n').replace(/(Address = \S+\n)/, '$1MTU = 1380\nDNS = 10.30.0.53\n');
    writeFileSync(conf, edited);
    chmodSync(conf, 0o644);
    await plantgate(['vpn', 'prefer', '--plant', 'Park B', '--subnet', '192.168.1.0/24'], aliceEnv);
    const refreshed = await plantgate(['vpn', 'refresh', '--config', conf], aliceEnv);
    const text = readFileSync(conf, 'utf8');
    assert.match(text, /^# my laptop, keep this$/m);
    assert.match(text, /^MTU = 1380$/m);
    assert.match(text, /^DNS = 10\.30\.0\.53$/m);
    assert.match(text, /^AllowedIPs = 100\.80\.0\.0\/12, .*192\.168\.1\.0\/24/m);
    const allowedLine = (t: string) => t.split('\n').findIndex((l) => l.startsWith('AllowedIPs'));
    assert.deepEqual(
      text.split('\n').filter((_, i) => i !== allowedLine(text)),
      edited.split('\n').filter((_, i) => i !== allowedLine(edited)),
      'every other line is unchanged',
    );
    assert.equal(statSync(conf).mode & 0o777, 0o600);
    assert.deepEqual(leftovers(), []);
    assert.equal(refreshed.code, 0, refreshed.stderr);
  });

  it('item 4: the server refuses a region endpoint with a newline (400 naming the field, exit 2, --json error)', async () => {
    const evil = 'gw.example.test:51820\nPostUp = touch /tmp/plantgate-owned';
    const refused = await plantgate(['admin', 'region', 'add', 'evil', '--endpoint', evil], operatorEnv);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /endpoint: must be HOST:PORT/);
    const json = await plantgate(['admin', 'region', 'add', 'evil', '--endpoint', 'gw.example.test:51820\n', '--json'], operatorEnv);
    assert.equal(json.code, 2);
    const error = JSON.parse(json.stdout).error;
    assert.equal(error.field, 'endpoint');
    assert.equal(error.status, 400);
    assert.equal(error.code, 'usage');
    const regions = JSON.parse((await plantgate(['admin', 'region', 'list', '--json'], operatorEnv)).stdout);
    assert.deepEqual(regions.map((r: { name: string }) => r.name), ['eu-central'], 'nothing stored');
  });

  it('item 4: a forged answer with PostUp in the endpoint is refused by the CLI and nothing is written', async () => {
    const key = generateWireGuardKeyPair().publicKey;
    const parts = {
      profile: { id: 'p1', kind: 'wireguard', status: 'active', publicKey: key, tunnelIp: '100.64.0.9', createdAt: 'x', rotatedAt: null, revokedAt: null },
      servicePublicKey: key,
      regions: [{ name: 'eu-central', endpoint: 'gw.example.test:51820\nPostUp = touch /tmp/plantgate-owned' }],
      allowedIps: ['100.80.0.0/12'],
    };
    forgedAnswers.set('POST /api/v1/vpn/profile', parts);
    forgedAnswers.set('GET /api/v1/vpn/profile', parts);
    const env = { PLANTGATE_CONFIG_DIR: join(work, 'nobody'), PLANTGATE_SERVER: forgedUrl, PLANTGATE_TOKEN: 'pgt_forged_token' };
    const out = join(work, 'profiles', 'forged.conf');
    const issued = await plantgate(['vpn', 'issue', '--out', out], env);
    assert.ok(!existsSync(out) || !readFileSync(out, 'utf8').includes('PostUp'), 'no PostUp line written');
    assert.equal(issued.code, 1, issued.stderr);
    assert.match(issued.stderr, /refused the control plane's answer to POST \/vpn\/profile: regions\[0\]\.endpoint: must be HOST:PORT/);
    assert.ok(!existsSync(out), 'no config written');
    assert.deepEqual(leftovers(), []);
    const before = readFileSync(conf, 'utf8');
    const refreshed = await plantgate(['vpn', 'refresh', '--config', conf], env);
    assert.equal(refreshed.code, 1);
    assert.match(refreshed.stderr, /regions\[0\]\.endpoint: must be HOST:PORT/);
    assert.equal(readFileSync(conf, 'utf8'), before, 'refresh wrote nothing');
  });

  it('item 10: an agent\u2019s lastError with ESC and a bidi override is escaped in admin agent list; --json keeps the value', async () => {
    const enrol = JSON.parse((await plantgate(['admin', 'agent', 'enrol', '--plant', 'SolarCo/Park A', '--json'], operatorEnv)).stdout);
    const enrolled = await (await fetch(`${server.url}/api/v1/enrol`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: enrol.token, name: 'agent-a' }) })).json() as { id: string; credential: string };
    const lastError = '\u001b[2J\u001b[Hall good\u202e\u009b31m';
    const RAW = ['\u001b', '\u009b', '\u202e'];
    const status = await fetch(`${server.url}/api/v1/agents/${enrolled.id}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${enrolled.credential}` },
      body: JSON.stringify({ appliedRevision: 1, version: '0.1.0', peers: [], lastError }),
    });
    assert.equal(status.status, 204);
    const list = await plantgate(['admin', 'agent', 'list'], operatorEnv);
    assert.equal(list.code, 0, list.stderr);
    assert.ok(!RAW.some((c) => list.stdout.includes(c)), 'no raw control character reaches the terminal');
    assert.match(list.stdout, /agent-a .*\\u001b\[2J\\u001b\[Hall good\\u202e\\u009b31m/);
    const json = await plantgate(['admin', 'agent', 'list', '--json'], operatorEnv);
    assert.ok(!RAW.some((c) => json.stdout.includes(c)));
    assert.equal(JSON.parse(json.stdout)[0].status.lastError, lastError, 'JSON output is JSON with the same value');
  });

  it('item 17: exit codes 2/3/4/6 and errors as JSON under --json', async () => {
    const usage = await plantgate(['vpn', 'prefer', '--plant', 'Park A', '--json'], aliceEnv);
    assert.equal(usage.code, 2);
    assert.equal(JSON.parse(usage.stdout).error.code, 'usage');
    assert.match(JSON.parse(usage.stdout).error.message, /--subnet/);
    const notLoggedIn = await plantgate(['vpn', 'routes', '--json'], { PLANTGATE_CONFIG_DIR: join(work, 'nobody') });
    assert.equal(notLoggedIn.code, 3);
    assert.equal(JSON.parse(notLoggedIn.stdout).error.code, 'auth');
    const missing = await plantgate(['vpn', 'prefer', '--plant', 'Nowhere', '--subnet', '192.168.1.0/24', '--json'], aliceEnv);
    assert.equal(missing.code, 4);
    assert.deepEqual(
      (({ code, status, exitCode }) => ({ code, status, exitCode }))(JSON.parse(missing.stdout).error),
      { code: 'not-found', status: 404, exitCode: 4 },
    );
    const down = await plantgate(['whoami', '--json'], { PLANTGATE_CONFIG_DIR: join(work, 'nobody'), PLANTGATE_SERVER: deadUrl, PLANTGATE_TOKEN: 'pgt_x_y' });
    assert.equal(down.code, 6);
    assert.equal(JSON.parse(down.stdout).error.code, 'unreachable');
  });

  it('item 17: a control plane that does not answer ends after --timeout with a clear message', async () => {
    const started = Date.now();
    const hung = await plantgate(['whoami', '--timeout', '1'], { PLANTGATE_CONFIG_DIR: join(work, 'nobody'), PLANTGATE_SERVER: forgedUrl, PLANTGATE_TOKEN: 'pgt_x_y' });
    assert.equal(hung.code, 6, hung.stderr);
    assert.match(hung.stderr, /no answer from the control plane at http:\/\/127\.0\.0\.1:\d+ within 1 s \(GET \/me\); raise it with --timeout SECONDS/);
    assert.ok(Date.now() - started < 15_000);
  });

  it('item 17: login asks for the password (and a second-factor code) without echo and takes the server from PLANTGATE_SERVER', async () => {
    const env = { ...process.env, PLANTGATE_CONFIG_DIR: join(work, 'bob'), PLANTGATE_SERVER: server.url };
    const result = await new Promise<{ output: string; code: number }>((resolve, reject) =>
      execFile(
        'python3',
        [join(import.meta.dirname, 'pty-run.py'), JSON.stringify([process.execPath, BIN, 'login', '--email', 'bob@solarco.example']), 'password for', 'bob-password'],
        { env, timeout: 60_000 },
        (e, out) => (e ? reject(e) : resolve(JSON.parse(out))),
      ),
    );
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /password for bob@solarco\.example: /);
    assert.match(result.output, /logged in as bob@solarco\.example/);
    assert.ok(!result.output.includes('bob-password'), `the password was echoed:\n${result.output}`);
    assert.match((await plantgate(['whoami'], { PLANTGATE_CONFIG_DIR: join(work, 'bob') })).stdout, /bob@solarco\.example/);
    // A second factor is on: the code is asked for the same way.
    const carolEnv = { PLANTGATE_CONFIG_DIR: join(work, 'carol') };
    assert.equal((await plantgate(['login', '--server', server.url, '--email', 'carol@windserv.example', '--password-stdin'], carolEnv, 'carol-password\n')).code, 0);
    const { secret } = JSON.parse((await plantgate(['totp', 'enable', '--json'], carolEnv)).stdout) as { secret: string };
    assert.equal((await plantgate(['totp', 'confirm', await generate({ secret })], carolEnv)).code, 0);
    const nextCode = await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    const withTotp = await new Promise<{ output: string; code: number }>((resolve, reject) =>
      execFile(
        'python3',
        [join(import.meta.dirname, 'pty-run.py'), JSON.stringify([process.execPath, BIN, 'login', '--email', 'carol@windserv.example']), 'password for', 'carol-password', 'code from your authenticator', nextCode],
        { env: { ...process.env, ...carolEnv, PLANTGATE_SERVER: server.url }, timeout: 60_000 },
        (e, out) => (e ? reject(e) : resolve(JSON.parse(out))),
      ),
    );
    assert.equal(withTotp.code, 0, withTotp.output);
    assert.match(withTotp.output, /logged in as carol@windserv\.example/);
    assert.ok(!withTotp.output.includes('carol-password') && !withTotp.output.includes(nextCode), withTotp.output);
    const noTty = await plantgate(['login', '--email', 'bob@solarco.example'], { PLANTGATE_CONFIG_DIR: join(work, 'bob'), PLANTGATE_SERVER: server.url }, '');
    assert.equal(noTty.code, 2);
    assert.match(noTty.stderr, /--password-stdin/);
  });

  it('item 17: answers typed ahead in one go reach the next prompt (password change: three prompts on a pseudo-terminal)', async () => {
    const env = { ...process.env, PLANTGATE_CONFIG_DIR: join(work, 'gus'), PLANTGATE_SERVER: server.url };
    const typed = ['gus-password', 'gus-new-password-2026', 'gus-new-password-2026'].join('\r');
    const result = await new Promise<{ output: string; code: number }>((resolve, reject) =>
      execFile(
        'python3',
        [join(import.meta.dirname, 'pty-run.py'), JSON.stringify([process.execPath, BIN, 'password', 'change', '--email', 'gus@solarco.example']), 'current (or one-time) password', typed],
        { env, timeout: 60_000 },
        (e, out) => (e ? reject(e) : resolve(JSON.parse(out))),
      ),
    );
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /password changed/);
    assert.ok(!result.output.includes('gus-new-password-2026'), result.output);
    const login = await plantgate(['login', '--email', 'gus@solarco.example', '--password-stdin'], { PLANTGATE_CONFIG_DIR: join(work, 'gus'), PLANTGATE_SERVER: server.url }, 'gus-new-password-2026\n');
    assert.equal(login.code, 0, login.stderr);
  });
});

describe('issue 7 item 3: a daemon takes its enrolment token from a file or the environment, not its command line', () => {
  const work = mkdtempSync(join(tmpdir(), 'plantgate-enrol-token-'));
  let forged: Server;
  let url = '';
  const held: Array<{ token: string; refuse: () => void }> = [];
  before(async () => {
    // A control plane that holds each enrolment request until the test has looked at the daemon, then refuses it:
    // the daemon stops before it touches any interface or table.
    forged = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () =>
        held.push({
          token: (JSON.parse(body || '{}') as { token?: string }).token ?? '',
          refuse: () => {
            res.writeHead(401, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ error: { code: 'unauthorized', message: 'invalid enrolment token' } }));
          },
        }),
      );
    });
    await new Promise<void>((r) => forged.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(forged.address() as AddressInfo).port}`;
  });
  after(async () => {
    forged.closeAllConnections();
    await new Promise((r) => forged.close(r));
    rmSync(work, { recursive: true, force: true });
  });

  const TOKEN = 'pge_enrolTokenForTheTest_0123456789';
  const runAgent = async (extraArgs: string[], env: NodeJS.ProcessEnv) => {
    const stateDir = mkdtempSync(join(work, 'state-'));
    const child = spawn(
      process.execPath,
      [BIN, 'agent', '--server', url, '--lan-interface', 'lo', '--state-dir', stateDir, '--metrics-listen', '127.0.0.1:0', ...extraArgs],
      { env: { ...process.env, PLANTGATE_ENROL_TOKEN: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number>((r) => child.once('exit', (code) => r(code ?? -1)));
    const deadline = Date.now() + 30_000;
    while (held.length === 0 && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    const request = held.shift();
    assert.ok(request, `the agent never asked to enrol: ${stderr}`);
    const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
    request.refuse();
    const code = await exited;
    return { sentToken: request.token, cmdline, code, stderr };
  };

  it('--token-file FILE: the token reaches the control plane, never the process list', async () => {
    const file = join(work, 'agent-enrol.token');
    writeFileSync(file, `${TOKEN}\n`, { mode: 0o600 });
    const r = await runAgent(['--token-file', file], {});
    assert.equal(r.sentToken, TOKEN);
    assert.ok(!r.cmdline.includes(TOKEN), 'token not in /proc/PID/cmdline');
    assert.doesNotMatch(r.stderr, /warning/);
    assert.equal(r.code, 1, 'refused enrolment stops the daemon');
  });

  it('PLANTGATE_ENROL_TOKEN: the same, from the environment', async () => {
    const r = await runAgent([], { PLANTGATE_ENROL_TOKEN: TOKEN });
    assert.equal(r.sentToken, TOKEN);
    assert.ok(!r.cmdline.includes(TOKEN));
  });

  it('--token still works, and warns that the token is in the process list (where it is)', async () => {
    const r = await runAgent(['--token', TOKEN], {});
    assert.equal(r.sentToken, TOKEN);
    assert.ok(r.cmdline.includes(TOKEN), 'this is the exposure the warning is about');
    assert.match(r.stderr, /warning: --token puts the enrolment token on the command line, where other local users can read it/);
  });
});

describe('issue 7 item 17: help, completion and start-up of the real binary', () => {
  it('--help documents the exit codes', async () => {
    const help = await plantgate(['--help'], {});
    assert.equal(help.code, 0);
    for (const line of ['Exit codes:', '2  usage', '3  auth', '4  not found', '5  conflict', '6  control plane unreachable']) assert.ok(help.stdout.includes(line), line);
    assert.match(help.stdout, /--timeout <seconds>/);
  });

  it('completion bash completes commands and flags from the real command tree', async () => {
    const script = (await plantgate(['completion', 'bash'], {})).stdout;
    const complete = (words: string[]) =>
      new Promise<string>((resolve, reject) =>
        execFile(
          'bash',
          ['-c', `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _plantgate; echo "\${COMPREPLY[*]}"`],
          (e, out) => (e ? reject(e) : resolve(out.trim())),
        ),
      );
    assert.deepEqual((await complete(['plantgate', 'vpn', 'r'])).split(' ').sort(), ['refresh', 'revoke', 'rotate', 'route', 'routes']);
    assert.deepEqual((await complete(['plantgate', 'vpn', 'rotate', '--f'])).split(' '), ['--force']);
    assert.match(await complete(['plantgate', 'admin', 'g']), /^gateway$/);
    assert.match((await plantgate(['completion', 'zsh'], {})).stdout, /^#compdef plantgate\n.*bashcompinit/);
    assert.equal((await plantgate(['completion', 'fish'], {})).code, 2);
  });

  it('--version loads no command module, no zod and no server or daemon code (lazy loading)', async () => {
    const loaded = async (args: string[]) => {
      const r = await plantgate(args, { PLANTGATE_CONFIG_DIR: '/nonexistent' }, undefined, ['--import', join(import.meta.dirname, 'record-loaded-modules.ts')]);
      return JSON.parse(/^LOADED (.*)$/m.exec(r.stderr)?.[1] ?? '[]') as string[];
    };
    const version = await loaded(['--version']);
    assert.ok(version.some((u) => u.endsWith('/src/cli/main.ts')), 'the recorder works');
    assert.deepEqual(version.filter((u) => /\/src\/cli\/commands\/|\/node_modules\/zod\/|\/src\/(server|daemon|gateway|agent)\//.test(u)), []);
    const routes = await loaded(['vpn', 'routes']);
    assert.ok(routes.some((u) => u.endsWith('/src/cli/commands/vpn.ts')));
    assert.deepEqual(routes.filter((u) => /\/src\/(server|daemon|gateway|agent)\/|\/node_modules\/(hono|kysely|pg|@node-rs)\//.test(u)), []);
  });
});
