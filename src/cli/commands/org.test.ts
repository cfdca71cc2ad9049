import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type StubControlPlane, stubControlPlane } from '../testing/stub-control-plane.ts';

// What each `plantgate org …` command line sends and prints, against a stand-in control
// plane (the real server: test/cli/org.test.ts).

const CHANGE = { changes: ['+ something'], revision: 12 };
const SUMMARY = { id: 'o1', name: 'Solar Co', myRole: 'moderator', members: 3, plants: 2, portfolios: 1, cooperationsOwned: 0, cooperationsAsPartner: 1 };
const PLANT = {
  id: 'p1',
  name: 'Park A',
  organization: { id: 'o1', name: 'Solar Co' },
  subnets: [
    { id: 's1', cidr: '192.168.1.0/24', mapped: '100.80.3.0/24', devices: 2 },
    { id: 's2', cidr: '10.5.0.0/24', mapped: '100.80.4.0/24', devices: 0 },
  ],
  devices: 2,
  portfolios: [],
  agent: null,
  devicesList: [
    { id: 'd1', name: 'inverter-1', ip: '192.168.1.17', kind: 'inverter', ports: [80], mappedIp: '100.80.3.17', subnet: '192.168.1.0/24' },
    { id: 'd2', name: 'logger', ip: '192.168.1.30', kind: 'logger', ports: [], mappedIp: '100.80.3.30', subnet: '192.168.1.0/24' },
  ],
  sharedWith: [],
};

describe('plantgate org: command lines → requests and output', () => {
  let stub: StubControlPlane;
  const work = mkdtempSync(join(tmpdir(), 'plantgate-org-cli-'));
  before(async () => {
    stub = await stubControlPlane();
  });
  after(async () => {
    await stub.close();
    rmSync(work, { recursive: true, force: true });
  });
  const last = () => stub.requests.at(-1);

  it('org list: a table, or the answer with --json', async () => {
    stub.answer('GET /orgs', { body: [SUMMARY] });
    const table = await stub.run(['org', 'list']);
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /Solar Co +moderator +3 +2 +1 +0\/1/);
    assert.deepEqual(JSON.parse((await stub.run(['org', 'list', '--json'])).out), [SUMMARY]);
  });

  it('org show: the summary and what the caller may do (moderator: invite, not set roles)', async () => {
    stub.answer('GET /orgs/Solar%20Co', { body: SUMMARY });
    stub.answer('GET /me', { body: { id: 'u1', email: 'mo@solarco.example', name: 'Mo', platformOperator: false } });
    const r = await stub.run(['org', 'show', 'Solar Co']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /invite members/);
    assert.doesNotMatch(r.out, /change org roles/);
  });

  it('org invite: sends email and role, prints the link once with "shown only now"', async () => {
    stub.answer('POST /orgs/SolarCo/invitations', (req) => ({
      body: { id: 'i1', ...(req.body as object), invitedBy: 'mo@solarco.example', createdAt: '2026-11-30T12:00:00Z', expiresAt: '2026-12-07T12:00:00Z', status: 'pending', token: 'pgi_tok', link: 'http://cp.test/invite#pgi_tok' },
    }));
    const r = await stub.run(['org', 'invite', 'SolarCo', 'dora@example.test', '--role', 'Member']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(last()?.body, { email: 'dora@example.test', role: 'member' });
    assert.equal(r.out.split('http://cp.test/invite#pgi_tok').length, 2, 'the link appears exactly once');
    assert.match(r.out, /shown only now/);
  });

  it('org invite: a bad email or role is refused before anything is sent (exit 2)', async () => {
    const count = stub.requests.length;
    const email = await stub.run(['org', 'invite', 'SolarCo', 'dora', '--role', 'member']);
    assert.equal(email.code, 2);
    assert.match(email.err, /EMAIL: must be an email address/);
    const role = await stub.run(['org', 'invite', 'SolarCo', 'dora@example.test', '--role', 'owner']);
    assert.equal(role.code, 2);
    assert.match(role.err, /must be one of admin, moderator, member, guest/);
    assert.equal(stub.requests.length, count);
  });

  it('org set-role refused by the server (403): its message and exit code 3; with --json the error as JSON', async () => {
    const refusal = { status: 403, body: { error: { code: 'forbidden', message: 'changing org roles needs the Admin role in Solar Co' } } };
    stub.answer('PUT /orgs/SolarCo/members/bob%40solarco.example', refusal);
    const r = await stub.run(['org', 'set-role', 'SolarCo', 'bob@solarco.example', 'admin']);
    assert.equal(r.code, 3);
    assert.equal(r.err, 'error: changing org roles needs the Admin role in Solar Co');
    assert.deepEqual(last()?.body, { role: 'admin' });
    const json = await stub.run(['org', 'set-role', 'SolarCo', 'bob@solarco.example', 'admin', '--json']);
    assert.equal(json.code, 3);
    assert.deepEqual(JSON.parse(json.out).error, { code: 'auth', message: 'changing org roles needs the Admin role in Solar Co', exitCode: 3, status: 403, serverCode: 'forbidden' });
  });

  it('org plant add: every --subnet, then the change lines and the revision', async () => {
    stub.answer('POST /orgs/SolarCo/plants', { body: { changes: ['+ plant Park C (SolarCo)', '+ subnet 10.1.0.0/24 of plant Park C (SolarCo) → mapped 100.80.9.0/24'], revision: 13 } });
    const r = await stub.run(['org', 'plant', 'add', 'SolarCo', 'Park C', '--subnet', '10.1.0.0/24', '--subnet', '10.2.0.0/24']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(last()?.body, { name: 'Park C', subnets: ['10.1.0.0/24', '10.2.0.0/24'] });
    assert.equal(r.out, '+ plant Park C (SolarCo)\n+ subnet 10.1.0.0/24 of plant Park C (SolarCo) → mapped 100.80.9.0/24\n2 changes applied (revision 13)');
  });

  it('org plant show: by name, subnets with mapped prefixes and devices with mapped addresses', async () => {
    stub.answer('GET /orgs/SolarCo/plants/Park%20A', { body: PLANT });
    const r = await stub.run(['org', 'plant', 'show', 'SolarCo', 'Park A']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /inverter-1 +192\.168\.1\.17 +100\.80\.3\.17/);
    assert.match(r.out, /agent: +none enrolled/);
  });

  it('D8: org subnet remove with devices behind it lists them, changes nothing and asks for --yes (exit 5); --yes confirms', async () => {
    stub.answer('GET /orgs/SolarCo/plants/Park%20A', { body: PLANT });
    stub.answer('DELETE /orgs/SolarCo/plants/Park%20A/subnets/192.168.1.0%2F24', {
      status: 409,
      body: { error: { code: 'subnet-has-devices', message: 'confirm: subnet 192.168.1.0/24 of plant Park A has 2 device(s) behind it: inverter-1, logger; they are removed with it: confirm with confirm=true', field: 'confirm' } },
    });
    const r = await stub.run(['org', 'subnet', 'remove', 'SolarCo', 'Park A', '192.168.1.0/24']);
    assert.equal(r.code, 5);
    assert.match(r.err, /subnet 192\.168\.1\.0\/24 of Park A has 2 devices behind it; they are removed with it/);
    assert.match(r.err, /inverter-1 +192\.168\.1\.17 +100\.80\.3\.17 +inverter/);
    assert.match(r.err, /logger +192\.168\.1\.30/);
    assert.match(r.err, /re-run with --yes/);
    stub.answer('DELETE /orgs/SolarCo/plants/Park%20A/subnets/192.168.1.0%2F24?confirm=true', { body: CHANGE });
    const yes = await stub.run(['org', 'subnet', 'remove', 'SolarCo', 'Park A', '192.168.1.0/24', '--yes']);
    assert.equal(yes.code, 0, yes.err);
  });

  it('org plant remove with an enrolled agent says --force; --force sends it', async () => {
    stub.answer('DELETE /orgs/SolarCo/plants/Park%20A', { status: 409, body: { error: { code: 'plant-has-agent', message: 'Park A has an enrolled agent' } } });
    const r = await stub.run(['org', 'plant', 'remove', 'SolarCo', 'Park A']);
    assert.equal(r.code, 5);
    assert.match(r.err, /re-run with --force/);
    stub.answer('DELETE /orgs/SolarCo/plants/Park%20A?force=true', { body: CHANGE });
    assert.equal((await stub.run(['org', 'plant', 'remove', 'SolarCo', 'Park A', '--force'])).code, 0);
  });

  it('org device add: ip, kind and every --port; a bad port is refused (exit 2)', async () => {
    stub.answer('POST /orgs/SolarCo/plants/Park%20A/devices', { body: CHANGE });
    const r = await stub.run(['org', 'device', 'add', 'SolarCo', 'Park A', 'meter', '--ip', '192.168.1.40', '--kind', 'meter', '--port', '80', '--port', '502']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(last()?.body, { name: 'meter', ip: '192.168.1.40', kind: 'meter', ports: [80, 502] });
    const bad = await stub.run(['org', 'device', 'add', 'SolarCo', 'Park A', 'meter', '--ip', '192.168.1.40', '--port', '70000']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /is not a port/);
  });

  it('org device set: what is not given stays (PUT replaces the whole device)', async () => {
    stub.answer('GET /orgs/SolarCo/plants/Park%20A', { body: PLANT });
    stub.answer('PUT /orgs/SolarCo/plants/Park%20A/devices/d1', { body: CHANGE });
    const r = await stub.run(['org', 'device', 'set', 'SolarCo', 'Park A', 'inverter-1', '--ip', '192.168.1.18']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(last()?.body, { name: 'inverter-1', ip: '192.168.1.18', kind: 'inverter', ports: [80] });
    await stub.run(['org', 'device', 'set', 'SolarCo', 'Park A', 'inverter-1', '--no-ports', '--rename', 'inv-1']);
    assert.deepEqual(last()?.body, { name: 'inv-1', ip: '192.168.1.17', kind: 'inverter', ports: [] });
    const missing = await stub.run(['org', 'device', 'set', 'SolarCo', 'Park A', 'nothing', '--kind', 'x']);
    assert.equal(missing.code, 4);
    assert.match(missing.err, /no device "nothing" in Park A/);
  });

  it('org portfolio set --rename keeps the plants it has (PUT replaces the whole portfolio)', async () => {
    stub.answer('GET /orgs/SolarCo/portfolios', { body: [{ id: 'f1', name: 'North', plants: [{ id: 'p1', name: 'Park A' }, { id: 'p2', name: 'Park B' }] }] });
    stub.answer('PUT /orgs/SolarCo/portfolios/North', { body: CHANGE });
    const r = await stub.run(['org', 'portfolio', 'set', 'SolarCo', 'North', '--rename', 'Nord']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(last()?.body, { name: 'Nord', plants: ['p1', 'p2'] });
    await stub.run(['org', 'portfolio', 'set', 'SolarCo', 'North', '--plant', 'Park C']);
    assert.deepEqual(last()?.body, { name: 'North', plants: ['Park C'] });
    assert.equal((await stub.run(['org', 'portfolio', 'set', 'SolarCo', 'North'])).code, 2, 'nothing to change');
  });

  it('org grant: role words as people type them, on a portfolio; without a target exit 2', async () => {
    stub.answer('POST /orgs/SolarCo/job-roles', { body: CHANGE });
    const r = await stub.run(['org', 'grant', 'SolarCo', 'bob@solarco.example', 'Technical Manager', '--portfolio', 'North']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(last()?.body, { user: 'bob@solarco.example', role: 'technical-manager', portfolio: 'North' });
    const none = await stub.run(['org', 'grant', 'SolarCo', 'bob@solarco.example', 'operator']);
    assert.equal(none.code, 2);
    assert.match(none.err, /give --plant PLANT or --portfolio PORTFOLIO/);
  });

  it('org cooperation: offer, share (needs something to share), grant as the partner, --ended', async () => {
    stub.answer('POST /orgs/SolarCo/cooperations', { body: CHANGE });
    await stub.run(['org', 'cooperation', 'offer', 'SolarCo', 'WindServ', '--plant', 'Park A', '--portfolio', 'North']);
    assert.deepEqual(last()?.body, { partner: 'WindServ', plants: ['Park A'], portfolios: ['North'] });
    assert.equal((await stub.run(['org', 'cooperation', 'share', 'SolarCo', 'c1'])).code, 2);
    stub.answer('POST /orgs/WindServ/cooperations/c1/job-roles', { body: CHANGE });
    const grant = await stub.run(['org', 'cooperation', 'grant', 'WindServ', 'c1', 'carol@windserv.example', 'operator', '--plant', 'Park A']);
    assert.equal(grant.code, 0, grant.err);
    assert.deepEqual(last()?.body, { user: 'carol@windserv.example', role: 'operator', plant: 'Park A' });
    stub.answer('GET /orgs/SolarCo/cooperations?ended=true', { body: [] });
    assert.equal((await stub.run(['org', 'cooperations', 'SolarCo', '--ended'])).out, 'no cooperations');
  });

  it('org explain and org events: flags become the query; a bad --since is refused before sending', async () => {
    stub.answer('GET /orgs/SolarCo/explain?user=bob%40solarco.example&plant=Park+A', {
      body: { user: { id: 'u2', email: 'bob@solarco.example', name: 'Bob' }, plant: { id: 'p1', name: 'Park A', organization: { id: 'o1', name: 'SolarCo' } }, reaches: true, via: 'own', decisive: 'granted: operator', steps: [{ ok: true, text: 'Operator on Park A' }], routes: [], hasActiveProfile: true },
    });
    const explain = await stub.run(['org', 'explain', 'SolarCo', '--user', 'bob@solarco.example', '--plant', 'Park A']);
    assert.equal(explain.code, 0, explain.err);
    assert.match(explain.out, /reaches Park A \(SolarCo\) through own organization\n.*\n\n {2}✓ Operator on Park A/);
    const count = stub.requests.length;
    const bad = await stub.run(['org', 'events', 'SolarCo', '--since', 'yesterday']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--since: must be an ISO 8601 time/);
    assert.equal(stub.requests.length, count);
    stub.answer('GET /orgs/SolarCo/events?kind=org.job-role&before=5&limit=10', { body: { events: [], nextBefore: null } });
    assert.equal((await stub.run(['org', 'events', 'SolarCo', '--kind', 'org.job-role', '--limit', '10', '--before', '5'])).out, 'no events');
  });

  it('invitation accept: the link\u2019s control plane is asked (no --server, no login); a bad link is refused naming where it came from', async () => {
    const token = 'pgi_AbCdEfGhIjKlMnOpQrStUvWxYz0123';
    stub.answer('POST /invitations/lookup', { body: { organization: 'Solar Co', email: 'dora@example.test', role: 'member', expiresAt: '2026-12-07T12:00:00Z', accountExists: false } });
    const file = join(work, 'invite.txt');
    writeFileSync(file, `${stub.url}/invite#${token}\n`, { mode: 0o600 });
    const r = await stub.run(['invitation', 'accept', '--token-file', file], { PLANTGATE_SERVER: undefined });
    assert.deepEqual(last()?.body, { token });
    assert.match(r.out, /invitation to join Solar Co as member, for dora@example\.test/);
    // No terminal here to ask for the new account's password.
    assert.equal(r.code, 2);
    assert.match(r.err, /--password-stdin/);
    const bad = await stub.run(['invitation', 'accept'], { PLANTGATE_INVITATION: 'https://cp.example.com/invite' });
    assert.equal(bad.code, 2);
    assert.match(bad.err, /PLANTGATE_INVITATION: is a link without an invitation token/);
  });

  it('completion knows the org commands', async () => {
    const r = await stub.run(['completion', 'bash']);
    assert.match(r.out, /"org"\) words='[^']*\bplant\b[^']*\bsubnet\b[^']*\bcooperation\b/);
    assert.match(r.out, /"org subnet remove"\) words='[^']*--yes/);
    assert.match(r.out, /"invitation accept"\) words='[^']*--token-file/);
  });
});

describe('org show names only commands that exist', () => {
  it('every command named in the permission words (org-render.ts ACTION_WORDS) is registered', async () => {
    const { Command } = await import('commander');
    const { registerOrgCommands } = await import('./org.ts');
    const { registerOrgVpnCommands } = await import('./org-vpn.ts');
    const { ACTION_WORDS } = await import('../org-render.ts');
    const program = new Command('plantgate');
    const io = { out: () => undefined, err: () => undefined, env: {} };
    registerOrgCommands(program, io);
    registerOrgVpnCommands(program, io);
    const exists = (path: string[]): boolean => {
      let command = program as InstanceType<typeof Command> | undefined;
      for (const name of path) command = command?.commands.find((c) => c.name() === name);
      return command !== undefined;
    };
    let named = 0;
    for (const words of Object.values(ACTION_WORDS)) {
      const commands = /\(([^)]*)\)$/.exec(words)?.[1];
      if (!commands) continue;
      for (const mention of commands.split(', ')) {
        const parts = mention.split(' ');
        assert.ok(parts[0] === 'org' || parts[0] === 'org-vpn', `"${words}": ${mention} is not an org or org-vpn command`);
        for (const last of (parts.at(-1) as string).split('|')) {
          named++;
          assert.ok(exists([...parts.slice(0, -1), last]), `"${words}" names ${[...parts.slice(0, -1), last].join(' ')}, which does not exist`);
        }
      }
    }
    assert.ok(named > 20, `only ${named} commands were named`);
  });
});
