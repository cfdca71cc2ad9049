import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseOpenVpnConfig } from './openvpn-config.ts';
import { dialedEndpoints, splitOpenVpn, splitWireGuard } from './stored-model.ts';
import { parseWireGuardConfig } from './wireguard-config.ts';

const corpus = new URL('./corpus/', import.meta.url);

describe('stored model: secrets never in the clear part', () => {
  for (const file of readdirSync(corpus)) {
    const text = readFileSync(new URL(file, corpus), 'utf8');
    if (file.endsWith('.conf')) {
      it(`WireGuard ${file}: private and pre-shared keys only in the sealed part`, () => {
        const parsed = parseWireGuardConfig(text);
        assert.ok(parsed.ok);
        const { stored, secrets } = splitWireGuard(parsed.config);
        const clear = JSON.stringify(stored);
        assert.equal(clear.includes(secrets.privateKey), false);
        for (const psk of secrets.presharedKeys) if (psk) assert.equal(clear.includes(psk), false);
        assert.ok(dialedEndpoints(stored).length >= 1);
      });
    } else if (file.endsWith('.ovpn')) {
      it(`OpenVPN ${file}: client key and tls keys only in the sealed part`, () => {
        const parsed = parseOpenVpnConfig(text);
        if (!parsed.ok) return assert.fail(JSON.stringify(parsed.problems));
        const { stored, secrets } = splitOpenVpn(parsed.config, parsed.crypto, null);
        const clear = JSON.stringify(stored);
        for (const secret of [secrets.key, secrets.tlsAuth, secrets.tlsCrypt, secrets.tlsCryptV2]) if (secret) assert.equal(clear.includes(secret), false);
        assert.equal(clear.includes('PRIVATE KEY'), false);
        assert.equal(clear.includes('OpenVPN Static key'), false);
      });
    }
  }
});
