import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { isWireGuardKey } from '../core/render/wireguard-key.ts';
import { generateWireGuardKeyPair, wireGuardPublicKey } from './wireguard-keys.ts';

describe('generateWireGuardKeyPair', () => {
  it('derives the same public key as the real `wg pubkey` (key on stdin, never on a command line)', () => {
    for (let i = 0; i < 5; i++) {
      const pair = generateWireGuardKeyPair();
      assert.ok(isWireGuardKey(pair.privateKey) && isWireGuardKey(pair.publicKey));
      const fromWg = execFileSync('wg', ['pubkey'], { input: `${pair.privateKey}\n` }).toString().trim();
      assert.equal(pair.publicKey, fromWg);
      assert.equal(wireGuardPublicKey(pair.privateKey), fromWg);
    }
  });
  it('never repeats', () => assert.notEqual(generateWireGuardKeyPair().privateKey, generateWireGuardKeyPair().privateKey));
  it('refuses a private key of the wrong size', () => assert.throws(() => wireGuardPublicKey('c2hvcnQ='), /32 bytes/));
});
