import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FileStateStore } from './state-store.ts';

describe('FileStateStore', () => {
  const base = mkdtempSync(join(tmpdir(), 'pg-store-'));
  after(() => rmSync(base, { recursive: true, force: true }));

  it('keeps the directory 0700 and every file 0600, and reads back what it wrote', async () => {
    const store = new FileStateStore(join(base, 'gateway'));
    await store.write('identity', { id: 'g1', credential: 'pgd_x' });
    assert.deepEqual(await store.read('identity'), { id: 'g1', credential: 'pgd_x' });
    assert.equal(statSync(join(base, 'gateway')).mode & 0o777, 0o700);
    assert.equal(statSync(join(base, 'gateway', 'identity.json')).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(join(base, 'gateway')), ['identity.json']); // no temporary file left
  });

  it('reads a missing entry as null and refuses names that could escape the directory', async () => {
    const store = new FileStateStore(join(base, 'agent'));
    assert.equal(await store.read('desired-state'), null);
    await assert.rejects(store.write('../x', 1), /invalid state entry/);
  });
});
