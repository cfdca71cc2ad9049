import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { secretBox } from './secret-box.ts';

describe('secretBox', () => {
  const box = secretBox(randomBytes(32));
  it('round-trips and never stores the plain text', () => {
    const sealed = box.seal('private-key-material', 'service-key');
    assert.ok(!sealed.includes('private-key-material'));
    assert.equal(box.open(sealed, 'service-key'), 'private-key-material');
  });
  it('refuses a sealed value moved to another context', () => assert.throws(() => box.open(box.seal('x', 'a'), 'b')));
  it('refuses the wrong master key', () => assert.throws(() => secretBox(randomBytes(32)).open(box.seal('x', 'a'), 'a')));
});
