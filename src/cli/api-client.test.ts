import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { orgApi } from '../core/wire/org.ts';
import { apiClient, callEndpoint } from './api-client.ts';
import { CliError } from './errors.ts';
import { type StubControlPlane, stubControlPlane } from './testing/stub-control-plane.ts';

const CHANGE = { changes: ['~ plant Park A/B (Solar Co)'], revision: 7 };

describe('callEndpoint: the path, query, body and answer of an org endpoint all come from its one description (orgApi)', () => {
  let stub: StubControlPlane;
  before(async () => {
    stub = await stubControlPlane();
  });
  after(() => stub.close());

  it('names go into the path encoded (spaces, slashes), the body leaves checked and trimmed', async () => {
    stub.answer('PUT /orgs/Solar%20Co/plants/Park%20A%2FB', { body: CHANGE });
    const result = await callEndpoint(apiClient(stub.url, 'pgt_t'), orgApi.renamePlant, { params: { org: 'Solar Co', plant: 'Park A/B' }, body: { name: '  Park AB ' } });
    assert.deepEqual(result, CHANGE);
    const sent = stub.requests.at(-1);
    assert.equal(sent?.method, 'PUT');
    assert.deepEqual(sent?.body, { name: 'Park AB' });
    assert.equal(sent?.authorization, 'Bearer pgt_t');
  });

  it('query values that are not given are left out; the query schema fills its defaults', async () => {
    stub.answer('GET /orgs/SolarCo/events?kind=org.member-role&limit=50', { body: { events: [], nextBefore: null } });
    await callEndpoint(apiClient(stub.url, 'pgt_t'), orgApi.events, { params: { org: 'SolarCo' }, query: { kind: 'org.member-role', user: undefined } });
    assert.equal(stub.requests.at(-1)?.url, '/orgs/SolarCo/events?kind=org.member-role&limit=50');
  });

  it('a bad body is refused before anything is sent, naming the field as the command line calls it (exit 2)', async () => {
    const count = stub.requests.length;
    await assert.rejects(
      callEndpoint(apiClient(stub.url, 'pgt_t'), orgApi.invite, { params: { org: 'SolarCo' }, body: { email: 'not-an-email', role: 'member' }, labels: { email: 'EMAIL' } }),
      (e: unknown) => e instanceof CliError && e.exitCode === 2 && e.message === 'EMAIL: must be an email address',
    );
    assert.equal(stub.requests.length, count, 'nothing was sent');
  });

  it('a bad query value is refused the same way', async () => {
    await assert.rejects(
      callEndpoint(apiClient(stub.url, 'pgt_t'), orgApi.events, { params: { org: 'SolarCo' }, query: { since: 'yesterday' }, labels: { since: '--since' } }),
      /--since: must be an ISO 8601 time/,
    );
  });

  it('an answer that does not match the response schema is refused (nothing printed from it)', async () => {
    stub.answer('GET /orgs/SolarCo/plants', { body: [{ id: 'p1', name: 'Park A', subnets: [{ id: 's', cidr: '192.168.1.0/24', mapped: 'evil\u001b[2J', devices: 0 }], devices: 0, portfolios: [], agent: null }] });
    await assert.rejects(callEndpoint(apiClient(stub.url, 'pgt_t'), orgApi.plants, { params: { org: 'SolarCo' } }), /refused the control plane's answer to GET \/orgs\/SolarCo\/plants: \[0\]\.subnets\[0\]\.mapped/);
  });

  it('a missing path parameter is a bug, not a request to a wrong URL', async () => {
    await assert.rejects(callEndpoint(apiClient(stub.url, 'pgt_t'), orgApi.plant, { params: { org: 'SolarCo' } }), /parameter plant is missing/);
  });
});
