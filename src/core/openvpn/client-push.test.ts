import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientPushLines } from './client-push.ts';

const base = { tunnelIp: '100.64.0.7', tunnelRange: '100.64.0.0/12', serviceTunnelIp: '100.64.0.1', mappedSpace: '100.80.0.0/12' };

describe('clientPushLines (what a connecting OpenVPN client is told, SPEC P9)', () => {
  const rows: Array<[string, string[], string[]]> = [
    [
      'P9: a user with no route still gets its tunnel IP and the mapped space (and reaches nothing: nft decides)',
      [],
      ['ifconfig-push 100.64.0.7 255.240.0.0', 'push "topology subnet"', 'push "route-gateway 100.64.0.1"', 'push "route 100.80.0.0 255.240.0.0"'],
    ],
    [
      'P5/P9: active native prefixes are pushed after the mapped space, sorted, once each',
      ['192.168.2.0/24', '10.1.0.0/16', '192.168.2.0/24'],
      [
        'ifconfig-push 100.64.0.7 255.240.0.0',
        'push "topology subnet"',
        'push "route-gateway 100.64.0.1"',
        'push "route 100.80.0.0 255.240.0.0"',
        'push "route 10.1.0.0 255.255.0.0"',
        'push "route 192.168.2.0 255.255.255.0"',
      ],
    ],
  ];
  for (const [name, native, expected] of rows) it(name, () => assert.deepEqual(clientPushLines({ ...base, native }), expected));

  it('a malformed prefix in the document throws (a bug, never a half-pushed config)', () => {
    assert.throws(() => clientPushLines({ ...base, native: ['300.1.1.0/24'] }));
  });
});
