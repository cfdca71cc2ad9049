import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endsResponse, parseNotification, parseStatus3, responseShape } from './openvpn-management.ts';

describe('OpenVPN management protocol: notifications (lines seen from openvpn 2.6.14)', () => {
  const table: Array<[string, unknown]> = [
    [
      '>STATE:1796051288,CONNECTED,SUCCESS,10.8.0.2,10.77.0.1,1194,,',
      { kind: 'state', value: { time: 1796051288, state: 'CONNECTED', detail: 'SUCCESS', localIp: '10.8.0.2', remoteIp: '10.77.0.1' } },
    ],
    ['>STATE:1796051290,RECONNECTING,tls-error,,,,,', { kind: 'state', value: { time: 1796051290, state: 'RECONNECTING', detail: 'tls-error', localIp: null, remoteIp: null } }],
    ['>STATE:1796051290,BOGUS,x', { kind: 'other', type: 'STATE', text: '1796051290,BOGUS,x' }],
    ['>BYTECOUNT:2487,2474', { kind: 'bytecount', bytesIn: 2487, bytesOut: 2474 }],
    ['>BYTECOUNT:-1,2', { kind: 'other', type: 'BYTECOUNT', text: '-1,2' }],
    ['>BYTECOUNT_CLI:3,100,200', { kind: 'bytecount-cli', clientId: 3, bytesIn: 100, bytesOut: 200 }],
    [
      ">LOG:1796051288,,PUSH: Received control message: 'PUSH_REPLY,route 0.0.0.0 0.0.0.0'",
      { kind: 'log', value: { time: 1796051288, flags: '', text: "PUSH: Received control message: 'PUSH_REPLY,route 0.0.0.0 0.0.0.0'" } },
    ],
    ['>LOG:1796051288,W,WARNING: x', { kind: 'log', value: { time: 1796051288, flags: 'W', text: 'WARNING: x' } }],
    ['>CLIENT:ESTABLISHED,0', { kind: 'client', event: 'ESTABLISHED', args: ['0'] }],
    [">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info", { kind: 'other', type: 'INFO', text: "OpenVPN Management Interface Version 5 -- type 'help' for more info" }],
    ['SUCCESS: bytecount interval changed', null],
    ['END', null],
  ];
  for (const [line, expected] of table) it(`parses ${JSON.stringify(line.slice(0, 50))}`, () => assert.deepEqual(parseNotification(line), expected));
});

describe('OpenVPN management protocol: where a response ends', () => {
  const table: Array<[string, 'single' | 'multi']> = [
    ['state', 'multi'],
    ['state on', 'single'],
    ['log all', 'multi'],
    ['log on', 'single'],
    ['log 50', 'multi'],
    ['status 3', 'multi'],
    ['bytecount 5', 'single'],
    ['kill site-a', 'single'],
    ['signal SIGHUP', 'single'],
  ];
  for (const [command, shape] of table) it(`${command}: ${shape}`, () => assert.equal(responseShape(command), shape));
  it('an ERROR line ends either shape (status during a restart answers ERROR, not END)', () => {
    assert.ok(endsResponse('multi', "ERROR: The 'status' command is not supported by the current daemon mode"));
    assert.ok(endsResponse('single', 'ERROR: common name not found'));
    assert.ok(endsResponse('multi', 'END') && !endsResponse('multi', 'SUCCESS: x') && !endsResponse('single', 'END'));
  });
});

describe('OpenVPN management protocol: status 3 of a server', () => {
  it('lists each client by common name with its addresses and bytes, columns found by header', () => {
    const lines = [
      'TITLE\tOpenVPN 2.6.14 x86_64-pc-linux-gnu',
      'TIME\t2026-11-30 15:08:28\t1796051308',
      'HEADER\tCLIENT_LIST\tCommon Name\tReal Address\tVirtual Address\tVirtual IPv6 Address\tBytes Received\tBytes Sent\tConnected Since\tConnected Since (time_t)\tUsername\tClient ID\tPeer ID\tData Channel Cipher',
      'CLIENT_LIST\tsite-a\t10.77.0.2:35379\t10.8.0.2\t\t2420\t2421\t2026-11-30 15:08:08\t1796051288\tUNDEF\t0\t0\tAES-256-GCM',
      'HEADER\tROUTING_TABLE\tVirtual Address\tCommon Name\tReal Address\tLast Ref\tLast Ref (time_t)',
      'ROUTING_TABLE\t10.8.0.2\tsite-a\t10.77.0.2:35379\t2026-11-30 15:08:08\t1796051288',
      'END',
    ];
    assert.deepEqual(parseStatus3(lines), [
      { commonName: 'site-a', realAddress: '10.77.0.2:35379', virtualAddress: '10.8.0.2', bytesIn: 2420, bytesOut: 2421, connectedSince: 1796051288, clientId: 0 },
    ]);
  });
  it('no clients: an empty list', () => assert.deepEqual(parseStatus3(['HEADER\tCLIENT_LIST\tCommon Name', 'END']), []));
});
