/**
 * B3 at scale (issue 6): revoke → first dropped packet, and job-role removal through
 * `plantgate admin apply` → first dropped packet, with the real control plane holding a
 * B1-size fleet.
 *
 * Setup (root; network namespaces of test/e2e/scenario-lab.ts, all removed at the end):
 *   1. the real `plantgate server` (SQLite, or `--database pg`: a throwaway PostgreSQL in
 *      the control plane's namespace); the generated fleet (bench/fleet-generator.ts:
 *      10,000 users, 5,000 plants × 2 subnets, 50 organizations, 500 cooperations) plus
 *      one bench organization whose plant is the lab's plant A (192.168.1.0/24, device
 *      192.168.1.10) with two users, applied with `plantgate admin apply -f`;
 *   2. server stopped, its database filled by bench/b3-seed-db.ts (an active profile for
 *      every generated user, an agent key for 90% of the plants), server started again;
 *   3. the real `plantgate gateway` (default reconcile period) and one `plantgate agent`
 *      for the bench plant; the gateway's first apply carries ~10,000 user peers;
 *   4. the two bench users log in from their own namespaces with the CLI; wireguard-go
 *      clients from the files `plantgate vpn issue --out` wrote.
 * Revoke trials (as bench/b3-revoke-cut.ts): a new profile, an open TCP flow to the
 * device (a message every INTERVAL ms, echoed), the flow process itself calls
 * POST /vpn/profile/revoke after WARMUP ms; t0 = just before that request.
 * Job-role trials: the second user's flow runs, and the flow process itself sends, after
 * WARMUP ms, the request `plantgate admin apply -f FILE --prune --force` sends (POST
 * /admin/fleet, prune: the fleet file without that user's one job role, operator token); t0 = just before it, so
 * the CLI's Node start-up (~0.3–1 s on this machine) is not counted. Then the full file
 * is applied again with the real `plantgate admin apply -f` (its wall time is reported)
 * and the user must reach the device again before the next trial.
 * Per trial, the timeline of the change through the server's and the daemons' log lines
 * (first occurrence of each message after t0; gateway "apply started" = applied − ms).
 *
 *   sudo npx node bench/b3-scale.ts [--users 10000] [--trials 30] [--role-trials 30]
 *        [--database sqlite|pg] [--interval 5] [--warmup 600] [--agents 0.9] [--seed 1]
 *        [--revoke-wait 2500] [--role-wait 30000] [--log FILE]
 * `--revoke-wait` / `--role-wait`: how long each flow runs after the change (a cut later
 * than that is not seen: raise them for a slow build).
 * `--users N` also sets plants N/2, organizations N/200 (≥ 2), cooperations N/20.
 * Prints per-trial lines, tables, then `RESULT {json}`; exit code 1 when a trial failed or
 * a p99(first dropped) ≥ 1 s.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type LabProcess, assertNetnsCapable } from '../test/e2e/netns.ts';
import { DEVICE_IP, GATEWAY_IP, NODE, REGION, ScenarioLab, sleep } from '../test/e2e/scenario-lab.ts';
import { startTestPostgres, type TestPostgres } from '../test/support/postgres.ts';
import { type Cut, type Summary, labEvents, parseFlow, readCut, summary, summaryRow, timeline, timelineSummary } from './b3-trials.ts';
import { type FleetFile, generateFleet, mergeCooperations, toFleetFile } from './fleet-generator.ts';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '10000' },
    trials: { type: 'string', default: '30' },
    'role-trials': { type: 'string', default: '30' },
    database: { type: 'string', default: 'sqlite' },
    interval: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '600' },
    agents: { type: 'string', default: '0.9' },
    seed: { type: 'string', default: '1' },
    'role-wait': { type: 'string', default: '30000' },
    'revoke-wait': { type: 'string', default: '2500' },
    log: { type: 'string', default: '' },
  },
});
const USERS = Number(values.users);
const TRIALS = Number(values.trials);
const ROLE_TRIALS = Number(values['role-trials']);
const INTERVAL_MS = Number(values.interval);
const WARMUP_MS = Number(values.warmup);
const ROLE_WAIT_MS = Number(values['role-wait']);
const REVOKE_WAIT_MS = Number(values['revoke-wait']);
const SEED = Number(values.seed);
const DATABASE = values.database;
const CUT_BOUND_MS = 1000;
/** How long a user may wait for the gateway to admit a new profile / restored role before a trial (not timed). */
const READY_MS = 180_000;
if (!(USERS >= 20 && USERS <= 200_000)) throw new Error('--users 20..200000');
if (!(TRIALS >= 0 && TRIALS <= 500 && ROLE_TRIALS >= 0 && ROLE_TRIALS <= 500)) throw new Error('--trials / --role-trials 0..500');
if (!(INTERVAL_MS >= 1 && WARMUP_MS >= 100 && ROLE_WAIT_MS >= 2000 && REVOKE_WAIT_MS >= 2000 && ROLE_WAIT_MS <= 120_000 && REVOKE_WAIT_MS <= 120_000)) {
  throw new Error('--interval ≥ 1, --warmup ≥ 100, --role-wait and --revoke-wait 2000..120000');
}
if (DATABASE !== 'sqlite' && DATABASE !== 'pg') throw new Error('--database sqlite or pg');

const BENCH_ORG = 'B3 Bench';
const BENCH_PLANT = 'B3 Plant';
const REVOKER = { email: 'b3-revoke@bench.example', password: 'b3-revoke-password' };
const ROLE_USER = { email: 'b3-role@bench.example', password: 'b3-role-password' };
const SEED_SCRIPT = new URL('./b3-seed-db.ts', import.meta.url).pathname;

/** The generated fleet (passwords dropped: argon2 for 10,000 users would take minutes) plus the bench organization. */
function fleetFiles(): { full: FleetFile; withoutRole: FleetFile; mappedSpace: string; merged: number; counts: Record<string, number> } {
  const fleet = generateFleet({ seed: SEED, scale: 1, users: USERS, plants: Math.round(USERS / 2), organizations: Math.max(2, Math.round(USERS / 200)), cooperations: Math.round(USERS / 20) });
  const file = toFleetFile(fleet);
  const merged = mergeCooperations(file);
  const users = file.users.map((u) => ({ email: u.email, name: u.name })) as FleetFile['users'];
  const bench = (withRole: boolean): FleetFile['organizations'][number] => ({
    name: BENCH_ORG,
    members: [
      { email: REVOKER.email, role: 'member' },
      { email: ROLE_USER.email, role: 'member' },
    ],
    portfolios: [],
    plants: [{ name: BENCH_PLANT, subnets: ['192.168.1.0/24'], devices: [{ name: 'inverter-b3', ip: DEVICE_IP, kind: 'inverter' }] }],
    jobRoles: [{ user: REVOKER.email, plant: BENCH_PLANT, role: 'operator' }, ...(withRole ? [{ user: ROLE_USER.email, plant: BENCH_PLANT, role: 'operator' as const }] : [])],
    cooperations: [],
  });
  const benchUsers = [REVOKER, ROLE_USER].map((u) => ({ email: u.email, name: u.email.split('@')[0] as string, password: u.password }));
  const make = (withRole: boolean): FleetFile => ({ users: [...users, ...benchUsers], organizations: [...file.organizations, bench(withRole)] });
  return {
    full: make(true),
    withoutRole: make(false),
    mappedSpace: fleet.options.mappedSpace,
    merged,
    counts: { users: fleet.users.length, plants: fleet.plants.length, subnets: fleet.subnets.length, organizations: fleet.organizations.length, cooperations: fleet.cooperations.filter((c) => c.active).length, jobRoles: fleet.jobRoles.length },
  };
}

await assertNetnsCapable();
const s = new ScenarioLab();
let pg: TestPostgres | null = null;
const stop = async () => {
  if (values.log) writeFileSync(values.log, s.daemonOutput());
  await s.cleanup();
  await pg?.stop();
};
process.once('SIGINT', () => void stop().then(() => process.kill(process.pid, 'SIGINT')));

const cliApplies: number[] = [];
type Trial = Cut & { kind: 'revoke' | 'role'; trial: number; request: number; steps: Map<string, number> };
const trials: Trial[] = [];
const failures: string[] = [];
const setup: Record<string, number | string> = {};
const timed = async <T>(label: string, task: () => Promise<T>): Promise<T> => {
  const started = Date.now();
  const result = await task();
  setup[label] = Date.now() - started;
  console.log(`setup: ${label} ${setup[label]} ms`);
  return result;
};

try {
  const files = fleetFiles();
  console.log(`fleet: ${JSON.stringify(files.counts)}, mapped space ${files.mappedSpace}, ${files.merged} cooperations merged; database ${DATABASE}`);
  s.cliTimeoutMs = 600_000;
  await timed('namespaces', () => s.build());
  if (DATABASE === 'pg') pg = await startTestPostgres({ netns: s.ns.cp });
  const databaseUrl = pg ? pg.url : `sqlite:${join(s.work, 'data', 'plantgate.db')}`;
  s.serverOptions = { args: ['--mapped-space', files.mappedSpace, '--database', databaseUrl], readyTimeoutMs: 600_000 };
  await timed('server start (empty)', () => s.startServer());
  await s.loginAdmin();
  await s.admin(['admin', 'region', 'add', REGION, '--endpoint', `${GATEWAY_IP}:51820`]);
  const fullFile = join(s.work, 'fleet-full.json');
  const withoutRoleBody = join(s.work, 'fleet-without-role.request.json');
  writeFileSync(fullFile, JSON.stringify(files.full));
  // What `plantgate admin apply -f FILE --prune --force` sends: without prune, what the file lacks stays.
  writeFileSync(withoutRoleBody, JSON.stringify({ document: files.withoutRole, dryRun: false, prune: true, force: true }));
  await timed('fleet apply (admin apply, first)', () => s.admin(['admin', 'apply', '-f', fullFile]));
  await timed('server stop', () => s.stopServer());
  const seeded = await timed('seed profiles + agents', () =>
    s.lab.exec(s.ns.cp, NODE, [SEED_SCRIPT, '--database', databaseUrl, '--skip', `${REVOKER.email},${ROLE_USER.email}`, '--skip-plant', BENCH_PLANT, '--agents', String(values.agents)], { timeoutMs: 600_000 }),
  );
  console.log(seeded.stdout.trim());
  await timed('server start (loaded)', () => s.startServer());
  const gateway = await timed('gateway start', async () => s.startGateway({ reconcileSeconds: 30 }));
  await timed('gateway first apply', () => gateway.waitForLine(/"msg":"applied"/, 600_000));
  const agent = await s.startAgent('agentA', `${BENCH_ORG}/${BENCH_PLANT}`);
  await timed('agent first apply', () => agent.waitForLine(/"msg":"applied"/, 120_000));
  const revoker = await s.addUser(REVOKER.email, REVOKER.password);
  const roleUser = await s.addUser(ROLE_USER.email, ROLE_USER.password);
  const token = s.token(revoker);
  await s.issueAndConnect(roleUser);
  const route = (await s.routes(roleUser)).find((r) => r.plant === BENCH_PLANT);
  if (!route) throw new Error('the bench user has no route to the bench plant');
  const device = route.mapped.replace(/\.0\/24$/, '.10');
  const events = () => labEvents([['server', s.server], ['gateway', s.gateway], ['agent', s.agents.get('agentA')]]);
  console.log(`ready; ${TRIALS} revoke trials, ${ROLE_TRIALS} job-role trials, a message every ${INTERVAL_MS} ms, change after ${WARMUP_MS} ms`);

  const record = (kind: Trial['kind'], trial: number, flow: LabProcess, t0: number, request: number) => {
    // A fleet apply answers after its commit: its cut is bounded from the answer on.
    const cut = readCut(parseFlow(flow.output()), t0, (kind === 'role' ? request : 0) + CUT_BOUND_MS);
    if (typeof cut === 'string') {
      failures.push(`${kind} trial ${trial}: ${cut}`);
      console.log(`${kind} trial ${trial}: FAILED ${cut}`);
      return;
    }
    const steps = timeline(events(), t0, Math.max(cut.firstDropped, request) + 500);
    trials.push({ kind, trial, request, steps, ...cut });
    if (cut.echoesBefore < 10) failures.push(`${kind} trial ${trial}: only ${cut.echoesBefore} echoes before t0`);
    if (cut.lateEchoes > 0) failures.push(`${kind} trial ${trial}: ${cut.lateEchoes} echoes later than ${CUT_BOUND_MS} ms after ${kind === 'role' ? 'the answer' : 't0'}`);
    const path = [...steps].map(([step, ms]) => `${step} ${ms}`).join(', ');
    console.log(`${kind} trial ${String(trial).padStart(3)}: first dropped ${String(cut.firstDropped).padStart(5)} ms, request ${String(request).padStart(5)} ms | ${path}`);
  };

  for (let trial = 1; trial <= TRIALS; trial++) {
    await s.issueAndConnect(revoker);
    const ready = await s.waitForAnswer(revoker, device, 'plant-A', READY_MS);
    if (ready !== 'plant-A') throw new Error(`revoke trial ${trial}: the device does not answer before the revoke (${ready})`);
    const flow = s.startFlow(revoker, device, { intervalMs: INTERVAL_MS, durationMs: WARMUP_MS + REVOKE_WAIT_MS, revokeAtMs: WARMUP_MS, token });
    await flow.waitForLine(/^done/, WARMUP_MS + REVOKE_WAIT_MS + 30_000).catch(() => {});
    await flow.stop();
    const sample = parseFlow(flow.output());
    if (sample.revoke?.status !== '200') {
      failures.push(`revoke trial ${trial}: the revoke answered ${sample.revoke?.status ?? 'nothing'}`);
      continue;
    }
    record('revoke', trial, flow, sample.revoke.start, sample.revoke.end - sample.revoke.start);
    await sleep(200);
  }

  const adminToken = s.adminToken();
  for (let trial = 1; trial <= ROLE_TRIALS; trial++) {
    const ready = await s.waitForAnswer(roleUser, device, 'plant-A', READY_MS);
    if (ready !== 'plant-A') throw new Error(`job-role trial ${trial}: the device does not answer before the change (${ready})`);
    const flow = s.startFlow(roleUser, device, {
      intervalMs: INTERVAL_MS,
      durationMs: WARMUP_MS + ROLE_WAIT_MS,
      revokeAtMs: WARMUP_MS,
      token: adminToken,
      request: { path: '/admin/fleet', bodyFile: withoutRoleBody },
    });
    await flow.waitForLine(/^done/, ROLE_WAIT_MS + WARMUP_MS + 30_000).catch(() => {});
    await flow.stop();
    const sample = parseFlow(flow.output());
    if (sample.request?.status !== '200') failures.push(`job-role trial ${trial}: the fleet apply answered ${sample.request?.status ?? 'nothing'}`);
    else record('role', trial, flow, sample.request.start, sample.request.end - sample.request.start);
    // Back to the full fleet through the CLI, as an operator does it (timed, not part of the cut).
    const restore = await s.admin(['admin', 'apply', '-f', fullFile]);
    cliApplies.push(restore.ms);
    if (!/operator/i.test(restore.stdout)) failures.push(`job-role trial ${trial}: restoring the job role did not report it: ${restore.stdout.slice(0, 200)}`);
  }
} catch (error) {
  failures.push(`setup/run: ${(error as Error).message}`);
  console.error(error);
} finally {
  await stop();
}

const report: Record<string, unknown> = { bench: 'B3-scale', users: USERS, database: DATABASE, intervalMs: INTERVAL_MS, setupMs: setup };
for (const kind of ['revoke', 'role'] as const) {
  const mine = trials.filter((t) => t.kind === kind);
  if (!mine.length) continue;
  const firstDropped = summary(mine.map((t) => t.firstDropped));
  const lastThrough = summary(mine.map((t) => t.lastThrough));
  const request = summary(mine.map((t) => t.request));
  const steps = timelineSummary(mine.map((t) => t.steps));
  const label = kind === 'revoke' ? 'revoke (POST /vpn/profile/revoke)' : 'job-role removal (plantgate admin apply -f)';
  console.log(`\n${label}: ms after t0 (n=${mine.length})\n| | p50 | p90 | p99 | max | min |\n|---|---|---|---|---|---|`);
  console.log(summaryRow('first dropped message (sent)', firstDropped));
  console.log(summaryRow('last echo through (arrived)', lastThrough));
  console.log(summaryRow(kind === 'revoke' ? 'revoke API answer' : 'POST /admin/fleet answer', request));
  const afterAnswer = summary(mine.map((t) => t.firstDropped - t.request));
  console.log(summaryRow('first dropped − API answer', afterAnswer));
  if (kind === 'role' && cliApplies.length) console.log(summaryRow('`plantgate admin apply -f` restoring the role (CLI wall)', summary(cliApplies)));
  for (const { step, summary: x } of steps) console.log(summaryRow(`log: ${step}`, x));
  console.log(`goal p99(first dropped) < ${CUT_BOUND_MS} ms: ${firstDropped.p99 < CUT_BOUND_MS ? 'met' : 'NOT met'}`);
  report[kind] = { trials: mine.length, firstDropped, lastThrough, request, afterAnswer, ...(kind === 'role' ? { cliApply: summary(cliApplies) } : {}), steps: Object.fromEntries(steps.map(({ step, summary: x }) => [step, { p50: x.p50, p99: x.p99, n: x.n }])) };
}
for (const failure of failures) console.log(`FAILED ${failure}`);
report.failures = failures;
console.log(`RESULT ${JSON.stringify(report)}`);
const missed = (['revoke', 'role'] as const).some((k) => ((report[k] as { firstDropped?: Summary } | undefined)?.firstDropped?.p99 ?? 0) >= CUT_BOUND_MS);
process.exitCode = failures.length || missed ? 1 : 0;
