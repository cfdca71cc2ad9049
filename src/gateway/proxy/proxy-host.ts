import { readFile } from 'node:fs/promises';
import type { GatewayProxy, GatewaySite } from '../../core/wire/gateway-state.ts';
import { errorMessage, type Logger } from '../../daemon/log.ts';
import { BrowserProxy } from './browser-proxy.ts';
import { withDeviceAddresses } from './device-address.ts';
import type { ProxiedRequest } from './proxy-flows.ts';
import { proxyCertificateNames, selfSignedCertificate } from './self-signed.ts';

/**
 * The browser proxy as the gateway daemon runs it: started when the desired document has a
 * `proxy` section, given each new section (sessions that left it are cut at once), restarted
 * when the domain or port moves, stopped when the section goes or the gateway stops.
 */

export type ProxyHostConfig = {
  /** Address to listen on (default all). */
  listenHost: string;
  /** Port to listen on; default the document's port (what the URLs name). */
  listenPort?: number;
  /** PEM files of the certificate (chain) and key for `*.<domain>`; without them a self-signed one is made (development). */
  certFile?: string;
  keyFile?: string;
};

export class ProxyHost {
  private readonly config: ProxyHostConfig;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly onRequest: (request: ProxiedRequest) => void;
  private readonly cookieKey: () => Buffer | null;
  private running: { proxy: BrowserProxy; key: string } | null = null;
  private queue: Promise<void> = Promise.resolve();

  /** `cookieKey`: the fleet's proxy cookie key from the gateway's secrets (null until known: cookies of this process only). */
  constructor(config: ProxyHostConfig, ports: { log: Logger; now: () => number; onRequest: (request: ProxiedRequest) => void; cookieKey?: () => Buffer | null }) {
    this.config = config;
    this.log = ports.log;
    this.now = ports.now;
    this.onRequest = ports.onRequest;
    this.cookieKey = ports.cookieKey ?? (() => null);
  }

  get proxy(): BrowserProxy | null {
    return this.running?.proxy ?? null;
  }

  /**
   * Takes the document's section. Sessions are cut synchronously when the proxy runs
   * already (the < 1 s bound does not wait for a restart); `withdrawn`: user access is
   * withdrawn (fail static past its limit), so no session is served.
   */
  update(section: GatewayProxy | undefined, withdrawn: boolean, siteOf: (plantId: string) => GatewaySite | undefined = () => undefined): Promise<void> {
    const part = section === undefined ? null : withDeviceAddresses({ targets: section.targets, sessions: withdrawn ? [] : section.sessions }, siteOf);
    const key = section === undefined ? null : `${section.domain}:${section.port}`;
    if (this.running !== null && part !== null && this.running.key === key) this.running.proxy.apply(part);
    this.queue = this.queue.then(async () => {
      try {
        if (this.running !== null && this.running.key !== key) await this.stopRunning();
        if (section === undefined || part === null || key === null) return;
        if (this.running === null) this.running = { proxy: await this.startProxy(section), key };
        this.running.proxy.apply(part);
      } catch (error) {
        this.log.error('browser proxy could not start: web targets are not served by this gateway', { error: errorMessage(error) });
      }
    });
    return this.queue;
  }

  stop(): Promise<void> {
    this.queue = this.queue.then(() => this.stopRunning());
    return this.queue;
  }

  private async stopRunning(): Promise<void> {
    const running = this.running;
    this.running = null;
    if (running !== null) {
      await running.proxy.stop();
      this.log.info('browser proxy stopped');
    }
  }

  private async startProxy(section: GatewayProxy): Promise<BrowserProxy> {
    const proxy = new BrowserProxy({
      domain: section.domain,
      listen: { host: this.config.listenHost, port: this.config.listenPort ?? section.port },
      publicPort: section.port,
      tls: await this.certificate(section.domain),
      now: this.now,
      log: this.log,
      onRequest: this.onRequest,
      cookieKey: this.cookieKey,
    });
    await proxy.start();
    return proxy;
  }

  private async certificate(domain: string): Promise<{ cert: Buffer | string; key: Buffer | string }> {
    const { certFile, keyFile } = this.config;
    if (certFile !== undefined && keyFile !== undefined) return { cert: await readFile(certFile), key: await readFile(keyFile) };
    this.log.warn('browser proxy: no --proxy-cert/--proxy-key, serving a self-signed certificate (browsers will warn)', {
      names: proxyCertificateNames(domain),
    });
    return selfSignedCertificate(proxyCertificateNames(domain), new Date(this.now()));
  }
}
