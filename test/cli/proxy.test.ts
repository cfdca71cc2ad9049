import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { orgFleet } from '../api/org-self-service-fixture.ts';
import { http, login, OPERATOR, startTestServer } from '../support/server.ts';
import { plantgate, type Run } from './support.ts';

/**
 * `plantgate proxy targets list|add|edit|remove` and `plantgate proxy open` (issue 12 items 1,
 * 2): the real binary against a real control plane with a proxy domain. Mona (SolarCo's
 * Moderator) manages Park A's targets; alice (Operator on Park A through North) opens them;
 * otto (another organization) is refused like for a target that does not exist.
 */
describe('plantgate proxy against a real control plane', () => {
  const work = mkdtempSync(join(tmpdir(), 'plantgate-cli-proxy-'));
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const as = (who: string) => (args: string[], input?: string): Promise<Run> => plantgate(args, { PLANTGATE_CONFIG_DIR: join(work, who), PLANTGATE_SERVER: undefined, PLANTGATE_TOKEN: undefined }, input);
  const mona = as('mona');
  const alice = as('alice');
  const otto = as('otto');

  before(async () => {
    server = await startTestServer({ proxyDomain: 'proxy.cli.test', proxyPort: 8443 });
    const operator = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    assert.equal((await operator.post('/api/v1/admin/fleet', { document: orgFleet() })).status, 200);
    for (const [run, email, password] of [[mona, 'mona@solarco.example', 'mona-password'], [alice, 'alice@solarco.example', 'alice-password'], [otto, 'otto@otherco.example', 'otto-password']] as const) {
      const r = await run(['login', '--server', server.url, '--email', email, '--password-stdin'], `${password}\n`);
      assert.equal(r.code, 0, r.stderr);
    }
  });
  after(async () => {
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('O2 item 1: targets add (by device name, by IP), list as a table and --json, edit, remove', async () => {
    const added = await mona(['proxy', 'targets', 'add', '--plant', 'Park A', '--device', 'inverter-1', '--name', 'Inverter UI', '--json']);
    assert.equal(added.code, 0, added.stderr);
    const t = JSON.parse(added.stdout);
    assert.deepEqual([t.label, t.scheme, t.port, t.path], ['Inverter UI', 'http', 80, '/']);
    const byIp = await mona(['proxy', 'targets', 'add', '--plant', 'Park A', '--device', '192.168.1.17', '--scheme', 'https', '--path', '/status']);
    assert.equal(byIp.code, 0, byIp.stderr);
    assert.match(byIp.stdout, /added web target inverter-1 \(t-[a-z0-9]{12}\) on plant Park A/);
    const table = await mona(['proxy', 'targets', 'list', '--plant', 'Park A']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^NAME\s+PLANT\s+DEVICE\s+OPENS\s+HOST\s+YOU$/m);
    assert.match(table.stdout, /^Inverter UI\s+Park A\s+inverter-1 \(192\.168\.1\.17\)\s+http:\/\/:80\/\s+t-[a-z0-9]{12}\s+manage$/m);
    assert.match(table.stdout, /^inverter-1\s+Park A\s+inverter-1 \(192\.168\.1\.17\)\s+https:\/\/:443\/status\s+t-[a-z0-9]{12}\s+manage$/m);
    const edited = await mona(['proxy', 'targets', 'edit', 'Inverter UI', '--plant', 'Park A', '--port', '8080', '--path', '/cgi-bin/', '--json']);
    assert.equal(edited.code, 0, edited.stderr);
    assert.deepEqual([JSON.parse(edited.stdout).port, JSON.parse(edited.stdout).path, JSON.parse(edited.stdout).host], [8080, '/cgi-bin/', t.host]);
    const removed = await mona(['proxy', 'targets', 'remove', 'inverter-1', '--plant', 'Park A']);
    assert.equal(removed.code, 0, removed.stderr);
    const listed = JSON.parse((await mona(['proxy', 'targets', 'list', '--plant', 'Park A', '--json'])).stdout);
    assert.deepEqual(
      listed.map((x: { label: string }) => x.label),
      ['Inverter UI'],
    );
  });

  it('O2 item 1: bad input exits with a usage error naming the option; nothing stored', async () => {
    const scheme = await mona(['proxy', 'targets', 'add', '--plant', 'Park A', '--device', 'inverter-1', '--scheme', 'ftp']);
    assert.notEqual(scheme.code, 0);
    assert.match(scheme.stderr, /--scheme: must be http or https/);
    const path = await mona(['proxy', 'targets', 'add', '--plant', 'Park A', '--device', 'inverter-1', '--path', 'status']);
    assert.match(path.stderr, /--path: must start with \//);
    const port = await mona(['proxy', 'targets', 'add', '--plant', 'Park A', '--device', 'inverter-1', '--port', '0']);
    assert.match(port.stderr, /not a port/);
    const device = await mona(['proxy', 'targets', 'add', '--plant', 'Park A', '--device', 'nope', '--json']);
    assert.notEqual(device.code, 0);
    assert.match(JSON.parse(device.stdout).error.message, /device: plant Park A has no network device "nope"/);
    assert.equal(JSON.parse((await mona(['proxy', 'targets', 'list', '--plant', 'Park A', '--json'])).stdout).length, 1);
  });

  it('O2 item 2: proxy open prints the one-time URL on the target’s own origin (by name or host); --json has url, expiries, session', async () => {
    const mine = JSON.parse((await alice(['proxy', 'targets', 'list', '--json'])).stdout);
    assert.equal(mine.length, 1);
    const opened = await alice(['proxy', 'open', 'Inverter UI']);
    assert.equal(opened.code, 0, opened.stderr);
    assert.match(opened.stdout.trim(), new RegExp(`^https://${mine[0].host}\\.proxy\\.cli\\.test:8443/\\.plantgate/grant\\?token=[A-Za-z0-9_-]{40,}$`));
    assert.match(opened.stderr, /within 30 s/);
    const json = await alice(['proxy', 'open', mine[0].host, '--json']);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(Object.keys(JSON.parse(json.stdout)).sort(), ['expiresAt', 'grantExpiresAt', 'sessionId', 'target', 'url']);
  });

  it('item 5: another organization’s user gets the not-found of a missing target, and sees no targets', async () => {
    const host = JSON.parse((await alice(['proxy', 'targets', 'list', '--json'])).stdout)[0].host;
    const refused = await otto(['proxy', 'open', host]);
    const missing = await otto(['proxy', 'open', 't-000000000000']);
    assert.notEqual(refused.code, 0);
    assert.equal(refused.code, missing.code);
    assert.equal(refused.stderr, missing.stderr);
    assert.match((await otto(['proxy', 'targets', 'list'])).stdout, /no web target you may open/);
    assert.notEqual((await otto(['proxy', 'targets', 'list', '--plant', 'Park A'])).code, 0);
  });
});
