import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

/**
 * Issue 6's benchmarks at CI size: the same scripts as the large runs (bench/RESULTS.md),
 * asserting what they check besides time — the daemon's incremental apply converges on the
 * real data plane, idle long-polls query nothing, incremental routes equal a rebuild. The
 * figures themselves are measured at full size outside CI.
 */
const run = promisify(execFile);

async function result(script: string, args: string[], nodeArgs: string[] = []): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [...nodeArgs, new URL(script, import.meta.url).pathname, ...args], { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  const line = stdout.split('\n').findLast((l) => l.startsWith('RESULT '));
  assert.ok(line, `${script} printed no RESULT line:\n${stdout.slice(-2000)}`);
  return JSON.parse(line.slice('RESULT '.length));
}

describe('issue 6 benchmarks at CI size', { concurrency: true }, () => {
  it('B4: the gateway daemon applies deltas against what it last applied and ends equal to the real wireguard-go + nft state', async () => {
    const r = await result('./b4-gateway-apply.ts', ['--runs', '1', '--changes', '10', '--users', '200', '--allowed', '1000', '--native', '200']);
    assert.equal(r.consistent, true);
    assert.equal(r.changes, 10);
  });

  it('idle cost: 40 daemons long-polling a real server cause 0 database queries while nothing changes', async () => {
    const r = await result('./idle-longpoll.ts', ['--database', 'sqlite', '--daemons', '40', '--gateways', '2', '--users', '100', '--wait', '2', '--warmup', '3', '--window', '5', '--runs', '1']);
    assert.equal(r.dbQueriesPerSecond, 0);
    assert.equal(r.errors, 0);
    assert.equal(r.waitingAtWindowStart, 40);
  });

  it('B1/B2: routes and gateway state kept incrementally equal a rebuild after random changes', async () => {
    const r = await result('./b1-b2-route-engine.ts', ['--scale', '0.05', '--runs', '1', '--changes', '200'], ['--expose-gc']);
    assert.equal((r.b2 as { incrementalMatchesRebuild: boolean }).incrementalMatchesRebuild, true);
  });
});
