import { z } from 'zod';
import { resolveRetention } from '../core/audit/retention.ts';
import { type SiemSinkConfig, SiemSinks } from '../core/audit/siem-sink.ts';
import { proxyDomainProblem } from '../core/proxy/web-target.ts';

/**
 * `plantgate server` settings from four sources, highest first: command-line flags,
 * environment (PLANTGATE_…), the YAML config file (`--config FILE`), defaults. Pure: the
 * caller reads the file and passes its parsed content. Every key is documented in
 * docs/server-config.md; an unknown key or a bad value is an error naming the key.
 */

export type ServerSettings = {
  listen: string;
  database: string | undefined;
  dataDir: string;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  tunnelRange: string | undefined;
  mappedSpace: string | undefined;
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  logLevel: LogLevel;
  metricsToken: string | undefined;
  /** Issue 11: the name every profile dials (one for all regions); answered by the built-in DNS responder at `dnsListen`. */
  serviceName: string | undefined;
  dnsListen: string | undefined;
  /** Comma-separated nameserver host names of the zone (the NS records; default `ns.<service-name>`). */
  dnsNameservers: string | undefined;
  /** The browser proxy's domain (docs/browser-proxy.md): targets at `t-….<domain>`; undefined: the proxy is off. */
  proxyDomain: string | undefined;
  /** The HTTPS port the gateways' proxy listens on (default 443). */
  proxyPort: string | undefined;
  /** The audit store (docs/audit.md): config file only, so a shorter retention is always a written decision. */
  audit: AuditSettings;
};

export type AuditSettings = { retentionDays?: number; allowRetentionBelow730Days?: boolean; operatorsMayRead?: boolean; sinks?: SiemSinkConfig[] };

/** The settings that come as one string each from a flag, the environment or the file. */
type StringSetting = Exclude<keyof ServerSettings, 'audit'>;

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const SERVER_DEFAULTS = { listen: '127.0.0.1:8080', dataDir: './data', logLevel: 'info' } as const;

/** Flag / environment variable / config-file path of every setting. */
export const SETTING_SOURCES: Record<StringSetting, { flag: string; env: string; file: string }> = {
  listen: { flag: '--listen', env: 'PLANTGATE_LISTEN', file: 'listen' },
  database: { flag: '--database', env: 'PLANTGATE_DATABASE', file: 'database' },
  dataDir: { flag: '--data-dir', env: 'PLANTGATE_DATA_DIR', file: 'dataDir' },
  adminEmail: { flag: '--admin-email', env: 'PLANTGATE_ADMIN_EMAIL', file: 'adminEmail' },
  adminPassword: { flag: '--admin-password', env: 'PLANTGATE_ADMIN_PASSWORD', file: 'adminPassword' },
  tunnelRange: { flag: '--tunnel-range', env: 'PLANTGATE_TUNNEL_RANGE', file: 'tunnelRange' },
  mappedSpace: { flag: '--mapped-space', env: 'PLANTGATE_MAPPED_SPACE', file: 'mappedSpace' },
  tlsCert: { flag: '--tls-cert', env: 'PLANTGATE_TLS_CERT', file: 'tls.cert' },
  tlsKey: { flag: '--tls-key', env: 'PLANTGATE_TLS_KEY', file: 'tls.key' },
  logLevel: { flag: '--log-level', env: 'PLANTGATE_LOG_LEVEL', file: 'log.level' },
  metricsToken: { flag: '--metrics-token', env: 'PLANTGATE_METRICS_TOKEN', file: 'metrics.token' },
  serviceName: { flag: '--service-name', env: 'PLANTGATE_SERVICE_NAME', file: 'serviceName' },
  dnsListen: { flag: '--dns-listen', env: 'PLANTGATE_DNS_LISTEN', file: 'dns.listen' },
  dnsNameservers: { flag: '--dns-nameservers', env: 'PLANTGATE_DNS_NAMESERVERS', file: 'dns.nameservers' },
  proxyDomain: { flag: '--proxy-domain', env: 'PLANTGATE_PROXY_DOMAIN', file: 'proxy.domain' },
  proxyPort: { flag: '--proxy-port', env: 'PLANTGATE_PROXY_PORT', file: 'proxy.port' },
};

/** A fully qualified host name: dot-separated labels of letters, digits and inner dashes, at least two labels. */
const FQDN = /^(?=.{1,253}\.?$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.?$/i;

const text = z.string().min(1, 'must not be empty').max(4096, 'is too long').refine((value) => !/[\r\n\0]/.test(value), 'must be one line');

/** The config file: every key optional, nothing else allowed. */
export const ServerConfigFile = z
  .object({
    listen: text.optional(),
    database: text.optional(),
    dataDir: text.optional(),
    adminEmail: text.optional(),
    adminPassword: text.optional(),
    tunnelRange: z.cidrv4().optional(),
    mappedSpace: z.cidrv4().optional(),
    tls: z.object({ cert: text.optional(), key: text.optional() }).strict().optional(),
    log: z.object({ level: z.enum(LOG_LEVELS).optional() }).strict().optional(),
    metrics: z.object({ token: text.optional() }).strict().optional(),
    serviceName: text.optional(),
    dns: z.object({ listen: text.optional(), nameservers: text.optional() }).strict().optional(),
    proxy: z.object({ domain: text.optional(), port: z.number().int('must be a whole number').min(1, 'must be 1–65535').max(65535, 'must be 1–65535').optional() }).strict().optional(),
    audit: z
      .object({
        retentionDays: z.number().int('must be a whole number of days').min(1, 'must be at least 1').optional(),
        allowRetentionBelow730Days: z.boolean().optional(),
        operatorsMayRead: z.boolean().optional(),
        /** SIEM sinks (docs/audit.md "Streaming to a SIEM"). */
        sinks: SiemSinks.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type ServerConfigFile = z.infer<typeof ServerConfigFile>;

export type ResolvedSettings = { ok: true; settings: ServerSettings } | { ok: false; problems: string[] };

export function resolveServerSettings(input: {
  flags: Partial<Record<StringSetting, string | undefined>>;
  env: Record<string, string | undefined>;
  /** The parsed YAML document (undefined: no config file). */
  file?: unknown;
  fileName?: string;
}): ResolvedSettings {
  const problems: string[] = [];
  let file: ServerConfigFile = {};
  if (input.file !== undefined && input.file !== null) {
    const parsed = ServerConfigFile.safeParse(input.file);
    if (parsed.success) file = parsed.data;
    else {
      for (const issue of parsed.error.issues) {
        const path = issue.path.join('.');
        const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => (path ? `${path}.${key}` : key)) : [];
        const where = keys.length > 0 ? keys.join(', ') : path || '(top level)';
        const message = issue.code === 'unrecognized_keys' ? 'unknown key (see docs/server-config.md)' : issue.message;
        problems.push(`${input.fileName ?? 'config file'}: ${where}: ${message}`);
      }
    }
  }
  const fromFile: Partial<Record<StringSetting, string | undefined>> = {
    listen: file.listen,
    database: file.database,
    dataDir: file.dataDir,
    adminEmail: file.adminEmail,
    adminPassword: file.adminPassword,
    tunnelRange: file.tunnelRange,
    mappedSpace: file.mappedSpace,
    tlsCert: file.tls?.cert,
    tlsKey: file.tls?.key,
    logLevel: file.log?.level,
    metricsToken: file.metrics?.token,
    serviceName: file.serviceName,
    dnsListen: file.dns?.listen,
    dnsNameservers: file.dns?.nameservers,
    proxyDomain: file.proxy?.domain,
    proxyPort: file.proxy?.port === undefined ? undefined : String(file.proxy.port),
  };
  const pick = (key: StringSetting): string | undefined => {
    const env = input.env[SETTING_SOURCES[key].env];
    return input.flags[key] ?? (env === '' ? undefined : env) ?? fromFile[key];
  };
  const logLevel = pick('logLevel') ?? SERVER_DEFAULTS.logLevel;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(`log level "${logLevel}" (${SETTING_SOURCES.logLevel.flag} / ${SETTING_SOURCES.logLevel.env} / log.level): must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const settings: ServerSettings = {
    listen: pick('listen') ?? SERVER_DEFAULTS.listen,
    database: pick('database'),
    dataDir: pick('dataDir') ?? SERVER_DEFAULTS.dataDir,
    adminEmail: pick('adminEmail'),
    adminPassword: pick('adminPassword'),
    tunnelRange: pick('tunnelRange'),
    mappedSpace: pick('mappedSpace'),
    tlsCert: pick('tlsCert'),
    tlsKey: pick('tlsKey'),
    logLevel: logLevel as LogLevel,
    metricsToken: pick('metricsToken'),
    serviceName: pick('serviceName'),
    dnsListen: pick('dnsListen'),
    dnsNameservers: pick('dnsNameservers'),
    proxyDomain: pick('proxyDomain'),
    proxyPort: pick('proxyPort'),
    audit: file.audit ?? {},
  };
  if (settings.proxyDomain !== undefined) {
    const problem = proxyDomainProblem(settings.proxyDomain);
    if (problem) problems.push(`proxy domain "${settings.proxyDomain}" (--proxy-domain / PLANTGATE_PROXY_DOMAIN / proxy.domain): ${problem}`);
  }
  if (settings.proxyPort !== undefined && !/^([1-9][0-9]{0,4})$/.test(settings.proxyPort)) problems.push(`proxy port "${settings.proxyPort}" (--proxy-port / PLANTGATE_PROXY_PORT / proxy.port): must be 1–65535`);
  else if (settings.proxyPort !== undefined && Number(settings.proxyPort) > 65535) problems.push(`proxy port "${settings.proxyPort}" (--proxy-port / PLANTGATE_PROXY_PORT / proxy.port): must be 1–65535`);
  const retention = resolveRetention({ days: settings.audit.retentionDays, allowBelowMinimum: settings.audit.allowRetentionBelow730Days });
  if (!retention.ok) problems.push(`${input.fileName ?? 'config file'}: ${retention.problem}`);
  if ((settings.tlsCert === undefined) !== (settings.tlsKey === undefined)) {
    problems.push('tls: give both a certificate (--tls-cert / tls.cert) and its key (--tls-key / tls.key), or neither');
  }
  problems.push(...serviceNameProblems(settings));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, settings };
}

function serviceNameProblems(settings: ServerSettings): string[] {
  const problems: string[] = [];
  const name = SETTING_SOURCES.serviceName;
  if (settings.serviceName !== undefined && !FQDN.test(settings.serviceName)) {
    problems.push(`service name "${settings.serviceName}" (${name.flag} / ${name.env} / ${name.file}): must be a fully qualified host name, e.g. vpn.example.com`);
  }
  if (settings.dnsListen !== undefined) {
    if (settings.serviceName === undefined) problems.push(`${SETTING_SOURCES.dnsListen.flag}: needs ${name.flag} (the zone the responder answers for)`);
    if (!/^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.test(settings.dnsListen) || Number(settings.dnsListen.split(':').at(-1)) > 65535) {
      problems.push(`${SETTING_SOURCES.dnsListen.flag} "${settings.dnsListen}": must be ADDR:PORT, e.g. 0.0.0.0:53`);
    }
  }
  for (const ns of (settings.dnsNameservers ?? '').split(',').map((n) => n.trim()).filter(Boolean)) {
    if (!FQDN.test(ns)) problems.push(`${SETTING_SOURCES.dnsNameservers.flag}: "${ns}" is not a fully qualified host name`);
  }
  return problems;
}
