import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { canonicalGatewayState, diffGatewayStates } from '../core/state/gateway-delta.ts';
import type { GatewayDesiredState } from '../core/wire/gateway-state.ts';
import { memoryLogger } from '../daemon/log.ts';
import { FileStateStore } from '../daemon/state-store.ts';
import { twoPlantsState } from './__fixtures__/desired-state.ts';
import { GatewayDocument } from './desired-document.ts';
import { GatewayDocumentStore } from './document-store.ts';

/** Revision r: user 100.64.0.2 has r−7 extra allowed pairs. */
function at(revision: number): GatewayDesiredState {
  const extra = Array.from({ length: revision - 7 }, (_, i) => ({ userIp: '100.64.0.2', mapped: `100.81.${i}.0/24` }));
  return { ...twoPlantsState, revision, allowed: [...twoPlantsState.allowed, ...extra] };
}

describe('GatewayDocumentStore: snapshot + journal of deltas in the state dir', () => {
  const base = mkdtempSync(join(tmpdir(), 'pg-docstore-'));
  after(() => rmSync(base, { recursive: true, force: true }));

  it('a change costs one journal line; a restart replays it onto the snapshot (files 0600)', async () => {
    const directory = join(base, 'a');
    const files = new FileStateStore(directory);
    const store = new GatewayDocumentStore(files, memoryLogger(), { snapshotEvery: 100 });
    const document = GatewayDocument.fromState(at(7));
    await store.recordFull(document);
    for (let revision = 8; revision <= 10; revision++) {
      const delta = diffGatewayStates(at(revision - 1), at(revision));
      document.applyDelta(delta);
      await store.recordDelta(document, delta);
    }
    await store.flush();
    assert.equal(readFileSync(join(directory, 'desired-journal.jsonl'), 'utf8').split('\n').length, 4);
    assert.equal(statSync(join(directory, 'desired-journal.jsonl')).mode & 0o777, 0o600);
    assert.equal(statSync(join(directory, 'desired-state.json')).mode & 0o777, 0o600);
    const loaded = await new GatewayDocumentStore(new FileStateStore(directory), memoryLogger()).load();
    assert.deepEqual(canonicalGatewayState(loaded?.toState() ?? at(0)), canonicalGatewayState(at(10)));
  });

  it('after snapshotEvery deltas the snapshot is rewritten and the journal cut; a torn last line (crash) is ignored', async () => {
    const directory = join(base, 'b');
    const store = new GatewayDocumentStore(new FileStateStore(directory), memoryLogger(), { snapshotEvery: 3 });
    const document = GatewayDocument.fromState(at(7));
    await store.recordFull(document);
    for (let revision = 8; revision <= 11; revision++) {
      const delta = diffGatewayStates(at(revision - 1), at(revision));
      document.applyDelta(delta);
      void store.recordDelta(document, delta);
    }
    await store.flush();
    assert.equal((JSON.parse(readFileSync(join(directory, 'desired-state.json'), 'utf8')) as GatewayDesiredState).revision >= 10, true);
    appendFileSync(join(directory, 'desired-journal.jsonl'), '{"kind":"delta","fromRev');
    const loaded = await new GatewayDocumentStore(new FileStateStore(directory), memoryLogger()).load();
    assert.equal(loaded?.revision, 11);
    assert.deepEqual(canonicalGatewayState(loaded?.toState() ?? at(0)), canonicalGatewayState(at(11)));
  });

  it('a snapshot of a large document is written in chunks that parse back to the same document', async () => {
    const directory = join(base, 'c');
    const big = { ...twoPlantsState, allowed: Array.from({ length: 7000 }, (_, i) => ({ userIp: `100.64.${i >> 8}.${i & 255}`, mapped: '100.80.1.0/24' })) };
    const store = new GatewayDocumentStore(new FileStateStore(directory), memoryLogger());
    await store.recordFull(GatewayDocument.fromState(big));
    assert.deepEqual(JSON.parse(readFileSync(join(directory, 'desired-state.json'), 'utf8')), big);
  });
});
