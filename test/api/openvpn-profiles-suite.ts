import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createDeviceCsr } from '../../src/crypto/profile-csr.ts';
import { generateWireGuardKeyPair } from '../../src/crypto/wireguard-keys.ts';
import { x509 } from '../../src/crypto/x509.ts';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';
import { baseFleet } from './fleet-fixture.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;

async function enrolGateway(op: ReturnType<typeof http>, base: string) {
  const created = await op.post('/api/v1/admin/gateways/enrolments', { region: 'eu-central' });
  const enrolled = await http(base).post('/api/v1/enrol', { token: created.body.token });
  assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
  return { id: enrolled.body.id as string, client: http(base, enrolled.body.credential) };
}

async function ed25519Csr(): Promise<string> {
  const keys = (await webcrypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as unknown as webcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=x', keys, signingAlgorithm: { name: 'Ed25519' } });
  return csr.toString('pem');
}

/** OpenVPN certificate profiles over the API (issue 11 items 5–7, SPEC P9), on every storage engine. */
export function openVpnProfilesSuite(engine: string, database: () => Promise<string | undefined>): void {
  describe(`OpenVPN certificate profiles API on ${engine}`, () => {
    let server: Server;
    let op: ReturnType<typeof http>;
    let gw: Awaited<ReturnType<typeof enrolGateway>>;
    const as = async (email: string, password: string) => http(server.url, await login(server.url, email, password));

    before(async () => {
      server = await startTestServer({ database: await database() });
      op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
      assert.equal((await op.post('/api/v1/admin/fleet', { document: baseFleet() })).status, 200);
      assert.equal((await op.post('/api/v1/admin/regions', { name: 'eu-central', endpoint: 'vpn.example.test:51820' })).status, 201);
      gw = await enrolGateway(op, server.url);
    });
    after(async () => server?.close());

    it('P9/S4: bad requests name the field, and nothing is half-applied (no profile, no CA)', async () => {
      const bob = await as('bob@solarco.example', 'bob-password');
      const rows: Array<[string, Record<string, unknown>, string, RegExp]> = [
        ['no csr', { type: 'openvpn' }, 'csr', /required for an OpenVPN profile/],
        ['a WireGuard key instead', { type: 'openvpn', publicKey: generateWireGuardKeyPair().publicKey }, 'publicKey', /certificate signing request/],
        ['text that is no CSR', { type: 'openvpn', csr: '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----' }, 'csr', /PKCS #10/],
        ['an Ed25519 key', { type: 'openvpn', csr: await ed25519Csr() }, 'csr', /Ed25519/],
        ['a csr on a WireGuard profile', { csr: (await createDeviceCsr()).csrPem }, 'csr', /only an OpenVPN profile/],
        ['an unknown type', { type: 'ipsec', csr: 'x' }, 'type', /./],
      ];
      for (const [name, body, field, message] of rows) {
        const answer = await bob.post('/api/v1/vpn/profile', body);
        assert.equal(answer.status, 400, `${name}: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body.error.field, field, name);
        assert.match(answer.body.error.message, message, name);
      }
      assert.equal((await bob.get('/api/v1/vpn/profile')).status, 404);
      assert.deepEqual((await gw.client.get(`/api/v1/gateways/${gw.id}/openvpn`)).body, { material: null }, 'no CA was made for refused requests');
    });

    it('P9: the platform signs the device CSR with the user CA (made on first use, key sealed); the certificate names the profile; the gateway document gets the peer', async () => {
      const alice = await as('alice@solarco.example', 'alice-password');
      const device = await createDeviceCsr();
      const issued = await alice.post('/api/v1/vpn/profile', { type: 'openvpn', csr: device.csrPem });
      assert.equal(issued.status, 201, JSON.stringify(issued.body));
      const { profile, openvpn } = issued.body;
      assert.equal(profile.kind, 'openvpn');
      assert.equal(profile.publicKey, null);
      const cert = new x509.X509Certificate(openvpn.certificate);
      const ca = new x509.X509Certificate(openvpn.ca);
      assert.ok(await cert.verify({ publicKey: ca.publicKey, signatureOnly: true }), 'signed by the user CA');
      assert.equal(cert.subject, `CN=plantgate-profile-${profile.id}`);
      assert.equal(cert.serialNumber.toLowerCase().replace(/^0+/, ''), profile.certificate.serial);
      assert.deepEqual(new Uint8Array(cert.publicKey.rawData), new Uint8Array(new x509.Pkcs10CertificateRequest(device.csrPem).publicKey.rawData), 'the device\u2019s own key');
      const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
      assert.equal(JSON.stringify(eku?.usages), JSON.stringify([x509.ExtendedKeyUsage.clientAuth]), 'a client certificate cannot pose as a gateway (remote-cert-tls server)');
      assert.match(openvpn.tlsCrypt, /BEGIN OpenVPN Static key V1/);
      assert.equal(openvpn.port, 1194);
      // S3: the CA key is sealed, never stored in the clear
      const row = await server.ctx.store.db.selectFrom('user_ca').selectAll().executeTakeFirstOrThrow();
      for (const sealed of [row.key_sealed, row.server_key_sealed, row.tls_crypt_sealed]) {
        assert.match(sealed, /^v1\./);
        assert.doesNotMatch(sealed, /PRIVATE KEY|Static key/);
      }
      // what the device keeps: its private key never reached the server
      const profileRow = await server.ctx.store.db.selectFrom('profiles').selectAll().where('id', '=', profile.id).executeTakeFirstOrThrow();
      assert.equal(profileRow.cert_fingerprint, profile.certificate.fingerprint);
      assert.doesNotMatch(JSON.stringify(profileRow), /PRIVATE KEY/);
      // the gateways: the peer (by certificate serial) with the profile's tunnel IP, and its allowed pairs
      const state = (await gw.client.get(`/api/v1/gateways/${gw.id}/state`)).body;
      const peer = state.peers.find((p: { profileId: string }) => p.profileId === profile.id);
      assert.deepEqual(peer, { publicKey: `openvpn:${profile.certificate.serial}`, tunnelIp: profile.tunnelIp, profileId: profile.id });
      assert.ok(state.allowed.some((pair: { userIp: string }) => pair.userIp === profile.tunnelIp), 'same nft enforcement as WireGuard');
      const material = (await gw.client.get(`/api/v1/gateways/${gw.id}/openvpn`)).body.material;
      assert.equal(material.ca, openvpn.ca);
      const serverCert = new x509.X509Certificate(material.certificate);
      assert.equal(JSON.stringify(serverCert.getExtension(x509.ExtendedKeyUsageExtension)?.usages), JSON.stringify([x509.ExtendedKeyUsage.serverAuth]));
      assert.match(material.crl, /^-----BEGIN X509 CRL-----/);
      // a second profile is signed by the same CA, and P1 still allows one profile only
      const bob = await as('bob@solarco.example', 'bob-password');
      const bobs = await bob.post('/api/v1/vpn/profile', { type: 'openvpn', csr: (await createDeviceCsr()).csrPem });
      assert.equal(bobs.body.openvpn.ca, openvpn.ca);
      const again = await alice.post('/api/v1/vpn/profile', { type: 'openvpn', csr: (await createDeviceCsr()).csrPem });
      assert.equal(again.status, 409);
    });

    it('P2/P9: rotate re-issues (new certificate, same identity and tunnel IP), the old certificate lands on the CRL; the type stays', async () => {
      const alice = await as('alice@solarco.example', 'alice-password');
      const before = (await alice.get('/api/v1/vpn/profile')).body;
      assert.equal(before.openvpn.certificate, null, 'reading the profile never hands out a certificate again (shown once)');
      const wrongType = await alice.post('/api/v1/vpn/profile/rotate', { type: 'wireguard', publicKey: generateWireGuardKeyPair().publicKey });
      assert.equal(wrongType.status, 400);
      assert.equal(wrongType.body.error.field, 'type');
      const rotated = await alice.post('/api/v1/vpn/profile/rotate', { csr: (await createDeviceCsr()).csrPem });
      assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
      assert.equal(rotated.body.profile.id, before.profile.id);
      assert.equal(rotated.body.profile.tunnelIp, before.profile.tunnelIp);
      assert.notEqual(rotated.body.profile.certificate.serial, before.profile.certificate.serial);
      const state = (await gw.client.get(`/api/v1/gateways/${gw.id}/state`)).body;
      const peers = state.peers.filter((p: { profileId: string }) => p.profileId === before.profile.id).map((p: { publicKey: string }) => p.publicKey);
      assert.deepEqual(peers, [`openvpn:${rotated.body.profile.certificate.serial}`], 'only the new certificate is a peer');
      const crl = new x509.X509Crl((await gw.client.get(`/api/v1/gateways/${gw.id}/openvpn`)).body.material.crl);
      assert.deepEqual(crl.entries.map((e) => e.serialNumber.toLowerCase().replace(/^0+/, '')), [before.profile.certificate.serial]);
    });

    it('P3/P9: revoke puts the certificate on the CRL and the peer leaves the gateways; issue, rotate and revoke are events', async () => {
      const alice = await as('alice@solarco.example', 'alice-password');
      const current = (await alice.get('/api/v1/vpn/profile')).body;
      assert.equal((await alice.post('/api/v1/vpn/profile/revoke')).status, 200);
      const state = (await gw.client.get(`/api/v1/gateways/${gw.id}/state`)).body;
      assert.equal(state.peers.filter((p: { profileId: string }) => p.profileId === current.profile.id).length, 0);
      const crl = new x509.X509Crl((await gw.client.get(`/api/v1/gateways/${gw.id}/openvpn`)).body.material.crl);
      const serials = crl.entries.map((e) => e.serialNumber.toLowerCase().replace(/^0+/, ''));
      assert.ok(serials.includes(current.profile.certificate.serial), 'the revoked certificate is on the CRL');
      assert.equal(serials.length, 2, 'the rotated-away one stays on it');
      const events = (await op.get('/api/v1/admin/events')).body as Array<{ kind: string; details: Record<string, unknown> }>;
      const mine = events.filter((e) => e.details.profileId === current.profile.id).map((e) => [e.kind, e.details.type]);
      assert.deepEqual(mine.sort(), [
        ['profile.issued', 'openvpn'],
        ['profile.revoked', 'openvpn'],
        ['profile.rotated', 'openvpn'],
      ]);
    });

    it('P3/P9: disabling a user puts their OpenVPN certificate on the CRL', async () => {
      const bob = (await (await as('bob@solarco.example', 'bob-password')).get('/api/v1/vpn/profile')).body;
      assert.equal((await op.post('/api/v1/admin/users/bob%40solarco.example/disable')).status, 204);
      const crl = new x509.X509Crl((await gw.client.get(`/api/v1/gateways/${gw.id}/openvpn`)).body.material.crl);
      assert.ok(crl.entries.some((e) => e.serialNumber.toLowerCase().replace(/^0+/, '') === bob.profile.certificate.serial));
    });
  });
}
