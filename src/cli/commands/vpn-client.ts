import { spawn } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { renderOwnClientStatus, statusOf } from '../../core/own-client/status.ts';
import { ProfileChanges, ProfileConfigParts, ProfileGatewayStatus, RouteView } from '../../core/wire/api.ts';
import { IpCliConfigDriver } from '../../os/ip/ip-cli-config-driver.ts';
import { WireGuardGoDriver } from '../../os/wireguard/wireguard-go-driver.ts';
import { alive, DEFAULT_STATE_DIR, logPath, readState, removeState } from '../../own-client/state-file.ts';
import { OwnClientSupervisor } from '../../own-client/supervisor.ts';
import { CliError, type Io, client, printJson } from '../context.ts';

/**
 * `plantgate vpn up | down` and the local half of `vpn status` (issue 11 item 3): the own
 * client for Linux. `up` starts a supervising process (itself, with --foreground) and
 * returns once the tunnel is up; `down` stops it by the PID in the state file.
 */

const DEFAULT_INTERFACE = 'plantgate0';
const START_WAIT_MS = 30_000;
const STOP_WAIT_MS = 10_000;

type UpOptions = { config: string; stateDir: string; interface: string; foreground?: boolean; pollMs: string };

export function registerOwnClientCommands(vpn: Command, io: Io): void {
  vpn
    .command('up')
    .description('bring the tunnel up from your WireGuard file and keep it in sync (routes, region failover) until vpn down; needs root')
    .option('--config <file>', 'the WireGuard config written by vpn issue', 'plantgate.conf')
    .option('--interface <name>', 'the WireGuard interface to create', DEFAULT_INTERFACE)
    .option('--state-dir <dir>', 'where the pid and status live', DEFAULT_STATE_DIR)
    .option('--poll-ms <ms>', 'besides the long-poll for route changes: how often routes and the gateways\u2019 reports are read anyway', '10000')
    .option('--foreground', 'run the supervising process here instead of in the background')
    .action(async (opts: UpOptions) => {
      const config = resolvePath(opts.config);
      if (!existsSync(config)) throw new CliError(`--config: ${config} does not exist (write one with plantgate vpn issue --out FILE)`, 'usage');
      const pollMs = Number(opts.pollMs);
      if (!Number.isInteger(pollMs) || pollMs < 200 || pollMs > 600_000) throw new CliError('--poll-ms: must be an integer from 200 to 600000', 'usage');
      const running = readState(opts.stateDir);
      if (running && alive(running.pid)) throw new CliError(`already up (pid ${running.pid}, interface ${running.interface}): run plantgate vpn down first`, 'conflict');
      if (running) removeState(opts.stateDir);
      if (opts.foreground) return runForeground(io, { ...opts, config }, pollMs);
      await startBackground(io, { ...opts, config });
    });

  vpn
    .command('down')
    .description('stop the tunnel started by vpn up: its interface and routes are removed')
    .option('--state-dir <dir>', 'where vpn up keeps the pid and status', DEFAULT_STATE_DIR)
    .action(async (opts: { stateDir: string }) => {
      const state = readState(opts.stateDir);
      if (!state) throw new CliError('not up: no plantgate tunnel is running (nothing to stop)', 'not-found');
      try {
        if (alive(state.pid)) process.kill(state.pid, 'SIGTERM');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EPERM') throw new CliError(`vpn down: not allowed to stop pid ${state.pid} (started with sudo? run sudo plantgate vpn down)`, 'auth');
        throw error;
      }
      const deadline = Date.now() + STOP_WAIT_MS;
      while (alive(state.pid) && Date.now() < deadline) await sleep(100);
      if (alive(state.pid)) {
        process.kill(state.pid, 'SIGKILL');
        await sleep(200);
      }
      // A supervisor that died without cleaning up leaves its interface: remove it here.
      await new WireGuardGoDriver().deleteInterface(state.interface);
      removeState(opts.stateDir);
      io.out(`down: ${state.interface} and its routes removed`);
    });
}

/** The local own client's status when one runs; null otherwise (then `vpn status` asks the gateways). */
export function ownClientStatus(io: Io, stateDir: string, json: boolean): boolean {
  const state = readState(stateDir);
  if (!state || !alive(state.pid) || state.phase !== 'up') return false;
  if (json) printJson(io, statusOf(state));
  else io.out(renderOwnClientStatus(state, new Date()));
  return true;
}

async function startBackground(io: Io, opts: UpOptions): Promise<void> {
  mkdirSync(opts.stateDir, { recursive: true, mode: 0o755 });
  const log = openSync(logPath(opts.stateDir), 'a', 0o644);
  const args = [...process.execArgv, process.argv[1] ?? '', 'vpn', 'up', '--foreground', '--config', opts.config, '--interface', opts.interface, '--state-dir', opts.stateDir, '--poll-ms', opts.pollMs];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', log, log], env: io.env });
  closeSync(log);
  const pid = child.pid ?? 0;
  child.unref();
  const deadline = Date.now() + START_WAIT_MS;
  while (Date.now() < deadline) {
    const state = readState(opts.stateDir);
    if (state?.pid === pid && state.phase === 'up') {
      io.out(`up: ${state.interface} dials ${state.endpoint} (region ${state.region ?? 'unknown'}), pid ${pid}; routes follow your permissions; stop with plantgate vpn down`);
      return;
    }
    if (!alive(pid)) throw new CliError(`vpn up failed: see ${logPath(opts.stateDir)}`);
    await sleep(100);
  }
  process.kill(pid, 'SIGTERM');
  throw new CliError(`vpn up: not up within ${START_WAIT_MS / 1000} s (see ${logPath(opts.stateDir)})`);
}

async function runForeground(io: Io, opts: UpOptions, pollMs: number): Promise<void> {
  const api = client(io);
  const supervisor = new OwnClientSupervisor({
    configPath: opts.config,
    stateDir: opts.stateDir,
    iface: opts.interface,
    wg: new WireGuardGoDriver(),
    ip: new IpCliConfigDriver(),
    controlPlane: {
      changes: async (after, waitS, signal) =>
        (await api.get(after === null ? '/vpn/profile/changes' : `/vpn/profile/changes?after=${after}&wait=${waitS}`, ProfileChanges, { signal })).revision,
      profile: () => api.get('/vpn/profile', ProfileConfigParts),
      routes: () => api.get('/vpn/routes', z.array(RouteView)),
      gatewayStatus: () => api.get('/vpn/profile/status', z.array(ProfileGatewayStatus)),
    },
    resolve: async (host) => (await lookup(host, { all: true, family: 4, order: 'verbatim' })).map((a) => a.address),
    log: (line) => io.err(`${new Date().toISOString()} ${line}`),
    pollMs,
  });
  try {
    await supervisor.start();
  } catch (error) {
    throw new CliError(`vpn up: ${(error as Error).message}`);
  }
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      supervisor.stop().finally(done);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
