import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStatus3 } from '../direct-vpn/openvpn-management.ts';
import type { PeerStatus } from '../wire/daemon.ts';
import { endpointOf, openVpnPeerStatuses } from './client-sessions.ts';

const HEADER =
  'HEADER\tCLIENT_LIST\tCommon Name\tReal Address\tVirtual Address\tVirtual IPv6 Address\tBytes Received\tBytes Sent\tConnected Since\tConnected Since (time_t)\tUsername\tClient ID\tPeer ID\tData Channel Cipher';
const row = (cn: string, real: string, rx: number, tx: number, since: number, id: number) =>
  `CLIENT_LIST\t${cn}\t${real}\t100.64.0.7\t\t${rx}\t${tx}\t2026-11-30 19:00:00\t${since}\tUNDEF\t${id}\t${id}\tAES-256-GCM`;
const NOW = 1_796_065_000;

describe('openVpnPeerStatuses (SPEC P7: the gateway reports its OpenVPN clients like WireGuard peers)', () => {
  const rows: Array<[string, string[], Array<{ clientId: number; serial: string }>, PeerStatus[]]> = [
    [
      'P7: an admitted client is reported by its profile peer id with its real address, bytes and connect time, seen now',
      [HEADER, row('alice', '10.201.1.2:41234', 5120, 9000, 1_796_064_000, 3), 'END'],
      [{ clientId: 3, serial: '5a1f' }],
      [{ publicKey: 'openvpn:5a1f', endpoint: '10.201.1.2:41234', latestHandshake: NOW, rxBytes: 5120, txBytes: 9000, connectedSince: 1_796_064_000 }],
    ],
    [
      'P7: a client the gateway did not admit (still in its TLS handshake, or refused) is no session',
      [HEADER, row('mallory', '10.201.1.9:5000', 10, 10, 1_796_064_900, 4), row('alice', '10.201.1.2:41234', 1, 2, 1_796_064_000, 3), 'END'],
      [{ clientId: 3, serial: '5a1f' }],
      [{ publicKey: 'openvpn:5a1f', endpoint: '10.201.1.2:41234', latestHandshake: NOW, rxBytes: 1, txBytes: 2, connectedSince: 1_796_064_000 }],
    ],
    [
      'P7: a TCP client whose address carries the protocol prefix reports HOST:PORT; the client id, not the common name, maps it',
      [HEADER, row('same name', 'tcp4-server:10.201.2.5:50000', 7, 8, 1_796_064_500, 12), 'END'],
      [{ clientId: 12, serial: 'ABCD' }],
      [{ publicKey: 'openvpn:abcd', endpoint: '10.201.2.5:50000', latestHandshake: NOW, rxBytes: 7, txBytes: 8, connectedSince: 1_796_064_500 }],
    ],
    ['no clients: no peers', [HEADER, 'END'], [{ clientId: 3, serial: '5a1f' }], []],
  ];
  for (const [name, lines, admitted, expected] of rows) {
    it(name, () => assert.deepEqual(openVpnPeerStatuses(parseStatus3(lines), admitted, NOW), expected));
  }

  const endpoints: Array<[string, string | null]> = [
    ['10.201.1.2:41234', '10.201.1.2:41234'],
    ['udp4:10.201.1.2:41234', '10.201.1.2:41234'],
    ['tcp4-server:10.201.1.2:41234', '10.201.1.2:41234'],
    ['', null],
  ];
  for (const [input, expected] of endpoints) it(`endpointOf(${JSON.stringify(input)}) is ${expected}`, () => assert.equal(endpointOf(input), expected));
});
