import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compressionDirective, type OpenVpnCryptoSettings, withCryptoChoice } from './openvpn-crypto.ts';

const base: OpenVpnCryptoSettings = { cipher: null, dataCiphers: null, dataCiphersFallback: null, auth: null, compression: null, tlsVersionMin: null };
const none = { cipher: null, auth: null, compression: null, tlsMin: null };

describe('D2: the advanced OpenVPN settings applied to the model the agent renders', () => {
  const table: Array<[string, OpenVpnCryptoSettings, Parameters<typeof withCryptoChoice>[1], Partial<OpenVpnCryptoSettings>]> = [
    ['no choice: the model as uploaded', { ...base, cipher: 'AES-256-GCM' }, null, { cipher: 'AES-256-GCM', dataCiphers: null, dataCiphersFallback: null }],
    ['legacy router: AES-128-CBC offered alone and as fallback', base, { ...none, cipher: 'AES-128-CBC' }, { cipher: 'AES-128-CBC', dataCiphers: ['AES-128-CBC'], dataCiphersFallback: 'AES-128-CBC' }],
    ["the upload's own cipher: its data-ciphers list kept, the cipher as fallback", { ...base, cipher: 'AES-128-CBC', dataCiphers: ['AES-256-GCM', 'AES-128-CBC'] }, { ...none, cipher: 'AES-128-CBC' }, { cipher: 'AES-128-CBC', dataCiphers: ['AES-256-GCM', 'AES-128-CBC'], dataCiphersFallback: 'AES-128-CBC' }],
    ["the upload's data-ciphers shown joined: unchanged", { ...base, dataCiphers: ['AES-256-GCM', 'AES-128-GCM'] }, { ...none, cipher: 'AES-256-GCM:AES-128-GCM' }, { cipher: null, dataCiphers: ['AES-256-GCM', 'AES-128-GCM'], dataCiphersFallback: null }],
    ['auth, tls-min and compression', base, { cipher: null, auth: 'SHA1', compression: 'lzo', tlsMin: '1.0' }, { auth: 'SHA1', compression: 'comp-lzo', tlsVersionMin: '1.0' }],
  ];
  for (const [name, model, choice, expected] of table) {
    it(name, () => {
      const out = withCryptoChoice(model, choice);
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(out[key as keyof OpenVpnCryptoSettings], value, key);
    });
  }
  it('compression as users type it', () => {
    assert.deepEqual(['lzo', 'comp-lzo', 'no', 'lz4-v2', 'compress lz4', 'comp-lzo no'].map(compressionDirective), ['comp-lzo', 'comp-lzo', null, 'compress lz4-v2', 'compress lz4', 'comp-lzo no']);
  });
});
