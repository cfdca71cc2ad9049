import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeNetProbe } from '../os/probe/fake-net-probe.ts';
import { endpointChecks } from './endpoint-checks.ts';

describe('D7 endpoint checks (shared by the tunnel runners)', () => {
  const probe = new FakeNetProbe();
  probe.names.set('router.example', ['192.0.2.1']);
  probe.names.set('tcp.example', ['192.0.2.2']);
  probe.pingable.add('192.0.2.2');
  probe.open.add('192.0.2.2:1194');
  const cases: Array<{ name: string; host: string; port: number; transport: 'udp' | 'tcp'; want: Array<[string, boolean]> }> = [
    { name: 'a name that does not resolve stops there, saying so', host: 'nowhere.example', port: 51820, transport: 'udp', want: [['endpoint-resolves', false]] },
    { name: 'resolves but silent (UDP: no port check)', host: 'router.example', port: 51820, transport: 'udp', want: [['endpoint-resolves', true], ['endpoint-reachable', false]] },
    { name: 'TCP: reachable and the port accepts', host: 'tcp.example', port: 1194, transport: 'tcp', want: [['endpoint-resolves', true], ['endpoint-reachable', true], ['endpoint-port', true]] },
    { name: 'TCP: reachable but the port is closed', host: 'tcp.example', port: 443, transport: 'tcp', want: [['endpoint-resolves', true], ['endpoint-reachable', true], ['endpoint-port', false]] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { checks } = await endpointChecks({ host: c.host, port: c.port, transport: c.transport }, probe, 1000);
      assert.deepEqual(checks.map((check) => [check.check, check.ok]), c.want);
      for (const check of checks) assert.equal(check.ok ? check.fix === null : typeof check.fix === 'string' && check.fix.length > 0, true, `${check.check}: a failed check says what to fix`);
    });
  }
});
