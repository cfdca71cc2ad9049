import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { baseFleet } from '../api/fleet-fixture.ts';
import { http, login, OPERATOR, startTestServer } from '../support/server.ts';
import { BIN, plantgate, type Run } from './support.ts';

/**
 * Issue 8, organization self-service from the command line: the real `plantgate`
 * binary against a real control plane (temporary SQLite database). An Admin invites,
 * the invitee accepts on a terminal (nothing secret echoed), the Admin grants a job role
 * and the new member's routes follow; a Moderator is refused what only an Admin may do;
 * removing a subnet with devices behind it asks for --yes first (SPEC D8).
 */
describe('plantgate org and invitation accept against a real control plane', () => {
  const work = mkdtempSync(join(tmpdir(), 'plantgate-cli-org-'));
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const env = (who: string) => ({ PLANTGATE_CONFIG_DIR: join(work, who), PLANTGATE_SERVER: undefined, PLANTGATE_TOKEN: undefined });
  const as = (who: string, args: string[], input?: string): Promise<Run> => plantgate(args, env(who), input);

  before(async () => {
    server = await startTestServer();
    const fleet = baseFleet();
    fleet.users.push({ email: 'mo@solarco.example', name: 'Mo', password: 'mo-password' });
    fleet.organizations[0]?.members.push({ email: 'mo@solarco.example', role: 'moderator' });
    // WindServ's Admin assigns its own members' job roles within the cooperation.
    (fleet.organizations[1]?.members[0] as { role: string }).role = 'admin';
    const operator = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    const applied = await operator.post('/api/v1/admin/fleet', { document: fleet, dryRun: false, prune: false, force: false });
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
    for (const [who, email, password] of [
      ['alice', 'alice@solarco.example', 'alice-password'],
      ['mo', 'mo@solarco.example', 'mo-password'],
      ['carol', 'carol@windserv.example', 'carol-password'],
    ] as const) {
      const r = await as(who, ['login', '--server', server.url, '--email', email, '--password-stdin'], `${password}\n`);
      assert.equal(r.code, 0, r.stderr);
    }
  });

  after(async () => {
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('issue 8: an Admin invites, the new user accepts on a terminal, the Admin grants Operator and the member\u2019s vpn routes show the plant', async () => {
    const invited = await as('alice', ['org', 'invite', 'SolarCo', 'dora@example.test', '--role', 'member']);
    assert.equal(invited.code, 0, invited.stderr);
    assert.match(invited.stdout, /shown only now/);
    const link = /^(http:\/\/\S+\/invite#pgi_\S+)$/m.exec(invited.stdout)?.[1] as string;
    assert.ok(link, invited.stdout);
    assert.ok(link.startsWith(server.url), 'the link leads to the control plane that issued it');

    // The new user: link, name, password twice; the link and the password are not echoed.
    const accepted = await onTerminal(
      ['invitation', 'accept'],
      { ...process.env, ...env('dora') },
      ['invitation link', link, 'your name', 'Dora Example', 'choose a password', 'dora-password-2026', 'the same password again', 'dora-password-2026'],
    );
    assert.equal(accepted.code, 0, accepted.output);
    assert.match(accepted.output, /invitation to join SolarCo as member, for dora@example\.test/);
    assert.match(accepted.output, /dora@example\.test joined SolarCo as member \(account created\)/);
    assert.ok(!accepted.output.includes('dora-password-2026'), `the password was echoed:\n${accepted.output}`);
    assert.ok(!accepted.output.includes(link.split('#')[1] as string), `the token was echoed:\n${accepted.output}`);
    const reused = await plantgate(['invitation', 'accept', '--password-stdin', '--name', 'X'], { ...env('eve'), PLANTGATE_INVITATION: link }, 'eve-password-2026\n');
    assert.equal(reused.code, 4, 'a used link is refused (not found)');
    assert.match(reused.stderr, /not valid/);

    const doraLogin = await as('dora', ['login', '--server', server.url, '--email', 'dora@example.test', '--password-stdin'], 'dora-password-2026\n');
    assert.equal(doraLogin.code, 0, doraLogin.stderr);
    assert.doesNotMatch((await as('dora', ['vpn', 'routes'])).stdout, /Park C/, 'no job role yet: no route');

    const granted = await as('alice', ['org', 'grant', 'SolarCo', 'dora@example.test', 'Operator', '--plant', 'Park C']);
    assert.equal(granted.code, 0, granted.stderr);
    assert.match(granted.stdout, /dora@example\.test/);
    assert.match(granted.stdout, /^\+ job role operator for dora@example\.test on plant Park C \(SolarCo\)\n1 change applied \(revision \d+\)$/m);
    const routes = await as('dora', ['vpn', 'routes']);
    assert.equal(routes.code, 0, routes.stderr);
    assert.match(routes.stdout, /Park C\s+10\.30\.0\.0\/24\s+100\.80\.\d+\.0\/24/);

    const members = JSON.parse((await as('alice', ['org', 'members', 'SolarCo', '--json'])).stdout) as Array<{ email: string; role: string }>;
    assert.equal(members.find((m) => m.email === 'dora@example.test')?.role, 'member');
    assert.match((await as('alice', ['org', 'invitations', 'SolarCo'])).stdout, /dora@example\.test +member +accepted/);
  });

  it('issue 8: an existing account accepts with its own password (a wrong one is refused, exit 3); no account is created', async () => {
    const invited = await as('carol', ['org', 'invite', 'WindServ', 'bob@solarco.example', '--role', 'member']);
    assert.equal(invited.code, 0, invited.stderr);
    const link = /^(http:\/\/\S+\/invite#pgi_\S+)$/m.exec(invited.stdout)?.[1] as string;
    const wrong = await plantgate(['invitation', 'accept', '--password-stdin'], { ...env('bob'), PLANTGATE_INVITATION: link }, 'not-bobs-password\n');
    assert.equal(wrong.code, 3, wrong.stderr);
    const accepted = await plantgate(['invitation', 'accept', '--password-stdin', '--json'], { ...env('bob'), PLANTGATE_INVITATION: link }, 'bob-password\n');
    assert.equal(accepted.code, 0, accepted.stderr);
    const result = JSON.parse(accepted.stdout) as { organization: { name: string }; role: string; accountCreated: boolean };
    assert.deepEqual([result.organization.name, result.role, result.accountCreated], ['WindServ', 'member', false]);
    assert.match(accepted.stderr, /bob@solarco\.example has an account: its password confirms that it is yours/);
  });

  it('P4 cooperation: the owner shares a plant, the partner’s Admin grants Operator within it, explain says why, ending it takes the routes away', async () => {
    const [cooperation] = JSON.parse((await as('alice', ['org', 'cooperations', 'SolarCo', '--json'])).stdout) as Array<{ id: string; partner: { name: string } }>;
    assert.equal(cooperation?.partner.name, 'WindServ');
    const id = cooperation?.id as string;
    const shared = await as('alice', ['org', 'cooperation', 'share', 'SolarCo', id, '--plant', 'Park A', '--plant', 'Park C']);
    assert.equal(shared.code, 0, shared.stderr);
    assert.match(shared.stdout, /Park C/);
    assert.doesNotMatch((await as('carol', ['vpn', 'routes'])).stdout, /Park C/);
    const granted = await as('carol', ['org', 'cooperation', 'grant', 'WindServ', id, 'carol@windserv.example', 'operator', '--plant', 'Park C']);
    assert.equal(granted.code, 0, granted.stderr);
    assert.match((await as('carol', ['vpn', 'routes'])).stdout, /Park C\s+10\.30\.0\.0\/24/);
    const explained = await as('alice', ['org', 'explain', 'SolarCo', '--user', 'carol@windserv.example', '--plant', 'Park C']);
    assert.equal(explained.code, 0, explained.stderr);
    assert.match(explained.stdout, /^carol@windserv\.example reaches Park C \(SolarCo\) through a cooperation$/m);
    assert.match(explained.stdout, /^ {2}\u2713 /m);
    assert.match(explained.stdout, /10\.30\.0\.0\/24 +100\.80\.\d+\.0\/24/);
    // The partner may not change what the owner shares: WindServ owns no such cooperation.
    const partnerShares = await as('carol', ['org', 'cooperation', 'share', 'WindServ', id, '--plant', 'Park B']);
    assert.equal(partnerShares.code, 4, partnerShares.stderr);
    assert.match(partnerShares.stderr, /no active cooperation/);
    const ended = await as('alice', ['org', 'cooperation', 'end', 'SolarCo', id]);
    assert.equal(ended.code, 0, ended.stderr);
    assert.doesNotMatch((await as('carol', ['vpn', 'routes'])).stdout, /Park [AC]/);
  });

  it('S2: a Moderator\u2019s org set-role is refused with the server\u2019s 403 message and exit code 3; org show does not offer it', async () => {
    const refused = await as('mo', ['org', 'set-role', 'SolarCo', 'bob@solarco.example', 'admin']);
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(refused.stderr, /^error: .*[Aa]dmin/);
    const json = await as('mo', ['org', 'set-role', 'SolarCo', 'bob@solarco.example', 'admin', '--json']);
    assert.equal(JSON.parse(json.stdout).error.status, 403);
    const members = JSON.parse((await as('alice', ['org', 'members', 'SolarCo', '--json'])).stdout) as Array<{ email: string; role: string }>;
    assert.equal(members.find((m) => m.email === 'bob@solarco.example')?.role, 'member', 'nothing changed');
    const show = await as('mo', ['org', 'show', 'SolarCo']);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /your role: +moderator/);
    assert.match(show.stdout, /invite members/);
    assert.doesNotMatch(show.stdout, /change org roles/);
  });

  it('D8: org subnet remove with a device behind it lists the device, changes nothing and asks for --yes; with --yes it goes', async () => {
    const asked = await as('alice', ['org', 'subnet', 'remove', 'SolarCo', 'Park A', '192.168.1.0/24']);
    assert.equal(asked.code, 5, asked.stderr);
    assert.match(asked.stderr, /inverter-1 +192\.168\.1\.17 +100\.80\.\d+\.17 +inverter/);
    assert.match(asked.stderr, /re-run with --yes/);
    const still = JSON.parse((await as('alice', ['org', 'plant', 'show', 'SolarCo', 'Park A', '--json'])).stdout) as { subnets: Array<{ cidr: string }> };
    assert.deepEqual(
      still.subnets.map((s) => s.cidr),
      ['192.168.1.0/24'],
      'nothing was removed',
    );
    const removed = await as('alice', ['org', 'subnet', 'remove', 'SolarCo', 'Park A', '192.168.1.0/24', '--yes']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /192\.168\.1\.0\/24/);
    const after = JSON.parse((await as('alice', ['org', 'plant', 'show', 'SolarCo', 'Park A', '--json'])).stdout) as { subnets: unknown[] };
    assert.deepEqual(after.subnets, []);
  });
});

/** Runs plantgate on a pseudo-terminal, answering each prompt (test/cli/pty-run.py). */
function onTerminal(args: string[], env: NodeJS.ProcessEnv, answers: string[]): Promise<{ output: string; code: number }> {
  return new Promise((resolve, reject) =>
    execFile('python3', [join(import.meta.dirname, 'pty-run.py'), JSON.stringify([process.execPath, BIN, ...args]), ...answers], { env, timeout: 90_000 }, (e, out) =>
      e ? reject(e) : resolve(JSON.parse(out)),
    ),
  );
}
