/**
 * Issue 12 — browser proxy figures (SPEC O2), on the real product in network namespaces
 * (test/e2e's ScenarioLab: `plantgate server --proxy-domain`, `plantgate gateway
 * --proxy-listen`, `plantgate agent`, a wireguard-go personal VPN client):
 *   - time to first byte of a device page through the proxy (fresh TLS connection to the
 *     gateway, then the site tunnel) vs directly over the personal VPN (fresh TCP connection
 *     to the device's mapped address), medians and their ratio;
 *   - requests/s and p99 latency with SESSIONS concurrent proxy sessions (each its own grant,
 *     cookie and keep-alive connection) for LOAD seconds;
 *   - the gateway's memory per open session (RSS with SESSIONS sessions each holding a
 *     keep-alive connection and a WebSocket, minus RSS before, / SESSIONS);
 *   - throughput of a 50 MB download through the proxy vs over the personal VPN.
 * Each figure is the median of --runs runs (the load and memory figures: one run each).
 *
 * Run as root: node bench/browser-proxy.ts [--runs 3] [--requests 50] [--sessions 200] [--load 10]
 * Prints a table, then `RESULT {json}`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cidr, formatIpv4, ipv4ToInt, prefixSize } from '../src/core/net/ipv4.ts';
import { assertNetnsCapable } from '../test/e2e/netns.ts';
import { DEVICE_IP, GATEWAY_IP, NODE, REGION, SERVER_URL, ScenarioLab } from '../test/e2e/scenario-lab.ts';
import { PEOPLE, PLANT_A, passwordOf, scenarioFleet } from '../test/e2e/scenario-fleet.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    requests: { type: 'string', default: '50' },
    sessions: { type: 'string', default: '200' },
    load: { type: 'string', default: '10' },
  },
});
const RUNS = Number(values.runs);
const REQUESTS = Number(values.requests);
const SESSIONS = Number(values.sessions);
const LOAD_SECONDS = Number(values.load);
if (!(RUNS >= 1 && RUNS <= 20 && REQUESTS >= 1 && REQUESTS <= 1000 && SESSIONS >= 1 && SESSIONS <= 1000 && LOAD_SECONDS >= 1 && LOAD_SECONDS <= 120)) {
  throw new Error('--runs 1..20, --requests 1..1000, --sessions 1..1000, --load 1..120');
}
const DOMAIN = 'px.bench.test';
const PORT = 8443;
const CLIENT = new URL('./browser-proxy-client.ts', import.meta.url).pathname;
const WEB_DEVICE = new URL('../test/e2e/fixtures/web-device.ts', import.meta.url).pathname;
const MB = 1024 * 1024;

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length % 2 ? (sorted[(sorted.length - 1) / 2] as number) : ((sorted[sorted.length / 2 - 1] as number) + (sorted[sorted.length / 2] as number)) / 2;
};
const round = (x: number, digits = 2) => Number(x.toFixed(digits));

await assertNetnsCapable();
const s = new ScenarioLab();
try {
  await s.build();
  await s.lab.startProcess(s.ns.lanA as string, NODE, [WEB_DEVICE, 'plant-A', '8080', DEVICE_IP, '3600000']).waitForLine(/^listening/, 15_000);
  s.serverOptions = { args: ['--proxy-domain', DOMAIN, '--proxy-port', String(PORT)] };
  await s.startServer();
  await s.loginAdmin();
  await s.applyFleet(scenarioFleet({}));
  await s.admin(['admin', 'region', 'add', REGION, '--endpoint', `${GATEWAY_IP}:51820`]);
  const gateway = await s.startGateway({ args: ['--proxy-listen', `${GATEWAY_IP}:${PORT}`, '--flow-report-seconds', '10'] });
  await s.startAgent('agentA', PLANT_A);
  const olga = await s.addUser(PEOPLE.olga, passwordOf(PEOPLE.olga));
  const added = JSON.parse((await s.as(olga, ['proxy', 'targets', 'add', '--plant', PLANT_A, '--device', DEVICE_IP, '--port', '8080', '--json'])).stdout);
  const target = ('target' in added ? added.target : added) as { host: string };
  const alice = await s.addUser(PEOPLE.alice, passwordOf(PEOPLE.alice));
  await s.issueAndConnect(alice);
  const route = (await s.routes(alice)).find((r) => r.plant === PLANT_A);
  if (!route) throw new Error('alice has no route to plant A');
  const mapped = cidr(route.mapped);
  const device = formatIpv4(mapped.start + (ipv4ToInt(DEVICE_IP) % prefixSize(mapped.length)));
  const direct = `http://${device}:8080`;
  const proxyBase = `https://${GATEWAY_IP}:${PORT}`;
  const host = `${target.host}.${DOMAIN}:${PORT}`;
  const client = async (args: string[], timeoutMs = 120_000) => JSON.parse((await s.lab.exec(alice.ns, NODE, [CLIENT, ...args], { timeoutMs })).stdout.trim().split('\n').at(-1) as string);
  for (let i = 0; i < 60; i++) {
    const ok = await client(['download', `${direct}/`]).then((r) => r.status === 200, () => false);
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const open = async (n: number) => {
    const file = join(s.work, `cookies-${n}-${Date.now()}.json`);
    const opened = await client(['open', SERVER_URL, s.token(alice), target.host, String(n), GATEWAY_IP, String(PORT)], 300_000);
    writeFileSync(file, JSON.stringify(opened));
    return { file, cookie: (opened.cookies as string[])[0] as string };
  };

  const runs: Array<{ ttfbDirect: number; ttfbProxy: number; mbpsDirect: number; mbpsProxy: number }> = [];
  for (let run = 0; run < RUNS; run++) {
    const { cookie } = await open(1);
    const ttfbDirect = median((await client(['ttfb', `${direct}/`, String(REQUESTS)])).samples);
    const ttfbProxy = median((await client(['ttfb', `${proxyBase}/`, String(REQUESTS), host, cookie])).samples);
    const downDirect = await client(['download', `${direct}/big`]);
    const downProxy = await client(['download', `${proxyBase}/big`, host, cookie]);
    if (downDirect.bytes !== 50 * MB || downProxy.bytes !== 50 * MB) throw new Error(`download sizes ${downDirect.bytes} / ${downProxy.bytes}`);
    runs.push({ ttfbDirect, ttfbProxy, mbpsDirect: downDirect.bytes / MB / (downDirect.ms / 1000), mbpsProxy: downProxy.bytes / MB / (downProxy.ms / 1000) });
    console.log(`run ${run + 1}: ttfb direct ${ttfbDirect.toFixed(2)} ms, proxy ${ttfbProxy.toFixed(2)} ms; 50 MB direct ${runs.at(-1)?.mbpsDirect.toFixed(1)} MB/s, proxy ${runs.at(-1)?.mbpsProxy.toFixed(1)} MB/s`);
  }

  const many = await open(SESSIONS);
  // memory first: after the load test the gateway's heap has room that new sessions would reuse unseen
  const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${gateway.pid}/status`, 'utf8'))?.[1] ?? Number.NaN) * 1024;
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const before = rss();
  const hold = s.lab.startProcess(alice.ns, NODE, [CLIENT, 'hold', `${proxyBase}/`, host, many.file, '30']);
  await hold.waitForLine(/"held"/, 120_000);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const holding = rss();
  await hold.stop();
  const load = await client(['load', `${proxyBase}/`, host, many.file, String(LOAD_SECONDS)], (LOAD_SECONDS + 120) * 1000);

  const result = {
    ttfbDirectMs: round(median(runs.map((r) => r.ttfbDirect))),
    ttfbProxyMs: round(median(runs.map((r) => r.ttfbProxy))),
    ttfbRatio: round(median(runs.map((r) => r.ttfbProxy / r.ttfbDirect))),
    downloadDirectMBps: round(median(runs.map((r) => r.mbpsDirect)), 1),
    downloadProxyMBps: round(median(runs.map((r) => r.mbpsProxy)), 1),
    downloadRatio: round(median(runs.map((r) => r.mbpsProxy / r.mbpsDirect))),
    sessions: SESSIONS,
    loadSeconds: LOAD_SECONDS,
    requestsPerSecond: round(load.rps, 0),
    p50Ms: round(load.p50),
    p99Ms: round(load.p99),
    loadErrors: load.errors,
    gatewayRssBeforeMB: round(before / MB, 1),
    gatewayRssHoldingMB: round(holding / MB, 1),
    memoryPerSessionKB: round((holding - before) / SESSIONS / 1024, 1),
    runs: RUNS,
    requestsPerRun: REQUESTS,
  };
  console.table(result);
  console.log(`RESULT ${JSON.stringify(result)}`);
} finally {
  await s.cleanup();
}
