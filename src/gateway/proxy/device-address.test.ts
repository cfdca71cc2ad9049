import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GatewaySite } from '../../core/wire/gateway-state.ts';
import { realDeviceAddress } from './device-address.ts';
import type { ProxyTargetEntry } from './proxy-document.ts';

const target = (mappedAddress: string): ProxyTargetEntry => ({ id: 't', host: 't-a', plantId: 'p', scheme: 'http', mappedAddress, port: 80, path: '/' });
const site: GatewaySite = {
  plantId: 'p',
  plantName: 'Plant A',
  agentPublicKey: null,
  agentTunnelIp: null,
  translations: [
    { mapped: '100.80.3.0/24', real: '192.168.1.0/24' },
    { mapped: '100.80.8.0/22', real: '10.1.4.0/22' },
  ],
};

test('O2 redirects: the real address behind a mapped one comes from the plant’s site translations', () => {
  const rows: Array<[string, string, GatewaySite | undefined, string | null]> = [
    ['host part kept in a /24', '100.80.3.10', site, '192.168.1.10'],
    ['host part kept in a /22', '100.80.9.7', site, '10.1.5.7'],
    ['an address outside every translation', '100.80.4.1', site, null],
    ['a plant without a site in the document', '100.80.3.10', undefined, null],
  ];
  for (const [name, mapped, s, expected] of rows) assert.equal(realDeviceAddress(target(mapped), s), expected, name);
});
