import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isHostPort } from './host-port.ts';

describe('isHostPort: the strict HOST:PORT a WireGuard Endpoint line may hold', () => {
  const rows: Array<[string, boolean]> = [
    ['vpn-eu.example.com:51820', true],
    ['gw1:51821', true],
    ['192.0.2.10:51820', true],
    ['[2001:db8::1]:51820', true],
    ['[::1]:1', true],
    ['[::ffff:192.0.2.1]:443', true],
    ['[1:2:3:4:5:6:7:8]:9', true],
    // issue 7 item 4: a newline put `PostUp = …` into the config vpn issue wrote
    ['gw.example.test:51820\nPostUp = touch /tmp/owned', false],
    ['gw.example.test:51820\n', false],
    ['gw.example.test:51820\r', false],
    ['\ngw.example.test:51820', false],
    [' gw.example.test:51820', false],
    ['gw example:51820', false],
    ['gw.example.test:0', false],
    ['gw.example.test:65536', false],
    ['gw.example.test:051820', false],
    ['gw.example.test', false],
    [':51820', false],
    ['...:1', false],
    ['a..b:1', false],
    ['-gw:1', false],
    ['gw-:1', false],
    ['999.1.1.1:51820', false],
    ['[2001:db8::1::2]:1', false],
    ['[1:2:3:4:5:6:7:8:9]:1', false],
    ['[fe80::1%eth0]:1', false],
    ['2001:db8::1:51820', false],
    ['gw\u202e.example:1', false],
    [`${'a'.repeat(64)}.example:1`, false],
  ];
  for (const [input, ok] of rows) it(`${JSON.stringify(input)} → ${ok}`, () => assert.equal(isHostPort(input), ok));
});
