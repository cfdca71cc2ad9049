/**
 * B5 — throughput cost of plantgate's gateway ruleset.
 *
 *   user ──wg──▶ gateway ──wg──▶ agent ──▶ device (iperf3 -s, 192.168.1.10)
 *   (wireguard-go on every hop: the user's client, the gateway's users and sites
 *    interfaces, the agent's tunnel; the agent's DNAT table maps 100.127.250.0/24 → 192.168.1.0/24)
 *
 * iperf3 client in the user namespace → the device's mapped address, alternating between
 *   full:  the gateway's whole DESIGN table with a realistic fill (10,000 users,
 *          85,000 allowed + 15,000 native elements) plus the test user's own entries,
 *          applied by applyGatewayState (a full reload when coming from "empty");
 *   empty: plantgate's gateway table holding only what forwarding through the same
 *          WireGuard path needs — the masquerade toward the sites interface (the agent
 *          only accepts the gateway's service address as source) — no sets, no filter,
 *          no DNAT. Same interfaces, same peers.
 * Runs are interleaved in pairs whose order alternates (full/empty, empty/full, …) so a
 * slow drift of the shared machine hits both sides alike. Result: median of each and the
 * ratio of medians (target ≥ 0.9).
 *
 *   npx node bench/b5-throughput.ts [--pairs 5] [--seconds 10] [--seed 1]
 *        [--users 10000] [--allowed 85000] [--native 15000]   (the fill, for a size sweep)
 *
 * Every address lives in namespaces this script creates; every process is stopped by PID
 * and every namespace deleted at the end, also on failure or Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { renderAgentRuleset } from '../src/agent/nft-ruleset.ts';
import type { GatewayDesiredState } from '../src/core/wire/gateway-state.ts';
import { applyGatewayState, type GatewayDataPlane } from '../src/gateway/apply.ts';
import { NftCliDriver } from '../src/os/nft/nft-cli-driver.ts';
import { WireGuardGoDriver } from '../src/os/wireguard/wireguard-go-driver.ts';
import { DEFAULT_TABLE_NAME, quotedInterface } from '../src/os/nft/nft-names.ts';
import { generateWireGuardKeyPair } from '../src/crypto/wireguard-keys.ts';
import { assertNetnsCapable, NetnsLab } from '../test/e2e/netns.ts';
import { wgQuickUp } from '../test/e2e/wg-quick.ts';
import { generateGatewayFill } from './gateway-fill.ts';

const { values: args } = parseArgs({
  options: {
    pairs: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    users: { type: 'string', default: '10000' },
    allowed: { type: 'string', default: '85000' },
    native: { type: 'string', default: '15000' },
  },
});
const PAIRS = Number(args.pairs);
const SECONDS = Number(args.seconds);
if (!(PAIRS >= 1 && PAIRS <= 20 && SECONDS >= 1 && SECONDS <= 60)) throw new Error('--pairs 1..20, --seconds 1..60');

const TEST_MAPPED = '100.127.250.0/24'; // outside the fill's mapped prefixes, inside 100.96.0.0/11
const DEVICE_REAL = '192.168.1.10';
const DEVICE_MAPPED = '100.127.250.10';
const LAN = '192.168.1.0/24';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
const mbit = (bps: number) => `${(bps / 1e6).toFixed(1)} Mbit/s`;

async function main() {
  await assertNetnsCapable();
  const lab = new NetnsLab();
  const wgDrivers: Array<{ driver: WireGuardGoDriver; name: string }> = [];
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    for (const { driver, name } of wgDrivers) await driver.deleteInterface(name).catch(() => {});
    await lab.cleanup();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    cleanup().finally(() => process.kill(process.pid, signal));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const ns = {
      user: await lab.addNamespace('b5u'),
      gw: await lab.addNamespace('b5g'),
      agent: await lab.addNamespace('b5a'),
      lan: await lab.addNamespace('b5l'),
    };
    await lab.addVeth(
      { ns: ns.user, iface: 'up0', address: '10.200.1.2/30' },
      { ns: ns.gw, iface: 'us0', address: '10.200.1.1/30' },
    );
    await lab.addVeth(
      { ns: ns.agent, iface: 'up0', address: '10.200.3.2/30' },
      { ns: ns.gw, iface: 'ag0', address: '10.200.3.1/30' },
    );
    await lab.addVeth(
      { ns: ns.agent, iface: 'lan0', address: '192.168.1.1/24' },
      { ns: ns.lan, iface: 'eth0', address: `${DEVICE_REAL}/24` },
    );
    for (const router of [ns.gw, ns.agent]) await lab.enableForwarding(router);

    const keys = {
      service: generateWireGuardKeyPair(),
      sites: generateWireGuardKeyPair(),
      agent: generateWireGuardKeyPair(),
      user: generateWireGuardKeyPair(),
    };
    const fill = generateGatewayFill({
      seed: Number(args.seed),
      users: Number(args.users),
      allowed: Number(args.allowed),
      native: Number(args.native),
    });
    const userIp = fill.nextUserIp();
    // The test user: its peer, ~10 routes like everybody else (the test plant among
    // them) and one native entry, mixed into the fill.
    const extraRoutes = fill.subnets.slice(100, 109).map((subnet) => ({ userIp, mapped: subnet.mapped }));
    const state: GatewayDesiredState = {
      ...fill.state,
      servicePublicKey: keys.service.publicKey,
      peers: [
        ...fill.state.peers,
        {
          publicKey: keys.user.publicKey,
          tunnelIp: userIp,
          profileId: 'bench-user',
        },
      ],
      allowed: [...fill.state.allowed, ...extraRoutes, { userIp, mapped: TEST_MAPPED }],
      native: [...fill.state.native, { userIp, native: LAN, mapped: TEST_MAPPED }],
      sites: [
        ...fill.state.sites,
        {
          plantId: 'bench',
          plantName: 'bench-plant',
          agentPublicKey: keys.agent.publicKey,
          agentTunnelIp: '100.73.255.1',
          translations: [{ mapped: TEST_MAPPED, real: LAN }],
        },
      ],
    };

    // Gateway, through the real applier.
    const gwWireGuard = new WireGuardGoDriver({
      netns: ns.gw,
      timeoutMs: 60_000,
    });
    const ifaces = { users: lab.name('pgu'), sites: lab.name('pgs') };
    const gateway: GatewayDataPlane = {
      wireguard: gwWireGuard,
      nft: new NftCliDriver({ netns: ns.gw }),
      ifaces,
      interfaceSpecs: {
        users: {
          name: ifaces.users,
          privateKey: keys.service.privateKey,
          listenPort: 51820,
          addresses: ['100.64.0.1/32'],
          routes: ['100.64.0.0/12'],
        },
        sites: {
          name: ifaces.sites,
          privateKey: keys.sites.privateKey,
          listenPort: 51821,
          addresses: ['100.64.0.1/32'],
          routes: ['100.96.0.0/11', '100.72.0.0/14'],
        },
      },
    };
    for (const name of Object.values(ifaces)) {
      lab.trackWireGuardInterface(name);
      wgDrivers.push({ driver: gwWireGuard, name });
    }
    const setupStart = performance.now();
    await applyGatewayState(state, gateway);
    console.log(
      `B5: gateway up with ${state.peers.length} user peers, ${state.allowed.length} allowed + ${state.native.length} native elements ` +
        `(${((performance.now() - setupStart) / 1000).toFixed(1)} s)`,
    );

    // Agent: site tunnel to the gateway + DNAT table.
    const agentIface = lab.name('pga');
    const agentWireGuard = new WireGuardGoDriver({ netns: ns.agent });
    lab.trackWireGuardInterface(agentIface);
    wgDrivers.push({ driver: agentWireGuard, name: agentIface });
    await agentWireGuard.createInterface({
      name: agentIface,
      privateKey: keys.agent.privateKey,
      listenPort: null,
      addresses: ['100.73.255.1/32'],
      routes: ['100.64.0.1/32'],
    });
    await agentWireGuard.changePeers(agentIface, {
      remove: [],
      upsert: [
        {
          publicKey: keys.sites.publicKey,
          allowedIps: ['100.64.0.1/32'],
          endpoint: '10.200.3.1:51821',
          persistentKeepalive: 25,
        },
      ],
    });
    await new NftCliDriver({ netns: ns.agent }).applyScript(
      renderAgentRuleset([{ mapped: TEST_MAPPED, real: LAN }], {
        tunnel: agentIface,
        lan: 'lan0',
      }),
    );
    await lab.exec(ns.agent, 'ping', ['-c', '1', '-W', '3', '100.64.0.1']);

    // User: a standard client, as wg-quick would set it up.
    const userIface = lab.name('wgu');
    const userWireGuard = new WireGuardGoDriver({ netns: ns.user });
    lab.trackWireGuardInterface(userIface);
    wgDrivers.push({ driver: userWireGuard, name: userIface });
    await wgQuickUp(
      lab,
      ns.user,
      userIface,
      `[Interface]\nPrivateKey = ${keys.user.privateKey}\nAddress = ${userIp}/32\n\n[Peer]\nPublicKey = ${keys.service.publicKey}\nEndpoint = 10.200.1.1:51820\nAllowedIPs = 100.96.0.0/11, ${LAN}\nPersistentKeepalive = 25\n`,
      userWireGuard,
    );

    // Device: iperf3 server, stopped by PID in cleanup.
    const server = lab.startProcess(ns.lan, 'iperf3', ['-s', '-B', DEVICE_REAL, '-p', '5201', '--forceflush']);
    await server.waitForLine(/Server listening/, 10_000);

    const nft = new NftCliDriver({ netns: ns.gw });
    const table = DEFAULT_TABLE_NAME;
    const emptyTable = [
      `table ip ${table} {}`,
      `delete table ip ${table}`,
      `table ip ${table} {`,
      '\tchain postrouting {',
      '\t\ttype nat hook postrouting priority srcnat; policy accept;',
      `\t\toifname ${quotedInterface(ifaces.sites)} masquerade`,
      '\t}',
      '}',
      '',
    ].join('\n');
    const setMode = async (mode: 'full' | 'empty') => {
      if (mode === 'empty') await nft.applyScript(emptyTable);
      else {
        const plan = await applyGatewayState(state, gateway);
        if (plan.nft.kind !== 'reload' && plan.nft.kind !== 'unchanged')
          throw new Error(`unexpected plan ${plan.nft.kind}`);
      }
      // Either way, the user's flow must work (and prove the mode is what we think).
      const probe = await lab.exec(ns.gw, 'nft', ['list', 'table', 'ip', table], { timeoutMs: 60_000 });
      const hasSets = probe.stdout.includes('set allowed');
      if (hasSets !== (mode === 'full')) throw new Error(`gateway table is not in mode ${mode}`);
    };
    const iperf = async (seconds: number): Promise<{ bps: number; retransmits: number }> => {
      const { stdout } = await lab.exec(
        ns.user,
        'iperf3',
        ['-c', DEVICE_MAPPED, '-p', '5201', '-t', String(seconds), '-J', '--connect-timeout', '5000'],
        { timeoutMs: (seconds + 30) * 1000 },
      );
      const result = JSON.parse(stdout) as {
        end: {
          sum_received: { bits_per_second: number };
          sum_sent: { retransmits?: number };
        };
      };
      return {
        bps: result.end.sum_received.bits_per_second,
        retransmits: result.end.sum_sent.retransmits ?? 0,
      };
    };

    // Warm-up (handshakes, caches), both modes, not counted.
    await setMode('empty');
    await iperf(2);
    await setMode('full');
    await iperf(2);

    const samples: Record<'full' | 'empty', Array<{ bps: number; retransmits: number }>> = { full: [], empty: [] };
    for (let pair = 0; pair < PAIRS; pair++) {
      const order: Array<'full' | 'empty'> = pair % 2 === 0 ? ['full', 'empty'] : ['empty', 'full'];
      for (const mode of order) {
        await setMode(mode);
        const sample = await iperf(SECONDS);
        samples[mode].push(sample);
        console.log(
          `  pair ${pair + 1}/${PAIRS} ${mode.padEnd(5)}: ${mbit(sample.bps)} (retransmits ${sample.retransmits})`,
        );
      }
    }

    const full = median(samples.full.map((s) => s.bps));
    const empty = median(samples.empty.map((s) => s.bps));
    const ratio = full / empty;
    console.log('');
    console.log(`| gateway nft table | median of ${PAIRS} × ${SECONDS} s | min | max | retransmits (sum) |`);
    console.log('| --- | --- | --- | --- | --- |');
    for (const mode of ['full', 'empty'] as const) {
      const bps = samples[mode].map((s) => s.bps);
      const label =
        mode === 'full'
          ? `full (plantgate table, ${state.allowed.length + state.native.length} elements)`
          : 'empty (masquerade only)';
      console.log(
        `| ${label} | ${mbit(median(bps))} | ${mbit(Math.min(...bps))} | ${mbit(Math.max(...bps))} | ${samples[mode].reduce((a, s) => a + s.retransmits, 0)} |`,
      );
    }
    console.log(`| **ratio full / empty** (target ≥ 0.9) | **${ratio.toFixed(3)}** | | | |`);
    const result = {
      bench: 'B5',
      pairs: PAIRS,
      seconds: SECONDS,
      userPeers: state.peers.length,
      allowed: state.allowed.length,
      native: state.native.length,
      fullMbps: samples.full.map((s) => Math.round(s.bps / 1e5) / 10),
      emptyMbps: samples.empty.map((s) => Math.round(s.bps / 1e5) / 10),
      fullMedianMbps: Math.round(full / 1e5) / 10,
      emptyMedianMbps: Math.round(empty / 1e5) / 10,
      ratio: Math.round(ratio * 1000) / 1000,
      targetMet: ratio >= 0.9,
    };
    console.log(`RESULT ${JSON.stringify(result)}`);
  } finally {
    await cleanup();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

await main();
