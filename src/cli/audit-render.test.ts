import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUDIT_RECORD_CONTRACT_KEYS, type AuditRecord } from '../core/wire/audit.ts';
import { contractPage, renderAuditPage } from './audit-render.ts';

const plain: AuditRecord = {
  user: 'alice@solarco.example',
  plant: 'Park A',
  subnet: '192.168.1.0/24',
  deviceIp: '192.168.1.17',
  protocol: 'tcp',
  port: 443,
  connections: 3,
  bytesIn: 3050,
  bytesOut: 520,
  firstSeen: '2026-11-30T12:00:00.000Z',
  lastSeen: '2026-11-30T12:00:05.000Z',
  session: null,
  seq: 1,
  mappedSubnet: '100.80.0.0/24',
  deviceName: 'inverter-1',
  tunnelIp: '100.64.0.9',
};
const proxied: AuditRecord = {
  ...plain,
  seq: 2,
  session: 'proxy:s1',
  http: [
    { method: 'GET', path: '/index.html', status: 200, requests: 2, bytesIn: 3000, bytesOut: 400 },
    { method: 'POST', path: '/api/setpoint', status: 403, requests: 1, bytesIn: 50, bytesOut: 120 },
  ],
};

test('issue 10 contract: audit query --json keeps exactly the contract keys; a browser-proxy record adds http (issue 12)', () => {
  const page = contractPage({ records: [plain, proxied], gaps: [], next: null });
  assert.deepEqual(Object.keys(page.records[0] ?? {}), [...AUDIT_RECORD_CONTRACT_KEYS]);
  assert.deepEqual(Object.keys(page.records[1] ?? {}), [...AUDIT_RECORD_CONTRACT_KEYS, 'http']);
  assert.deepEqual(page.records[1]?.http, proxied.http);
});

test('issue 12: audit query lists a browser-proxy record’s requests below the table', () => {
  const text = renderAuditPage({ records: [plain, proxied], gaps: [], next: null });
  assert.match(text, /requests of alice@solarco\.example to 192\.168\.1\.17:443/);
  assert.match(text, /GET \/index\.html 200 {2}×2 {2}3000 bytes in, 400 out/);
  assert.match(text, /POST \/api\/setpoint 403 {2}×1/);
  assert.equal(renderAuditPage({ records: [plain], gaps: [], next: null }).includes('requests of'), false);
});
