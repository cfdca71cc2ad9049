import { FakeNetProbe } from './fake-net-probe.ts';
import { netProbeContract } from './net-probe.contract.ts';

netProbeContract('FakeNetProbe', async () => {
  const probe = new FakeNetProbe();
  probe.pingable.add('10.0.0.5');
  probe.open.add('10.0.0.5:502');
  return { probe, address: '10.0.0.5', openPort: 502, closedPort: 503, unknownName: 'nowhere.invalid', teardown: async () => {} };
});
