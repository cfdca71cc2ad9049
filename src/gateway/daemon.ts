import { GatewaySecrets } from '../core/wire/daemon.ts';
import type { GatewayControlPlane } from '../daemon/control-plane.ts';
import { loadOrCreateKeyPair, loadOrEnrol } from '../daemon/identity.ts';
import type { DaemonPorts } from '../daemon/ports.ts';
import type { RunningDaemon } from '../daemon/running-daemon.ts';
import { statusReport } from '../daemon/status-report.ts';
import { SyncLoop, type SyncLoopOptions } from '../daemon/sync-loop.ts';
import { loadContact, saveContact } from '../daemon/contact.ts';
import { answerNotOlder } from '../daemon/not-older.ts';
import { GatewayDocumentStore } from './document-store.ts';
import { type GatewayUpdate, GatewaySync, touchesOpenVpn } from './gateway-sync.ts';
import { GatewayOpenVpn, type GatewayOpenVpnConfig, type PeerSource } from './openvpn-service.ts';
import type { OpenVpnDriver } from '../os/openvpn/openvpn-driver.ts';
import type { ConntrackFlush } from '../os/conntrack/conntrack-flush.ts';
import type { GatewayInterfaces } from './nft-ruleset.ts';
import type { ConntrackSource } from '../os/conntrack/conntrack-source.ts';
import { FlowAccounting } from '../daemon/flow-accounting.ts';
import { FlowCapture } from '../daemon/flow-capture.ts';
import { FlowSpool, type SpoolFiles } from '../daemon/flow-spool.ts';
import { ProxyFlowReporter } from './proxy/proxy-flow-reporter.ts';
import { cookieKeyOf } from './proxy/session-cookie.ts';
import { ProxyHost, type ProxyHostConfig } from './proxy/proxy-host.ts';

/**
 * The region gateway daemon: enrol once, register at every (re)connect, then keep the
 * data plane equal to the desired state (SyncLoop). Everything outside comes in as a
 * port, so the whole daemon runs in unit tests on fakes; main.ts wires the real ones.
 */

export type GatewayDaemonConfig = {
  token?: string;
  name?: string;
  /** HOST:PORT agents dial. */
  siteEndpoint: string;
  userPort: number;
  sitePort: number;
  ifaces: GatewayInterfaces;
  table: string;
  keepOnExit: boolean;
  version: string;
  loop?: Partial<SyncLoopOptions>;
  /** Flow capture for the audit trail (issue 10); off when absent. */
  flows?: { reportMs: number; maxSpoolBatches?: number };
  /** The personal-VPN OpenVPN servers (issue 11, SPEC P9); off when absent. */
  openvpn?: GatewayOpenVpnConfig;
  /** The browser proxy (issue 12): served while the desired document has a `proxy` section; off when absent. */
  proxy?: ProxyHostConfig;
};

/** `conntrack` and `flowSpool`: the flow capture's source and spool directory (both needed for it to run). */
export type GatewayDaemonPorts = DaemonPorts<GatewayControlPlane> & {
  conntrack?: ConntrackSource;
  flowSpool?: SpoolFiles;
  openvpn?: OpenVpnDriver;
  conntrackFlush?: ConntrackFlush;
};

export async function startGatewayDaemon(config: GatewayDaemonConfig, ports: GatewayDaemonPorts, signal?: AbortSignal): Promise<RunningDaemon> {
  const { store, log, clock } = ports;
  const identity = await loadOrEnrol({ kind: 'gateway', store, enrolment: ports.enrolment, token: config.token, name: config.name, clock, log, signal });
  const siteKey = await loadOrCreateKeyPair(store);
  const api = ports.controlPlane(identity);
  const openvpn = openVpnService(config, ports);
  const syncConfig = openvpn ? { ...config, ifaces: { ...config.ifaces, openvpn: openvpn.interfaceNames } } : config;
  // the browser proxy's cookie key comes with the service key (kept in the state dir: a restart without the control plane keeps the sessions)
  let proxyCookieKey: Buffer | null = null;
  const sync = new GatewaySync(syncConfig, ports, siteKey, async () => {
    const secrets = await api.secrets();
    const saved = GatewaySecrets.safeParse(await store.read('secrets'));
    if (!saved.success || saved.data.servicePrivateKey !== secrets.servicePrivateKey || saved.data.proxyCookieKey !== secrets.proxyCookieKey) await store.write('secrets', secrets);
    proxyCookieKey = cookieKeyOf(secrets.proxyCookieKey);
    return secrets;
  });
  const savedSecrets = GatewaySecrets.safeParse(await store.read('secrets'));
  if (savedSecrets.success) {
    sync.setSecrets(savedSecrets.data);
    proxyCookieKey = cookieKeyOf(savedSecrets.data.proxyCookieKey);
  }
  const documents = new GatewayDocumentStore(store, log);
  const savedDocument = await documents.load();
  const saved = savedDocument === null ? null : sync.restore(savedDocument);

  const spool = flowSpool(config, ports, identity.id, api);
  const capture = flowCapture(config, ports, identity.id, spool);
  const proxyFlows = new ProxyFlowReporter({
    spool,
    log,
    sourceIp: () => sync.document?.header.gateway?.siteTunnelIp ?? null,
    intervalMs: config.flows?.reportMs ?? 60_000,
  });
  const proxy =
    config.proxy === undefined
      ? null
      : new ProxyHost(config.proxy, { log, now: () => clock.now(), onRequest: (request) => proxyFlows.record(request), cookieKey: () => proxyCookieKey });
  const trackTunnelRange = () => capture?.accounting.setTunnelRange(sync.document?.header.tunnelRange ?? null);
  trackTunnelRange();

  const loop = new SyncLoop<GatewayUpdate>(
    {
      clock,
      log,
      metrics: ports.metrics,
      random: ports.random,
      onCredentialRejected: ports.onCredentialRejected,
      connect: async () => {
        const { siteTunnelIp } = await api.register({ sitePublicKey: siteKey.publicKey, siteEndpoint: config.siteEndpoint });
        await sync.refreshSecrets();
        log.info('registered', { siteTunnelIp, siteEndpoint: config.siteEndpoint, sitePublicKey: siteKey.publicKey });
      },
      fetch: async (after, waitSeconds, fetchSignal) => {
        const answer = await answerNotOlder(
          () => api.state({ after, waitSeconds, signal: fetchSignal }),
          (message) => (message.kind === 'full' ? message.state.revision : null),
          after,
          { clock, log, signal: fetchSignal },
        );
        const update = await sync.receive(answer);
        if (update !== 'resync') return update;
        log.info('the delta does not follow the revision held: fetching the full document', { held: sync.document?.revision ?? null });
        const full = await sync.receive(await api.state({ after: null, waitSeconds, signal: fetchSignal }));
        if (full === 'resync') throw new Error('the control plane answered a request for the full document with a delta');
        return full;
      },
      prepare: (_update, reason) => sync.prepare(reason),
      apply: async (update, reason, access) => {
        // first, and synchronously inside: a session that left the document is cut before the data plane's turn
        const proxied = proxy?.update(sync.document?.header.proxy, access === 'withdrawn', (plantId) => sync.document?.site(plantId));
        const result = await sync.apply(update, reason, access);
        trackTunnelRange();
        await proxied;
        const document = sync.document;
        if (openvpn === null || document === null) return result;
        // nft has already cut a removed client's traffic; its session goes now, then the CRL follows
        const source = access === 'withdrawn' ? withdrawnSource(document) : document;
        const killed = await openvpn.enforce(source);
        const materialMoved = update.change === null || touchesOpenVpn(update.change.delta);
        if (materialMoved && reason !== 'restore' && api.openvpn) {
          const answer = await api.openvpn().catch((error) => {
            log.warn('could not fetch the OpenVPN material', { error: (error as Error).message });
            return null;
          });
          if (answer !== null) await openvpn.update(answer.material, source);
        }
        const note = killed.length > 0 ? `openvpn sessions ended: ${killed.join(', ')}` : null;
        return [result, note].filter((part) => part !== null).join('; ') || null;
      },
      // Not awaited: a delta is one appended line, a full document a snapshot written in chunks.
      persist: async (update) => {
        const document = sync.document;
        if (document === null) return;
        if (update.change !== null) void documents.recordDelta(document, update.change.delta);
        else void documents.recordFull(document);
      },
      persistContact: (at) => saveContact(store, at),
      report: async (status) => {
        const openVpnPeers = openvpn === null ? [] : await openvpn.peerReport(Math.floor(clock.now() / 1000));
        await api.status(statusReport(status, config.version, [...openVpnPeers, ...(await sync.peerReport())], clock.now()));
      },
    },
    config.loop,
  );
  loop.start(saved, await loadContact(store));
  if (capture !== null) {
    try {
      await capture.capture.start();
      log.info('flow capture started', { reportSeconds: (config.flows?.reportMs ?? 0) / 1000 });
    } catch (error) {
      // The data plane matters more than the trail: the gateway runs on, and says why loudly.
      log.error('flow capture could not start: no flow records from this gateway', { error: (error as Error).message });
    }
  }
  if (proxy !== null) proxyFlows.start();
  log.info('gateway started', { id: identity.id, name: identity.name, region: identity.region, interfaces: config.ifaces, table: config.table });
  return {
    identity,
    loop: loop as unknown as SyncLoop<{ revision: number }>,
    stop: async () => {
      await loop.stop();
      await proxy?.stop();
      await proxyFlows.stop();
      if (capture !== null) await capture.capture.stop();
      else await spool?.stop();
      await openvpn?.stop();
      await documents.flush();
      if (config.keepOnExit) {
        log.info('stopped; data plane left running (--keep-on-exit)');
        return;
      }
      await sync.teardown();
      log.info('stopped; interfaces and table removed');
    },
  };
}

function openVpnService(config: GatewayDaemonConfig, ports: GatewayDaemonPorts): GatewayOpenVpn | null {
  if (config.openvpn === undefined || ports.openvpn === undefined) return null;
  return new GatewayOpenVpn(config.openvpn, { openvpn: ports.openvpn, ip: ports.ip, log: ports.log, conntrack: ports.conntrackFlush });
}

/** Fail static past the max age: no user is served, so no OpenVPN client either. */
function withdrawnSource(document: PeerSource): PeerSource {
  return { peer: () => undefined, nativeOf: () => [], header: document.header };
}

/** The spool of flow batches (conntrack's and the browser proxy's), when the gateway has a spool directory and the control plane takes flows. */
function flowSpool(config: GatewayDaemonConfig, ports: GatewayDaemonPorts, gatewayId: string, api: GatewayControlPlane): FlowSpool | null {
  if (ports.flowSpool === undefined || api.flows === undefined) return null;
  return new FlowSpool({
    daemonId: gatewayId,
    files: ports.flowSpool,
    upload: api.flows.bind(api),
    now: () => ports.clock.now(),
    random: ports.random ?? Math.random,
    log: ports.log,
    maxBatches: config.flows?.maxSpoolBatches,
  });
}

function flowCapture(config: GatewayDaemonConfig, ports: GatewayDaemonPorts, gatewayId: string, spool: FlowSpool | null) {
  const { conntrack } = ports;
  if (config.flows === undefined || conntrack === undefined || spool === null) return null;
  const accounting = new FlowAccounting({ daemonId: gatewayId });
  const capture = new FlowCapture({
    daemonId: gatewayId,
    source: conntrack,
    accounting,
    spool,
    clock: ports.clock,
    log: ports.log,
    intervalMs: config.flows.reportMs,
    openFlows: { load: () => ports.store.read('flow-open'), save: (snapshot) => ports.store.write('flow-open', snapshot) },
    metrics: ports.metrics.registry,
  });
  return { accounting, capture };
}
