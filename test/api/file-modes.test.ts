import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startServer } from '../../src/server/main.ts';
import { OPERATOR, http, login } from '../support/server.ts';

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

async function runOn(dataDir: string) {
  const server = await startServer({ listen: '127.0.0.1:0', dataDir, adminEmail: OPERATOR.email, adminPassword: OPERATOR.password, quiet: true }, () => undefined);
  // A write, so SQLite has its -wal and -shm files.
  await http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password)).post('/api/v1/tokens', { name: 'modes' });
  return server;
}

describe('issue 7 item 7: the database and master key are not world-readable', () => {
  it('a fresh data dir is 0700; plantgate.db, -wal, -shm and master.key are 0600', async () => {
    const root = mkdtempSync(join(tmpdir(), 'plantgate-modes-'));
    roots.push(root);
    chmodSync(root, 0o755);
    const dataDir = join(root, 'data');
    const server = await runOn(dataDir);
    try {
      assert.equal(mode(dataDir), '700');
      for (const file of ['plantgate.db', 'plantgate.db-wal', 'plantgate.db-shm', 'master.key']) {
        assert.ok(existsSync(join(dataDir, file)), file);
        assert.equal(mode(join(dataDir, file)), '600', file);
      }
    } finally {
      await server.close();
    }
  });

  it('files an older version left 0755/0644 are tightened at start', async () => {
    const root = mkdtempSync(join(tmpdir(), 'plantgate-modes-'));
    roots.push(root);
    const dataDir = join(root, 'data');
    const first = await runOn(dataDir);
    await first.close();
    chmodSync(dataDir, 0o755);
    for (const file of ['plantgate.db', 'master.key']) chmodSync(join(dataDir, file), 0o644);
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'plantgate.db-wal'), '', { mode: 0o644 });
    chmodSync(join(dataDir, 'plantgate.db-wal'), 0o644);
    const second = await runOn(dataDir);
    try {
      assert.equal(mode(dataDir), '700');
      for (const file of ['plantgate.db', 'plantgate.db-wal', 'plantgate.db-shm', 'master.key']) assert.equal(mode(join(dataDir, file)), '600', file);
    } finally {
      await second.close();
    }
  });
});
