import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { LoginResponse } from '../../src/core/wire/api.ts';
import { auditApi } from '../../src/core/wire/audit.ts';
import { directVpnApi } from '../../src/core/wire/direct-vpn.ts';
import type { Endpoint } from '../../src/core/wire/endpoint.ts';
import { orgApi } from '../../src/core/wire/org.ts';
import { orgVpnApi } from '../../src/core/wire/org-vpn.ts';
import { plantAccessApi } from '../../src/core/wire/plant-access.ts';
import { platformApi } from '../../src/core/wire/platform.ts';
import { proxyApi } from '../../src/core/wire/proxy.ts';
import { allRoutes } from '../../src/server/http/app.ts';
import { api } from '../../web/src/api/endpoints.ts';

const jsonSchema = (schema: z.ZodType | undefined, io: 'input' | 'output') => (schema ? z.toJSONSchema(schema, { io, unrepresentable: 'any' }) : undefined);

/** Each table's endpoints exist on the server with the same request, query and answer schemas. */
function checkTable(table: string, endpoints: Record<string, Endpoint>): void {
  for (const [name, endpoint] of Object.entries(endpoints)) {
    const label = `${table}.${name}`;
    const route = allRoutes.find((r) => r.method.toUpperCase() === endpoint.method && r.path === endpoint.path);
    assert.ok(route, `${label}: ${endpoint.method} ${endpoint.path} is not a server route`);
    assert.deepEqual(jsonSchema(endpoint.body, 'input'), jsonSchema(route.body, 'input'), `${label}: request schema`);
    assert.deepEqual(jsonSchema(endpoint.query, 'input'), jsonSchema(route.query, 'input'), `${label}: query schema`);
    // The browser login answers with cookies: the same answer without its token (src/server/web/session-cookie.ts).
    const served = endpoint.webSession ? (route.response === LoginResponse ? LoginResponse.omit({ token: true }) : undefined) : route.response;
    if (route.status === 204) assert.equal(endpoint.response.safeParse(undefined).success, true, `${label}: a 204 has no body`);
    else assert.deepEqual(jsonSchema(endpoint.response, 'output'), jsonSchema(served, 'output'), `${label}: answer schema`);
  }
}

/** The web client's endpoint table is the server's, schema for schema: no third hand-written client drifts away. */
test('issue 8: every endpoint the web UI calls exists on the server with the same request and answer schemas', () => {
  checkTable('api', api);
});

test('issue 8: every platform operator endpoint (platformApi) exists on the server with the same request, query and answer schemas', () => {
  checkTable('platformApi', platformApi);
});

test('issue 8: every organization endpoint (orgApi) exists on the server with the same request, query and answer schemas', () => {
  checkTable('orgApi', orgApi);
});

test('issue 9: every direct VPN endpoint (directVpnApi) exists on the server with the same request, query and answer schemas', () => {
  checkTable('directVpnApi', directVpnApi);
});

test('issue 9: the plant read the web UI takes the Site VPN / User VPN tabs from (plantAccessApi) exists on the server with the same schemas', () => {
  checkTable('plantAccessApi', plantAccessApi);
});

test('issue 10: every audit endpoint the web UI calls (auditApi) exists on the server with the same request, query and answer schemas', () => {
  checkTable('auditApi', auditApi);
});

test('issue 12: every organization VPN endpoint (orgVpnApi) exists on the server with the same request, query and answer schemas', () => {
  checkTable('orgVpnApi', orgVpnApi);
});

test('issue 12: every browser proxy endpoint the web UI and the CLI call (proxyApi) exists on the server with the same request and answer schemas', () => {
  checkTable('proxyApi', proxyApi);
});
