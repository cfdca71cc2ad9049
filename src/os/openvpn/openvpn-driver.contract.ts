import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseStateLine } from '../../core/direct-vpn/openvpn-management.ts';
import type { OpenVpnDriver, OpenVpnSpec } from './openvpn-driver.ts';

export type OpenVpnContractSetup = {
  driver: OpenVpnDriver;
  /** A spec that starts (a client dialing where nothing answers: it stays connecting). */
  spec(base: string): OpenVpnSpec;
  /** Makes the next start fail (the real driver: a config with an unknown option). */
  broken(spec: OpenVpnSpec): OpenVpnSpec;
  teardown(): Promise<void>;
};

/** What every OpenVpnDriver must do; run against the fake and the real openvpn. */
export function openVpnDriverContract(name: string, setup: () => Promise<OpenVpnContractSetup>): void {
  describe(`OpenVpnDriver contract: ${name}`, { timeout: 60_000 }, () => {
    let s: OpenVpnContractSetup;
    before(async () => {
      s = await setup();
    });
    after(async () => {
      await s?.teardown();
    });

    it('starts, answers `state` with a state line and `bytecount` with SUCCESS, stops by PID', async () => {
      const instance = await s.driver.start(s.spec('a'));
      try {
        assert.ok(instance.running() && instance.pid > 0);
        const lines = await instance.command('state');
        assert.ok(lines.length >= 1 && parseStateLine(lines.at(-1) as string) !== null, JSON.stringify(lines));
        assert.match((await instance.command('bytecount 1'))[0] ?? '', /^SUCCESS:/);
      } finally {
        await instance.stop();
      }
      assert.equal(instance.running(), false);
      await instance.exited;
      await assert.rejects(instance.command('state'), /not running|closed/);
    });

    it('a command openvpn refuses rejects with its ERROR line (kill of an unknown client)', async () => {
      const instance = await s.driver.start(s.spec('b'));
      try {
        await assert.rejects(instance.command('kill nobody-here'), /ERROR/);
        // the connection still serves the next command
        assert.ok((await instance.command('state')).length >= 1);
      } finally {
        await instance.stop();
      }
    });

    it('a config openvpn cannot start is refused with the reason, and nothing keeps running', async () => {
      await assert.rejects(s.driver.start(s.broken(s.spec('c'))), /did not come up/);
      const again = await s.driver.start(s.spec('c'));
      await again.stop();
    });
  });
}
