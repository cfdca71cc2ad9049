import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';

/**
 * deploy/systemd/*.service (issue 7 #18): `systemd-analyze verify` accepts them (with
 * /opt/plantgate pointed at this checkout, so the ExecStart binary exists), and
 * `systemd-analyze security` rates each at least as well as its hardening promises.
 */

const ROOT = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');
const UNITS = ['plantgate-server.service', 'plantgate-gateway.service', 'plantgate-agent.service'];
const run = promisify(execFile);

describe('systemd units in deploy/systemd', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plantgate-units-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (const unit of UNITS) {
    writeFileSync(join(dir, unit), readFileSync(join(ROOT, 'deploy/systemd', unit), 'utf8').replaceAll('/opt/plantgate', ROOT));
  }
  const setting = (unit: string, key: string) =>
    [...readFileSync(join(dir, unit), 'utf8').matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((match) => match[1]);

  it('systemd-analyze verify finds nothing to complain about', async () => {
    const { stdout, stderr } = await run('systemd-analyze', ['verify', ...UNITS.map((unit) => join(dir, unit))], { timeout: 30_000 });
    assert.equal(`${stdout}${stderr}`.trim(), '');
  });

  it('the server runs without any capability as its own user; the daemons keep only CAP_NET_ADMIN', () => {
    assert.deepEqual(setting('plantgate-server.service', 'CapabilityBoundingSet'), ['']);
    assert.deepEqual(setting('plantgate-server.service', 'DynamicUser'), ['yes']);
    for (const unit of ['plantgate-gateway.service', 'plantgate-agent.service']) {
      assert.deepEqual(setting(unit, 'CapabilityBoundingSet'), ['CAP_NET_ADMIN'], unit);
      assert.ok(setting(unit, 'EnvironmentFile')[0]?.startsWith('/etc/plantgate/'), `${unit}: the enrolment token comes from an EnvironmentFile`);
      assert.doesNotMatch(setting(unit, 'ExecStart')[0] ?? '', /--token\b/, `${unit}: no token on the command line`);
    }
    for (const unit of UNITS) assert.deepEqual(setting(unit, 'ProtectSystem'), ['strict'], unit);
  });

  it('systemd-analyze security: the server rates "OK", the root daemons no worse than "MEDIUM"', async () => {
    const exposure = async (unit: string) => {
      const { stdout } = await run('systemd-analyze', ['security', '--offline=true', join(dir, unit)], { timeout: 30_000 });
      return Number(/Overall exposure level for \S+: ([\d.]+)/.exec(stdout)?.[1]);
    };
    assert.ok((await exposure('plantgate-server.service')) <= 2.0);
    for (const unit of ['plantgate-gateway.service', 'plantgate-agent.service']) assert.ok((await exposure(unit)) <= 5.5, unit);
  });
});
