import type { z } from 'zod';
import { parseOpenVpnConfig } from '../../../core/direct-vpn/openvpn-config.ts';
import { reviewOutgoingUpload } from '../../../core/direct-vpn/review.ts';
import { type OpenVpnSecrets, type StoredDirectVpnConfig, splitOpenVpn, splitWireGuard } from '../../../core/direct-vpn/stored-model.ts';
import type { OpenVpnCrypto } from '../../../core/direct-vpn/upload-result.ts';
import { parseWireGuardConfig } from '../../../core/direct-vpn/wireguard-config.ts';
import type { DirectVpnUpdateRequest } from '../../../core/wire/direct-vpn.ts';
import type { AppContext } from '../../context.ts';
import { badRequest } from '../../http/errors.ts';
import type { PlantScope } from './plant-scope.ts';
import { type DirectVpnRow, sealedSecretsOf } from './store.ts';
import { reviewRefusal } from './service.ts';
import { manualParseRefusal, outgoingSource } from './manual-source.ts';
import { wireGuardPublicKey } from '../../../crypto/wireguard-keys.ts';
import { refuseNonIpv4, subnetContext, subnetsOf } from './subnet-rules.ts';

type UpdateBody = z.output<typeof DirectVpnUpdateRequest>;

/** The new stored config, sealed secrets and transport of an outgoing direct VPN, and the subnets it routes afterwards. */
export type UploadEdit = {
  config: string;
  secrets: string;
  transport: 'udp' | 'tcp';
  subnets: string[];
  endpointsChanged: boolean;
  stripped: unknown[];
  ignored: unknown[];
};

/**
 * D7 "edit … endpoint, keys": an outgoing direct VPN's upload replaced by a new one (or, for
 * a profile with `auth-user-pass`, its username and password), checked exactly as on create
 * (whitelist, default routes stripped, D4 subnets). Its subnets stay unless `subnets` names
 * others; OpenVPN settings the new upload leaves open keep the values in effect before (the
 * legacy router was matched once). Null when the body touches neither.
 */
export async function uploadEdit(ctx: AppContext, scope: PlantScope, rows: DirectVpnRow[], row: DirectVpnRow, body: UpdateBody): Promise<UploadEdit | null> {
  if (body.config === undefined && body.manual === undefined && body.credentials === undefined) return null;
  if (row.direction === 'hosted') {
    const field = body.manual !== undefined ? 'manual' : body.config !== undefined ? 'config' : 'credentials';
    throw badRequest(field, 'a hosted server has no upload: plantgate provisions its endpoint and keys');
  }
  const before = JSON.parse(row.config) as StoredDirectVpnConfig;
  const sealed = await sealedSecretsOf(ctx.store.db, row.id);
  const previousSecrets = sealed === null ? null : (JSON.parse(ctx.box.open(sealed, `direct-vpn:${row.id}`)) as Partial<OpenVpnSecrets>);
  if (body.config === undefined && body.manual === undefined) {
    // Only new credentials for the upload in place.
    if (before.protocol !== 'openvpn' || !before.needsCredentials || previousSecrets === null) {
      throw badRequest('credentials', `direct VPN ${row.name} asks for no username and password`);
    }
    const secrets = { ...previousSecrets, credentials: body.credentials ?? null };
    return {
      config: row.config,
      secrets: ctx.box.seal(JSON.stringify(secrets), `direct-vpn:${row.id}`),
      transport: row.transport,
      subnets: subnetsOf(row),
      endpointsChanged: false,
      stripped: [],
      ignored: [],
    };
  }
  const source = outgoingSource(
    { protocol: row.protocol, transport: row.transport, config: body.config, manual: body.manual, subnetsRequired: false, subnets: body.subnets },
    () => ({ privateKey: (previousSecrets as { privateKey?: string } | null)?.privateKey ?? '', generated: false }),
  );
  const input = {
    protocol: row.protocol,
    configText: source.configText,
    subnets: body.subnets ?? subnetsOf(row),
    context: subnetContext(ctx, scope, rows, row.id),
  };
  let reviewed = reviewOutgoingUpload(input);
  if (reviewed.ok && reviewed.review.crypto && before.crypto) {
    const open = (Object.keys(before.crypto) as Array<keyof OpenVpnCrypto>).filter(
      (k) => reviewed.ok && reviewed.review.crypto?.[k] === null && before.crypto?.[k] != null,
    );
    if (open.length) reviewed = reviewOutgoingUpload({ ...input, advanced: Object.fromEntries(open.map((k) => [k, before.crypto?.[k]])) });
  }
  if (!reviewed.ok) throw reviewed.field === 'config' && source.rendered ? manualParseRefusal(source.rendered, reviewed.problems) : reviewRefusal(reviewed);
  const review = reviewed.review;
  refuseNonIpv4(review.subnets);
  let stored: { stored: StoredDirectVpnConfig; secrets: unknown };
  let transport: 'udp' | 'tcp' = 'udp';
  if (row.protocol === 'wireguard') {
    const parsed = parseWireGuardConfig(source.configText);
    if (!parsed.ok) throw new Error('the reviewed WireGuard upload does not parse again');
    const split = splitWireGuard(parsed.config);
    split.stored.agentPublicKey = wireGuardPublicKey(split.secrets.privateKey);
    stored = split;
  } else {
    const parsed = parseOpenVpnConfig(source.configText);
    if (!parsed.ok) throw new Error('the reviewed OpenVPN upload does not parse again');
    const credentials = body.credentials ?? previousSecrets?.credentials ?? null;
    if (review.needsCredentials && credentials === null) {
      throw badRequest(
        'credentials',
        'the new upload asks for a username and password (auth-user-pass): enter them as credentials.username and credentials.password',
      );
    }
    const split = splitOpenVpn(parsed.config, review.crypto, review.needsCredentials ? credentials : null);
    stored = split;
    const remotes = split.stored.model.remotes;
    transport = remotes[0]?.transport ?? row.transport;
    const other = remotes.find((r) => r.transport !== transport);
    if (other)
      throw badRequest('config', `line ${other.line}: the remotes of one direct VPN share one transport (${transport} on the first, ${other.transport} here)`);
  }
  const config = JSON.stringify(stored.stored);
  return {
    config,
    secrets: ctx.box.seal(JSON.stringify(stored.secrets), `direct-vpn:${row.id}`),
    transport,
    subnets: review.subnets,
    endpointsChanged: config !== row.config,
    stripped: review.stripped,
    ignored: review.ignored,
  };
}
