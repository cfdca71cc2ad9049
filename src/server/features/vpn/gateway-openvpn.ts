import type { GatewayOpenVpnMaterial } from '../../../core/wire/daemon.ts';
import type { AppContext } from '../../context.ts';
import { existingUserCa, userCrl } from './user-ca.ts';

/**
 * What the gateways' OpenVPN servers need (SPEC P9): the user CA, the shared server
 * certificate and key, the tls-crypt key and the CRL. Read once per fleet revision (the CA
 * appears and the CRL changes only through fleet writes), so polling gateways cost no query.
 */
export async function gatewayOpenVpnMaterial(ctx: AppContext): Promise<GatewayOpenVpnMaterial> {
  const ca = await ctx.fleet.memo('user-ca', async () => (await existingUserCa(ctx, ctx.store.db)) ?? undefined);
  if (!ca) return { material: null };
  const crl = await userCrl(ctx, ca.ca);
  return { material: { ca: ca.ca.certificate, certificate: ca.server.certificate, key: ca.server.key, tlsCrypt: ca.tlsCrypt, crl } };
}
