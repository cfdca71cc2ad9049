import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mintToken, secretMatches, splitToken } from './tokens.ts';

describe('tokens', () => {
  it('round-trips every kind, and a kind never parses as another', () => {
    for (const kind of ['pgt', 'pgd', 'pge'] as const) {
      for (let i = 0; i < 50; i++) {
        const minted = mintToken(kind);
        const parts = splitToken(minted.token, kind);
        assert.ok(parts, minted.token);
        assert.equal(parts.id, minted.id);
        assert.ok(secretMatches(parts.secret, minted.secretHash));
        for (const other of ['pgt', 'pgd', 'pge'] as const) if (other !== kind) assert.equal(splitToken(minted.token, other), null);
      }
    }
  });
  it('refuses a wrong secret and garbage', () => {
    const a = mintToken();
    const b = mintToken();
    assert.ok(!secretMatches(splitToken(b.token)?.secret as string, a.secretHash));
    for (const bad of ['', 'pgt_', 'pgt_short_secret', `${a.token}x`, a.token.replace('_', '-')]) assert.equal(splitToken(bad), null, bad);
  });
});
