import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCommand } from './drivers/run-command.ts';
import { generateWireGuardKeyPair, wireGuardPublicKey } from './wireguard-keys.ts';
import { checkedPublicKey } from './wireguard-peers.ts';

describe('generateWireGuardKeyPair', () => {
  it('matches `wg pubkey` (private key passed on stdin, never as an argument)', async () => {
    for (let round = 0; round < 5; round++) {
      const pair = generateWireGuardKeyPair();
      const { stdout } = await runCommand('wg', ['pubkey'], { stdin: `${pair.privateKey}\n`, timeoutMs: 5000 });
      assert.equal(stdout.trim(), pair.publicKey);
      assert.equal(wireGuardPublicKey(pair.privateKey), pair.publicKey);
      checkedPublicKey(pair.publicKey);
    }
  });

  it('derives the public key of a key made by `wg genkey`', async () => {
    const { stdout: privateKey } = await runCommand('wg', ['genkey'], { timeoutMs: 5000 });
    const { stdout: publicKey } = await runCommand('wg', ['pubkey'], { stdin: privateKey, timeoutMs: 5000 });
    assert.equal(wireGuardPublicKey(privateKey.trim()), publicKey.trim());
  });

  it('makes a new pair every time and refuses a key of the wrong size', () => {
    assert.notEqual(generateWireGuardKeyPair().privateKey, generateWireGuardKeyPair().privateKey);
    assert.throws(() => wireGuardPublicKey('c2hvcnQ='));
  });
});
