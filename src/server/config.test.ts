import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveServerSettings, type ServerSettings } from './config.ts';

type Row = {
  name: string;
  flags?: Partial<Record<keyof ServerSettings, string>>;
  env?: Record<string, string>;
  file?: unknown;
  expect?: Partial<ServerSettings>;
  problems?: RegExp[];
};

const rows: Row[] = [
  { name: 'defaults when nothing is given', expect: { listen: '127.0.0.1:8080', dataDir: './data', logLevel: 'info', database: undefined, tlsCert: undefined } },
  { name: 'the file sets what flags and environment leave open', file: { listen: '0.0.0.0:8443', dataDir: '/var/lib/plantgate', log: { level: 'warn' } }, expect: { listen: '0.0.0.0:8443', dataDir: '/var/lib/plantgate', logLevel: 'warn' } },
  { name: 'environment beats the file', env: { PLANTGATE_LISTEN: '127.0.0.1:9000' }, file: { listen: '0.0.0.0:8443' }, expect: { listen: '127.0.0.1:9000' } },
  { name: 'a flag beats environment and file', flags: { listen: '127.0.0.1:7000' }, env: { PLANTGATE_LISTEN: '127.0.0.1:9000' }, file: { listen: '0.0.0.0:8443' }, expect: { listen: '127.0.0.1:7000' } },
  { name: 'an empty environment variable counts as unset', env: { PLANTGATE_DATA_DIR: '' }, file: { dataDir: '/srv/pg' }, expect: { dataDir: '/srv/pg' } },
  { name: 'nested keys: tls.cert / tls.key, metrics.token', file: { tls: { cert: '/etc/pg/cert.pem', key: '/etc/pg/key.pem' }, metrics: { token: 'scrape-me' } }, expect: { tlsCert: '/etc/pg/cert.pem', tlsKey: '/etc/pg/key.pem', metricsToken: 'scrape-me' } },
  { name: 'tls from a flag and the file together', flags: { tlsCert: '/a.pem' }, file: { tls: { key: '/b.pem' } }, expect: { tlsCert: '/a.pem', tlsKey: '/b.pem' } },
  { name: 'an unknown key is named, with its path', file: { listn: 'x', tls: { certificate: 'y' } }, problems: [/cfg\.yaml: listn: unknown key/, /cfg\.yaml: tls\.certificate: unknown key/] },
  { name: 'a bad value is named by its key', file: { tunnelRange: '100.64.0.0/33' }, problems: [/tunnelRange/] },
  { name: 'a value with a newline is refused', file: { listen: '127.0.0.1:80\nPostUp = x' }, problems: [/listen: must be one line/] },
  { name: 'a certificate without its key is refused', flags: { tlsCert: '/a.pem' }, problems: [/tls: give both/] },
  { name: 'a log level that does not exist is refused, from any source', env: { PLANTGATE_LOG_LEVEL: 'loud' }, problems: [/log level "loud"/] },
  { name: 'issue 11: service name and DNS listener from flags', flags: { serviceName: 'vpn.example.com', dnsListen: '0.0.0.0:53' }, expect: { serviceName: 'vpn.example.com', dnsListen: '0.0.0.0:53' } },
  { name: 'issue 11: serviceName and dns.* from the file', file: { serviceName: 'vpn.example.com', dns: { listen: '[::]:5353', nameservers: 'cp1.example.com,cp2.example.com' } }, expect: { dnsListen: '[::]:5353', dnsNameservers: 'cp1.example.com,cp2.example.com' } },
  { name: 'issue 11: a service name that is not a host name is refused', flags: { serviceName: 'vpn example' }, problems: [/service name "vpn example".*--service-name/] },
  { name: 'issue 11: --dns-listen without a service name is refused', flags: { dnsListen: '0.0.0.0:53' }, problems: [/--dns-listen: needs --service-name/] },
  { name: 'issue 11: --dns-listen must be ADDR:PORT', flags: { serviceName: 'vpn.example.com', dnsListen: '53' }, problems: [/--dns-listen "53": must be ADDR:PORT/] },
  { name: 'O2: the browser proxy is off by default', expect: { proxyDomain: undefined, proxyPort: undefined } },
  { name: 'O2: proxy.domain and proxy.port from the file', file: { proxy: { domain: 'proxy.example.net', port: 8443 } }, expect: { proxyDomain: 'proxy.example.net', proxyPort: '8443' } },
  { name: 'O2: --proxy-domain beats PLANTGATE_PROXY_DOMAIN', flags: { proxyDomain: 'a.example.net' }, env: { PLANTGATE_PROXY_DOMAIN: 'b.example.net' }, expect: { proxyDomain: 'a.example.net' } },
  { name: 'O2: a proxy domain that is not a lowercase DNS name is refused, naming the option', flags: { proxyDomain: 'localhost' }, problems: [/proxy domain "localhost" \(--proxy-domain/] },
  { name: 'O2: a proxy port outside 1–65535 is refused', env: { PLANTGATE_PROXY_PORT: '70000' }, problems: [/proxy port "70000".*must be 1–65535/] },
  { name: 'a file that is not a mapping is refused', file: ['listen'], problems: [/cfg\.yaml/] },
  { name: 'A3: an audit retention below 730 days is refused without the explicit override', file: { audit: { retentionDays: 90 } }, problems: [/audit\.retentionDays: 90 is below the 730 days/] },
  { name: 'A3: with audit.allowRetentionBelow730Days: true the shorter retention is accepted', file: { audit: { retentionDays: 90, allowRetentionBelow730Days: true } }, expect: { listen: '127.0.0.1:8080' } },
  { name: 'A2: audit.operatorsMayRead must be true or false', file: { audit: { operatorsMayRead: 'yes' } }, problems: [/audit\.operatorsMayRead/] },
  {
    name: 'A3 streaming: a sink scoped to an organization with a syslog target is accepted',
    file: { audit: { sinks: [{ name: 'soc', organization: 'SolarCo', syslog: { host: 'siem.example', port: 6514, transport: 'tls' } }] } },
    expect: { listen: '127.0.0.1:8080' },
  },
  {
    name: 'A2 streaming: a sink must say its scope (an organization, or platform: true)',
    file: { audit: { sinks: [{ name: 'soc', webhook: { url: 'https://siem.example/in', secret: 'x'.repeat(20) } }] } },
    problems: [/audit\.sinks\.0\.organization: give exactly one of organization/],
  },
  {
    name: 'A3 streaming: a webhook secret shorter than 16 characters is refused, naming the key',
    file: { audit: { sinks: [{ name: 'soc', platform: true, webhook: { url: 'https://siem.example/in', secret: 'short' } }] } },
    problems: [/audit\.sinks\.0\.webhook\.secret: must be at least 16/],
  },
  {
    name: 'A3 streaming: two sinks with one name are refused (the name keys the cursor)',
    file: { audit: { sinks: [{ name: 'soc', platform: true, syslog: { host: 'a', port: 514 } }, { name: 'soc', platform: true, syslog: { host: 'b', port: 514 } }] } },
    problems: [/audit\.sinks\.1\.name: name "soc" is used twice/],
  },
];

describe('server settings: flags > environment > file > defaults', () => {
  for (const row of rows) {
    it(row.name, () => {
      const result = resolveServerSettings({ flags: row.flags ?? {}, env: row.env ?? {}, file: row.file, fileName: 'cfg.yaml' });
      if (row.problems) {
        assert.equal(result.ok, false);
        const text = result.ok ? '' : result.problems.join('\n');
        for (const pattern of row.problems) assert.match(text, pattern);
      } else {
        assert.ok(result.ok, result.ok ? '' : result.problems.join('\n'));
        for (const [key, value] of Object.entries(row.expect ?? {})) assert.equal(result.settings[key as keyof ServerSettings], value, key);
      }
    });
  }
});
