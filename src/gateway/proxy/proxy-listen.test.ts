import assert from 'node:assert/strict';
import { test } from 'node:test';
import { proxyHostConfig } from '../main.ts';

test('gateway --proxy-listen / --proxy-cert / --proxy-key: parsed, or refused naming the flag', () => {
  assert.equal(proxyHostConfig({ proxyListen: 'off' }), undefined);
  assert.deepEqual(proxyHostConfig({}), { listenHost: '0.0.0.0', listenPort: undefined, certFile: undefined, keyFile: undefined });
  assert.deepEqual(proxyHostConfig({ proxyListen: '10.0.0.1:8443', proxyCert: 'c.pem', proxyKey: 'k.pem' }), { listenHost: '10.0.0.1', listenPort: 8443, certFile: 'c.pem', keyFile: 'k.pem' });
  assert.throws(() => proxyHostConfig({ proxyListen: ':8443' }), /--proxy-listen/);
  assert.throws(() => proxyHostConfig({ proxyListen: '10.0.0.1:70000' }), /--proxy-listen/);
  assert.throws(() => proxyHostConfig({ proxyCert: 'c.pem' }), /--proxy-cert and --proxy-key/);
});
