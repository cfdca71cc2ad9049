import type { Db } from '../../db/handle.ts';
import { conflict } from '../../http/errors.ts';
import { deleteDaemonKeys, insertKeyClaim, keyHolder } from './store.ts';

export type KeyOwner = { owner: 'profile'; profileId: string } | { owner: 'org-vpn-client'; clientId: string } | { owner: 'gateway' | 'agent'; daemonId: string };

/**
 * Issue 7 #8: a WireGuard public key names exactly one peer. A second holder would share
 * cryptokey routing with the first (a plant cut off half the time, a profile that is the
 * gateways' own service key), so every key a profile, gateway or agent announces is
 * claimed here, in the writer's transaction. The `wireguard_keys` primary key keeps the
 * claim unique whichever replica writes; the service key is refused by comparison.
 */
export async function claimWireGuardKey(trx: Db, publicKey: string, owner: KeyOwner, context: { field: string; servicePublicKey: string; now: string }): Promise<void> {
  const { field } = context;
  if (publicKey === context.servicePublicKey) throw keyInUse(field, 'the platform\u2019s service key');
  const held = await keyHolder(trx, publicKey);
  if (held) {
    if ((owner.owner === 'gateway' || owner.owner === 'agent') && held.daemon_id === owner.daemonId) return;
    throw keyInUse(field, describe(held.owner));
  }
  try {
    await insertKeyClaim(trx, {
      publicKey,
      owner: owner.owner,
      // An organization VPN client's id goes in profile_id (no foreign key): the key stays claimed after the client is removed.
      profileId: owner.owner === 'profile' ? owner.profileId : owner.owner === 'org-vpn-client' ? owner.clientId : null,
      daemonId: owner.owner === 'gateway' || owner.owner === 'agent' ? owner.daemonId : null,
      at: context.now,
    });
  } catch (e) {
    // Another writer claimed it between the look-up and the insert.
    if (/unique|duplicate|constraint/i.test((e as Error).message)) throw keyInUse(field, 'another peer');
    throw e;
  }
}

/** A daemon that announces a new key gives up its old one (a removed daemon's keys go with its row). */
export async function releaseDaemonKeys(trx: Db, daemonId: string, except: string): Promise<void> {
  await deleteDaemonKeys(trx, daemonId, except);
}

function describe(owner: string): string {
  if (owner === 'profile') return 'a personal VPN profile (current or retired)';
  if (owner === 'gateway') return 'a gateway';
  if (owner === 'org-vpn-client') return 'an organization VPN client (current or removed)';
  if (owner === 'agent') return 'a plant agent';
  return 'the platform\u2019s service key';
}

function keyInUse(field: string, holder: string) {
  return conflict('key-in-use', `${field}: this WireGuard key is already in use by ${holder}; every profile, gateway and agent needs its own key pair`, field);
}
