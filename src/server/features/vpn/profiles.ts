import { randomUUID } from 'node:crypto';
import type { ProfileId, UserId } from '../../../core/model.ts';
import { formatCidr, formatIpv4, prefixEnd } from '../../../core/net/ipv4.ts';
import { effectiveRoutes } from '../../../core/routes/effective.ts';
import { openVpnPeerId, profileCommonName } from '../../../core/openvpn/profile-certificate.ts';
import { OPENVPN_PROFILE_PORT } from '../../../core/render/profile-endpoints.ts';
import type { ProfileConfigParts, ProfileInfo, ProfileKeyRequest, ProfileType } from '../../../core/wire/api.ts';
import type { AppContext } from '../../context.ts';
import { recordEvents } from '../events/store.ts';
import { ApiError, conflict, notFound } from '../../http/errors.ts';
import type { Db } from '../../db/handle.ts';
import { anyRegion, regionEndpoints } from '../regions/store.ts';
import { insertProfileCertificate, revokeCertificate, setProfileCertificate } from './certificate-store.ts';
import { claimWireGuardKey } from './key-registry.ts';
import { existingUserCa, loadOrCreateUserCa, type SignedCertificate, signProfileCsr } from './user-ca.ts';
import { type ProfileRow, activeProfileOf, activeTunnelIps, insertProfile, markProfileRevoked, rotateProfileKey, topTunnelIp } from './store.ts';

/** SPEC P1/P9: one personal profile per user; the platform only ever sees the public key (WireGuard) or the CSR (OpenVPN). */
export async function issueProfile(ctx: AppContext, userId: string, request: ProfileKeyRequest): Promise<ProfileConfigParts> {
  const credential = requestedCredential(request, request.type ?? 'wireguard');
  await requireRegion(ctx);
  const now = ctx.now().toISOString();
  const { result } = await ctx.fleet.write(
    async (trx) => {
      const existing = await activeProfileOf(trx, userId);
      if (existing) throw conflict('profile-exists', 'you already have a personal VPN profile; rotate instead (plantgate vpn rotate)');
      const id = randomUUID();
      const tunnelIp = await allocateTunnelIp(ctx, trx);
      const profile: ProfileRow = {
        id,
        user_id: userId,
        kind: credential.type,
        public_key: '',
        tunnel_ip: formatIpv4(tunnelIp),
        tunnel_ip_num: tunnelIp,
        status: 'active',
        created_at: now,
        rotated_at: null,
        revoked_at: null,
      };
      let signed: SignedCertificate | null = null;
      if (credential.type === 'wireguard') {
        await claimWireGuardKey(trx, credential.publicKey, { owner: 'profile', profileId: id }, { field: 'publicKey', servicePublicKey: ctx.servicePublicKey, now });
        profile.public_key = credential.publicKey;
        await insertProfile(trx, profile);
      } else {
        signed = await signForProfile(ctx, trx, credential.csr, id);
        Object.assign(profile, certificateColumns(signed));
        await insertProfile(trx, profile);
        await insertProfileCertificate(trx, { serial: signed.serial, profileId: id, fingerprint: signed.fingerprint, notAfter: signed.notAfter, issuedAt: now });
      }
      await recordEvents(trx, now, [
        {
          kind: 'profile.issued',
          actorUserId: userId,
          subjectUserId: userId,
          details: { profileId: profile.id, type: credential.type, tunnelIp: profile.tunnel_ip, ...credentialDetails(profile, signed) },
        },
      ]);
      return { profile, signed };
    },
    (model, { profile }) => model.setProfile(userId as UserId, modelProfile(profile)),
  );
  return configParts(ctx, result.profile, result.signed);
}

/** SPEC P2/P9: new key (and for OpenVPN a new certificate, the old one on the CRL), same identity, tunnel IP and preferences. */
export async function rotateProfile(ctx: AppContext, userId: string, request: ProfileKeyRequest): Promise<ProfileConfigParts> {
  await requireRegion(ctx);
  const now = ctx.now().toISOString();
  const { result } = await ctx.fleet.write(
    async (trx) => {
      const existing = await activeProfileOf(trx, userId);
      if (!existing) throw notFound('profile', 'you have no active personal VPN profile: issue one first (plantgate vpn issue)');
      const type = existing.kind === 'openvpn' ? 'openvpn' : 'wireguard';
      if (request.type !== undefined && request.type !== type) {
        throw new ApiError(400, 'invalid', `type: your profile is a ${type} profile; a rotate keeps the type (revoke it and issue a ${request.type} profile instead)`, { field: 'type' });
      }
      const credential = requestedCredential(request, type);
      if (credential.type === 'wireguard') {
        if (existing.public_key === credential.publicKey) throw new ApiError(400, 'invalid', 'publicKey: is the current key; rotation needs a new key pair', { field: 'publicKey' });
        await claimWireGuardKey(trx, credential.publicKey, { owner: 'profile', profileId: existing.id }, { field: 'publicKey', servicePublicKey: ctx.servicePublicKey, now });
        await rotateProfileKey(trx, { id: existing.id, oldPublicKey: existing.public_key }, credential.publicKey, now);
        await recordEvents(trx, now, [
          { kind: 'profile.rotated', actorUserId: userId, subjectUserId: userId, details: { profileId: existing.id, oldPublicKey: existing.public_key, publicKey: credential.publicKey } },
        ]);
        return { profile: { ...existing, public_key: credential.publicKey, rotated_at: now }, signed: null };
      }
      const signed = await signForProfile(ctx, trx, credential.csr, existing.id);
      if (existing.cert_serial) await revokeCertificate(trx, existing.cert_serial, now);
      const columns = certificateColumns(signed);
      await setProfileCertificate(trx, existing.id, { ...signed, peerId: columns.public_key }, now);
      await insertProfileCertificate(trx, { serial: signed.serial, profileId: existing.id, fingerprint: signed.fingerprint, notAfter: signed.notAfter, issuedAt: now });
      await recordEvents(trx, now, [
        {
          kind: 'profile.rotated',
          actorUserId: userId,
          subjectUserId: userId,
          details: { profileId: existing.id, type: 'openvpn', oldSerial: existing.cert_serial ?? null, serial: signed.serial, fingerprint: signed.fingerprint },
        },
      ]);
      return { profile: { ...existing, ...columns, rotated_at: now }, signed };
    },
    (model, { profile }) => model.setProfile(userId as UserId, modelProfile(profile)),
  );
  return configParts(ctx, result.profile, result.signed);
}

type Credential = { type: 'wireguard'; publicKey: string } | { type: 'openvpn'; csr: string };

/** The request's key material for the profile type; 400 naming the missing or misplaced field. */
function requestedCredential(request: ProfileKeyRequest, type: ProfileType): Credential {
  if (type === 'wireguard') {
    if (request.csr !== undefined) throw new ApiError(400, 'invalid', 'csr: only an OpenVPN profile takes a certificate signing request (set type to openvpn)', { field: 'csr' });
    if (request.publicKey === undefined) throw new ApiError(400, 'invalid', 'publicKey: required for a WireGuard profile (the public key generated on your device)', { field: 'publicKey' });
    return { type, publicKey: request.publicKey };
  }
  if (request.publicKey !== undefined) throw new ApiError(400, 'invalid', 'publicKey: an OpenVPN profile takes a certificate signing request (csr), not a WireGuard key', { field: 'publicKey' });
  if (request.csr === undefined || request.csr.trim() === '') {
    throw new ApiError(400, 'invalid', 'csr: required for an OpenVPN profile (a PEM certificate signing request made on your device)', { field: 'csr' });
  }
  return { type, csr: request.csr };
}

async function signForProfile(ctx: AppContext, trx: Db, csr: string, profileId: string): Promise<SignedCertificate> {
  const ca = await loadOrCreateUserCa(ctx, trx);
  return signProfileCsr(ca.ca, csr, profileCommonName(profileId), ctx.now());
}

function certificateColumns(signed: SignedCertificate) {
  return { public_key: openVpnPeerId(signed.serial), cert_serial: signed.serial, cert_fingerprint: signed.fingerprint, cert_not_after: signed.notAfter };
}

function credentialDetails(profile: ProfileRow, signed: SignedCertificate | null): Record<string, string> {
  return signed ? { serial: signed.serial, fingerprint: signed.fingerprint } : { publicKey: profile.public_key };
}

/** SPEC P3: the peer leaves every gateway; the record stays for the audit trail. */
export async function revokeProfile(ctx: AppContext, actorUserId: string, userId: string): Promise<ProfileInfo> {
  const now = ctx.now().toISOString();
  const { result } = await ctx.fleet.write(
    async (trx) => {
      const existing = await activeProfileOf(trx, userId);
      if (!existing) throw notFound('profile', 'there is no active personal VPN profile to revoke');
      await markProfileRevoked(trx, existing.id, now);
      // P9: an OpenVPN profile's certificate lands on the CRL the gateways check
      if (existing.cert_serial) await revokeCertificate(trx, existing.cert_serial, now);
      await recordEvents(trx, now, [
        {
          kind: 'profile.revoked',
          actorUserId,
          subjectUserId: userId,
          details: { profileId: existing.id, tunnelIp: existing.tunnel_ip, ...(existing.cert_serial ? { type: 'openvpn', serial: existing.cert_serial } : {}) },
        },
      ]);
      return { ...existing, status: 'revoked' as const, revoked_at: now };
    },
    (model) => model.setProfile(userId as UserId, null),
  );
  return profileInfo(result);
}

/** The caller's active profile and what its config file holds; 404 naming `profile` when there is none. */
export async function currentProfile(ctx: AppContext, userId: string): Promise<ProfileConfigParts> {
  const row = await activeProfileOf(ctx.store.db, userId);
  if (!row) throw notFound('profile', 'you have no active personal VPN profile: issue one with plantgate vpn issue');
  return configParts(ctx, row);
}

export function profileInfo(row: ProfileRow): ProfileInfo {
  const openvpn = row.kind === 'openvpn';
  return {
    id: row.id,
    kind: openvpn ? 'openvpn' : 'wireguard',
    status: row.status,
    publicKey: openvpn ? null : row.public_key,
    certificate:
      openvpn && row.cert_serial && row.cert_fingerprint && row.cert_not_after
        ? { serial: row.cert_serial, fingerprint: row.cert_fingerprint, notAfter: row.cert_not_after }
        : null,
    tunnelIp: row.tunnel_ip,
    createdAt: row.created_at,
    rotatedAt: row.rotated_at,
    revokedAt: row.revoked_at,
  };
}

async function configParts(ctx: AppContext, row: ProfileRow, signed: SignedCertificate | null = null): Promise<ProfileConfigParts> {
  const regions = await regionEndpoints(ctx.store.db);
  const model = await ctx.fleet.current();
  const native = effectiveRoutes(model, row.user_id as UserId)
    .filter((r) => r.native)
    .map((r) => formatCidr(r.prefix));
  return {
    profile: profileInfo(row),
    servicePublicKey: ctx.servicePublicKey,
    regions,
    allowedIps: [formatCidr(ctx.addressing.mappedSpace), ...native],
    ...(row.kind === 'openvpn' ? { openvpn: await openVpnParts(ctx, signed) } : {}),
    serviceEndpoint: ctx.serviceName ? serviceEndpoint(ctx.serviceName, regions) : null,
  };
}

/** What an OpenVPN device needs besides its key: the certificate just signed (null when only reading the profile), CA, tls-crypt key, port. */
async function openVpnParts(ctx: AppContext, signed: SignedCertificate | null): Promise<NonNullable<ProfileConfigParts['openvpn']>> {
  const ca = await existingUserCa(ctx, ctx.store.db);
  if (!ca) throw new Error('an OpenVPN profile exists but the user CA does not');
  return { certificate: signed?.certificate ?? null, ca: ca.ca.certificate, tlsCrypt: ca.tlsCrypt, port: OPENVPN_PROFILE_PORT };
}

/**
 * `<service-name>:<port>` (issue 11): every region's gateways listen on the same user port
 * (gateway `--user-port`, default 51820); the port is the one most regions' endpoints name.
 */
export function serviceEndpoint(serviceName: string, regions: Array<{ endpoint: string }>): string {
  const counts = new Map<string, number>();
  for (const r of regions) {
    const port = /:(\d+)$/.exec(r.endpoint)?.[1];
    if (port) counts.set(port, (counts.get(port) ?? 0) + 1);
  }
  const port = [...counts].sort((a, b) => b[1] - a[1] || Number(a[0]) - Number(b[0]))[0]?.[0] ?? '51820';
  return `${serviceName}:${port}`;
}

async function requireRegion(ctx: AppContext): Promise<void> {
  if (!(await anyRegion(ctx.store.db))) throw conflict('no-region', 'no region is configured yet: a platform operator must add one (plantgate admin region add NAME --endpoint HOST:PORT)');
}

/** Lowest address above every one handed out so far; tunnel IPs are not reused while the range lasts, so audit records stay unambiguous. */
export async function allocateTunnelIp(ctx: AppContext, trx: Db): Promise<number> {
  const { firstUserIp, tunnelRange } = ctx.addressing;
  const last = prefixEnd(tunnelRange) - 1; // keep the broadcast-looking top address out
  const top = (await topTunnelIp(trx)) ?? firstUserIp - 1;
  const next = skipRoundAddresses(Math.max(top + 1, firstUserIp));
  if (next <= last) return next;
  // The range is used up once: reuse the lowest address no active profile holds.
  const active = await activeTunnelIps(trx);
  let candidate = firstUserIp;
  candidate = skipRoundAddresses(candidate);
  for (const ip of active) {
    if (ip > candidate) break;
    candidate = skipRoundAddresses(ip + 1);
  }
  if (candidate > last) throw new ApiError(409, 'tunnel-range-exhausted', `the tunnel range ${formatCidr(tunnelRange)} has no free address left`);
  return candidate;
}

/** Addresses ending in .0 or .255 confuse people and some client UIs; they are skipped. */
function skipRoundAddresses(address: number): number {
  let a = address;
  while (a % 256 === 0 || a % 256 === 255) a++;
  return a;
}

function modelProfile(row: ProfileRow) {
  return { id: row.id as ProfileId, userId: row.user_id as UserId, publicKey: row.public_key, tunnelIp: row.tunnel_ip_num };
}
