import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { resolveServerSettings, type ServerSettings } from '../../server/config.ts';
import { startServer } from '../../server/main.ts';
import { webUiLine } from '../../server/web/static.ts';
import { loadDemoFleet } from '../../server/demo/demo.ts';
import { CliError, type Io } from '../context.ts';

type ServerFlags = Partial<Record<keyof ServerSettings, string>> & { config?: string; demo?: boolean };

export function registerServerCommand(program: Command, io: Io): void {
  program
    .command('server')
    .description('run the control plane: HTTP API, database, desired state for gateways and agents')
    .option('--config <file>', 'YAML config file (env PLANTGATE_CONFIG_FILE); flags > environment > file > defaults; keys: docs/server-config.md')
    .option('--listen <host:port>', 'where to listen (env PLANTGATE_LISTEN; default 127.0.0.1:8080)')
    .option('--database <url>', 'sqlite:PATH (default: sqlite:<data-dir>/plantgate.db) or postgres://… (env PLANTGATE_DATABASE)')
    .option('--data-dir <dir>', 'data directory: SQLite file, master key (env PLANTGATE_DATA_DIR; default ./data)')
    .option('--admin-email <email>', 'platform operator account created on first start (env PLANTGATE_ADMIN_EMAIL)')
    .option('--admin-password <password>', 'its password (env PLANTGATE_ADMIN_PASSWORD; without it a one-time password is printed once)')
    .option('--tunnel-range <cidr>', 'tunnel range, fixed at first start (default 100.64.0.0/12)')
    .option('--mapped-space <cidr>', 'mapped space, fixed at first start (default 100.80.0.0/12)')
    .option('--tls-cert <file>', 'PEM certificate (chain): serve HTTPS directly (env PLANTGATE_TLS_CERT); needs --tls-key')
    .option('--tls-key <file>', 'PEM private key of --tls-cert (env PLANTGATE_TLS_KEY)')
    .option('--log-level <level>', 'trace, debug, info (default), warn, error, fatal, silent (env PLANTGATE_LOG_LEVEL)')
    .option('--metrics-token <token>', 'require this bearer token on GET /metrics (env PLANTGATE_METRICS_TOKEN; prefer the env or the file)')
    .option('--service-name <fqdn>', 'the one name every VPN profile dials, for all regions (env PLANTGATE_SERVICE_NAME; docs/regions.md)')
    .option('--dns-listen <addr:port>', 'answer the service name\u2019s zone here, UDP and TCP (env PLANTGATE_DNS_LISTEN; e.g. 0.0.0.0:53; needs --service-name)')
    .option('--dns-nameservers <names>', 'comma-separated host names of the zone\u2019s nameservers as delegated (env PLANTGATE_DNS_NAMESERVERS; default ns.<service-name>)')
    .option('--proxy-domain <domain>', 'browser proxy: serve web targets at t-….<domain> through the gateways (env PLANTGATE_PROXY_DOMAIN; default: off; docs/browser-proxy.md)')
    .option('--proxy-port <port>', 'the HTTPS port the gateways\' browser proxy listens on (env PLANTGATE_PROXY_PORT; default 443)')
    .option('--demo', 'load a small demo fleet with overlapping plants')
    .action(async (opts: ServerFlags) => {
      const configPath = opts.config ?? (io.env.PLANTGATE_CONFIG_FILE || undefined);
      const resolved = resolveServerSettings({ flags: opts, env: io.env, file: configPath ? readConfigFile(configPath) : undefined, fileName: configPath });
      if (!resolved.ok) throw new CliError(resolved.problems.join('\n'), 2);
      const settings = resolved.settings;
      const server = await startServer(settings, io.out);
      if (opts.demo) {
        const lines = await loadDemoFleet(server.ctx);
        for (const line of lines) io.out(line);
      }
      io.out(webUiLine(server.url));
      io.out(`plantgate control plane on ${server.url} (API ${server.url}/api/v1, OpenAPI ${server.url}/api/openapi.json, metrics ${server.url}/metrics; data in ${join(settings.dataDir)})`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          io.out('stopping');
          server.close().then(resolve, resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`--config ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 2);
  }
  try {
    return parseYaml(text) ?? {};
  } catch (error) {
    throw new CliError(`--config ${path}: not valid YAML: ${(error as Error).message.split('\n')[0]}`, 2);
  }
}
