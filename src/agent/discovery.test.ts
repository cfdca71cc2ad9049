import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentDiscoveryRequest, AgentDiscoveryResult } from '../core/wire/daemon.ts';
import { ControlPlaneError } from '../daemon/control-plane.ts';
import { FakeNetProbe } from '../os/probe/fake-net-probe.ts';
import { DiscoveryQueue, runDiscovery } from './discovery.ts';

function request(overrides: Partial<AgentDiscoveryRequest> = {}): AgentDiscoveryRequest {
  return { id: 'd1', subnets: ['10.40.0.0/29'], ports: [80, 502, 4840], maxHosts: 1024, ratePerSecond: 100, deadlineSeconds: 60, ...overrides };
}

/** Virtual time: sleeping moves the clock, so rate limits are measured, not waited for. */
function clock() {
  let now = Date.parse('2026-11-30T12:00:00Z');
  const sleeps: number[] = [];
  const sleep = async (ms: number): Promise<void> => {
    sleeps.push(ms);
    now += ms;
  };
  return { now: () => now, sleep, sleeps, start: now };
}

describe('D11 discovery on the agent', () => {
  it('lists the hosts that answered ICMP or a port, with their open ports; silent hosts and closed ports are not listed', async () => {
    const probe = new FakeNetProbe();
    probe.pingable.add('10.40.0.1');
    probe.open.add('10.40.0.3:80');
    probe.open.add('10.40.0.3:502');
    probe.open.add('10.40.0.5:4840');
    const t = clock();
    const result = await runDiscovery(request(), { probe, now: t.now, sleep: t.sleep });
    assert.deepEqual(
      result.hosts.map((h) => [h.ip, h.icmp, h.openPorts]),
      [
        ['10.40.0.1', true, []],
        ['10.40.0.3', false, [80, 502]],
        ['10.40.0.5', false, [4840]],
      ],
    );
    assert.equal(result.truncated, false);
    assert.equal(result.error, null);
    // 6 hosts × (1 ping + 3 ports) = 24 probes
    assert.equal(probe.calls.length, 24);
  });

  it('keeps to the rate: 24 probes at 10/s take at least 2.3 s of (virtual) time', async () => {
    const t = clock();
    const result = await runDiscovery(request({ ratePerSecond: 10 }), { probe: new FakeNetProbe(), now: t.now, sleep: t.sleep });
    assert.ok(Date.parse(result.finishedAt) - t.start >= 2300, `${Date.parse(result.finishedAt) - t.start} ms`);
  });

  it('stops at the deadline and says the run was cut', async () => {
    const t = clock();
    const probe = new FakeNetProbe();
    const result = await runDiscovery(request({ subnets: ['10.40.0.0/24'], ratePerSecond: 10, deadlineSeconds: 3 }), { probe, now: t.now, sleep: t.sleep });
    assert.equal(result.truncated, true);
    assert.match(result.error ?? '', /deadline of 3 s/);
    assert.ok(probe.calls.length <= 30, `${probe.calls.length} probes in 3 s at 10/s`);
  });

  it('probes at most maxHosts and says truncated', async () => {
    const t = clock();
    const probe = new FakeNetProbe();
    const result = await runDiscovery(request({ subnets: ['10.40.0.0/24'], ports: [80], maxHosts: 5, ratePerSecond: 1000 }), { probe, now: t.now, sleep: t.sleep });
    assert.equal(result.truncated, true);
    assert.equal(probe.calls.length, 10);
  });

  it('the queue runs each request of the document once and posts its result', async () => {
    const t = clock();
    const posted: Array<[string, AgentDiscoveryResult]> = [];
    const queue = new DiscoveryQueue({ probe: new FakeNetProbe(), now: t.now, sleep: t.sleep }, async (id, result) => void posted.push([id, result]), () => {});
    queue.offer([request()]);
    queue.offer([request()]);
    await queue.idle();
    queue.offer([request(), request({ id: 'd2' })]);
    await queue.idle();
    assert.deepEqual(posted.map(([id]) => id), ['d1', 'd2']);
  });
});

describe('D11 discovery: stop and refusals', () => {
  it('the agent stopping ends a run at once and posts nothing', async () => {
    const t = clock();
    const stop = new AbortController();
    const posted: string[] = [];
    const queue = new DiscoveryQueue({ probe: new FakeNetProbe(), now: t.now, sleep: t.sleep, signal: stop.signal }, async (id) => void posted.push(id), () => {});
    stop.abort();
    queue.offer([request({ subnets: ['10.40.0.0/24'] })]);
    await queue.idle();
    assert.deepEqual(posted, []);
  });

  it('a refused answer (409: answered or expired) is not sent again; an unreachable control plane is retried', async () => {
    const t = clock();
    const attempts: number[] = [];
    const errors: string[] = [];
    let status = 409;
    const queue = new DiscoveryQueue(
      { probe: new FakeNetProbe(), now: t.now, sleep: t.sleep },
      async () => {
        attempts.push(status);
        throw new ControlPlaneError(status, 'refused');
      },
      (id) => void errors.push(id),
    );
    queue.offer([request({ id: 'refused' })]);
    await queue.idle();
    assert.deepEqual(attempts, [409]);
    status = 0;
    queue.offer([request({ id: 'unreachable' })]);
    await queue.idle();
    assert.deepEqual(attempts, [409, 0, 0, 0]);
    assert.deepEqual(errors, ['refused', 'unreachable']);
  });
});
