import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { twoPlantsState } from '../gateway/__fixtures__/desired-state.ts';
import { ControlPlaneError } from './control-plane.ts';
import { httpGatewayControlPlane } from './http-control-plane.ts';
import { parseServerUrls, ServerList } from './server-list.ts';

/** A control-plane replica on 127.0.0.1 that answers the state endpoint; `hang` holds the long-poll open. */
async function replica(name: string, behaviour: { hang?: boolean; status?: number } = {}) {
  const requests: string[] = [];
  const open = new Set<ServerResponse>();
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    requests.push(request.url ?? '');
    if (behaviour.status) {
      response.writeHead(behaviour.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'unavailable', message: `${name} is draining` } }));
      return;
    }
    if (behaviour.hang && request.url?.includes('after=')) {
      open.add(response);
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'full', state: { ...twoPlantsState, region: name } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    /** Like kill -9 mid long-poll: every open connection is cut, nothing listens any more. */
    kill: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    close: async () => {
      for (const response of open) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('several control-plane URLs (--server URL,URL)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
  });

  it('issue 6: a replica killed mid long-poll: the request fails at once and the next request goes to the other replica', async () => {
    const one = await replica('one', { hang: true });
    const two = await replica('two');
    cleanups.push(two.close);
    const switches: string[] = [];
    const servers = new ServerList([one.url, two.url], (from, to) => switches.push(`${from} -> ${to}`));
    const api = httpGatewayControlPlane(servers, 'gw-1', 'pgd_x', { timeoutMs: 2000 });
    assert.equal((await api.state({ after: null, waitSeconds: 25 })).kind, 'full');
    const polling = api.state({ after: 7, waitSeconds: 25 });
    while (one.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    const started = Date.now();
    await one.kill();
    await assert.rejects(polling, (error: unknown) => error instanceof ControlPlaneError && error.status === 0);
    assert.ok(Date.now() - started < 2000, 'the broken long-poll is noticed at once');
    assert.deepEqual(switches, [`${one.url} -> ${two.url}`]);
    const answer = await api.state({ after: null, waitSeconds: 25 });
    assert.equal(answer.kind === 'full' && answer.state.region, 'two');
    assert.equal(two.requests.length, 1);
  });

  it('a replica answering 503 sends the daemon to the next; a 404 does not', async () => {
    const draining = await replica('draining', { status: 503 });
    const missing = await replica('missing', { status: 404 });
    const good = await replica('good');
    cleanups.push(draining.close, missing.close, good.close);
    const servers = new ServerList([draining.url, good.url]);
    const api = httpGatewayControlPlane(servers, 'gw-1', 'pgd_x');
    await assert.rejects(api.state({ after: null, waitSeconds: 1 }), /draining/);
    assert.equal(servers.current, good.url);
    const stays = new ServerList([missing.url, good.url]);
    await assert.rejects(httpGatewayControlPlane(stays, 'gw-1', 'pgd_x').state({ after: null, waitSeconds: 1 }), /404|draining/);
    assert.equal(stays.current, missing.url);
  });

  it('an older control plane that answers with the bare document is read as a full document', async () => {
    const server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(twoPlantsState)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const api = httpGatewayControlPlane(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'gw-1', 'pgd_x');
    const answer = await api.state({ after: null, waitSeconds: 1 });
    assert.equal(answer.kind, 'full');
  });

  it('--server takes one URL, several comma-separated or repeated, and names a bad one', () => {
    assert.deepEqual(parseServerUrls('http://cp:8080'), ['http://cp:8080']);
    assert.deepEqual(parseServerUrls(['http://a:8080,https://b:8443/', 'http://c:8080', 'http://a:8080']), ['http://a:8080', 'https://b:8443', 'http://c:8080']);
    assert.throws(() => parseServerUrls(['ftp://a']), /--server: ftp:\/\/a must be http:\/\/ or https:\/\//);
    assert.throws(() => parseServerUrls(['not a url']), /--server: "not a url" is not a URL/);
    assert.throws(() => parseServerUrls([]), /a control-plane URL is required/);
  });
});
