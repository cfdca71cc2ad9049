import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateWireGuardKeyPair } from '../../src/crypto/wireguard-keys.ts';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';
import { baseFleet } from './fleet-fixture.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;
type Session = {
  start: string;
  end: string | null;
  sourceAddress: string | null;
  country: string | null;
  bytesIn: number;
  bytesOut: number;
  region: string;
  gateway: string;
};

/** SPEC P7: sessions derived from a real enrolled gateway's status reports, seen by their owner only (both engines). */
export function vpnSessionsSuite(engine: string, database: () => Promise<string | undefined>): void {
  describe(`P7: VPN sessions from gateway status reports (${engine})`, () => {
    let server: Server;
    let op: ReturnType<typeof http>;
    const as = async (email: string, password: string) => http(server.url, await login(server.url, email, password));
    const T = Math.floor(Date.now() / 1000);
    const iso = (s: number) => new Date(s * 1000).toISOString();

    before(async () => {
      server = await startTestServer({ database: await database() });
      op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
      assert.equal((await op.post('/api/v1/admin/fleet', { document: baseFleet() })).status, 200);
      assert.equal((await op.post('/api/v1/admin/regions', { name: 'eu-central', endpoint: 'vpn.example.test:51820' })).status, 201);
    });
    after(async () => server?.close());

    it('a session starts at the first handshake, stays open, survives a gateway counter reset, ends after 3 minutes of silence; each user sees only their own', async () => {
      const bob = await as('bob@solarco.example', 'bob-password');
      const alice = await as('alice@solarco.example', 'alice-password');
      const bobKey = generateWireGuardKeyPair().publicKey;
      const aliceKey = generateWireGuardKeyPair().publicKey;
      assert.equal((await bob.post('/api/v1/vpn/profile', { publicKey: bobKey })).status, 201);
      assert.equal((await alice.post('/api/v1/vpn/profile', { publicKey: aliceKey })).status, 201);
      const created = await op.post('/api/v1/admin/gateways/enrolments', { region: 'eu-central' });
      const enrolled = await http(server.url).post('/api/v1/enrol', { token: created.body.token });
      assert.equal(enrolled.status, 201);
      const gateway = http(server.url, enrolled.body.credential);
      const report = async (
        at: number,
        peers: Array<{ publicKey: string; endpoint: string | null; latestHandshake: number; rxBytes: number; txBytes: number }>,
      ) => {
        server.ctx.now = () => new Date(at * 1000);
        const sent = await gateway.post(`/api/v1/gateways/${enrolled.body.id}/status`, { appliedRevision: 1, version: 'test', lastError: null, peers });
        assert.equal(sent.status, 204, JSON.stringify(sent.body));
      };
      const sessionsOf = async (client: typeof bob, query = ''): Promise<{ sessions: Session[]; next: string | null }> => {
        const r = await client.get(`/api/v1/vpn/sessions${query}`);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        return r.body;
      };
      const agentKey = generateWireGuardKeyPair().publicKey;

      await report(T, [
        { publicKey: bobKey, endpoint: '81.2.69.160:40000', latestHandshake: T - 10, rxBytes: 1000, txBytes: 500 },
        { publicKey: aliceKey, endpoint: '10.0.0.7:5000', latestHandshake: T - 5, rxBytes: 10, txBytes: 20 },
        { publicKey: agentKey, endpoint: '192.0.2.1:1', latestHandshake: T - 1, rxBytes: 1, txBytes: 1 },
      ]);
      assert.deepEqual((await sessionsOf(bob)).sessions, [], 'reports are written in the status buffer flush, not per report');
      await server.ctx.daemonStatus.flush();

      const open = await sessionsOf(bob);
      assert.deepEqual(open.sessions, [
        {
          start: iso(T - 10),
          end: null,
          sourceAddress: '81.2.69.160:40000',
          country: 'GB',
          bytesIn: 1000,
          bytesOut: 500,
          region: 'eu-central',
          gateway: enrolled.body.name,
        },
      ]);
      assert.equal(open.next, null);
      const aliceOpen = (await sessionsOf(alice)).sessions;
      assert.equal(aliceOpen.length, 1, 'Alice sees her session, not Bob’s');
      assert.equal(aliceOpen[0]?.sourceAddress, '10.0.0.7:5000');
      assert.equal(aliceOpen[0]?.country, null, 'a private address is in no country');
      const carol = await as('carol@windserv.example', 'carol-password');
      assert.deepEqual(
        (await sessionsOf(carol)).sessions,
        [],
        'a user without sessions sees none (and nobody else’s); a peer that is no profile is no session',
      );

      // The gateway restarted (counters from 0) and the tunnel re-handshook; then 3 minutes of silence — two reports in one flush.
      await report(T + 100, [{ publicKey: bobKey, endpoint: '81.2.69.160:40000', latestHandshake: T + 90, rxBytes: 50, txBytes: 30 }]);
      await report(T + 400, [{ publicKey: bobKey, endpoint: '81.2.69.160:40000', latestHandshake: T + 90, rxBytes: 50, txBytes: 30 }]);
      await server.ctx.daemonStatus.flush();
      const ended = (await sessionsOf(bob)).sessions;
      assert.equal(ended.length, 1);
      assert.equal(ended[0]?.end, iso(T + 90 + 180), 'ended at the last handshake + 3 minutes');
      assert.deepEqual([ended[0]?.bytesIn, ended[0]?.bytesOut], [1050, 530], 'bytes across the counter reset');
      assert.equal((await sessionsOf(alice)).sessions[0]?.end, iso(T - 5 + 180), 'a peer the gateway stopped listing ends too');

      // A new handshake after the silence is a new session; newest first, paged.
      await report(T + 600, [{ publicKey: bobKey, endpoint: '[2a00:1450:4001::1]:41000', latestHandshake: T + 590, rxBytes: 80, txBytes: 40 }]);
      await server.ctx.daemonStatus.flush();
      const both = (await sessionsOf(bob)).sessions;
      assert.deepEqual(
        both.map((s) => [s.start, s.end, s.bytesIn, s.bytesOut, s.country]),
        [
          [iso(T + 590), null, 30, 10, 'DE'],
          [iso(T - 10), iso(T + 270), 1050, 530, 'GB'],
        ],
      );
      const first = await sessionsOf(bob, '?limit=1');
      assert.equal(first.sessions[0]?.start, iso(T + 590));
      assert.ok(first.next);
      const second = await sessionsOf(bob, `?limit=1&cursor=${encodeURIComponent(first.next)}`);
      assert.deepEqual(
        second.sessions.map((s) => s.start),
        [iso(T - 10)],
      );
      assert.equal(second.next, null);

      // A gateway that goes quiet leaves the open session showing its derived end.
      server.ctx.now = () => new Date((T + 590 + 181) * 1000);
      assert.equal((await sessionsOf(bob)).sessions[0]?.end, iso(T + 590 + 180));
      server.ctx.now = () => new Date();
    });

    it('bad paging input names the field', async () => {
      const bob = await as('bob@solarco.example', 'bob-password');
      for (const [query, field] of [
        ['?limit=0', 'limit'],
        ['?limit=501', 'limit'],
        ['?limit=x', 'limit'],
        ['?cursor=nope', 'cursor'],
      ] as const) {
        const r = await bob.get(`/api/v1/vpn/sessions${query}`);
        assert.equal(r.status, 400, query);
        assert.equal(r.body.error.field, field, query);
      }
    });
  });
}
