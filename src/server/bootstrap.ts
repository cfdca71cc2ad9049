import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type Ipv4Prefix, formatCidr, overlaps, parseCidr, prefixSize } from '../core/net/ipv4.ts';
import { generateWireGuardKeyPair } from '../crypto/wireguard-keys.ts';
import { hashPassword } from './features/auth/passwords.ts';
import { PROXY_COOKIE_KEY } from './features/daemons/store.ts';
import type { Addressing } from './context.ts';
import type { Database } from './db/schema.ts';
import type { SecretBox } from './secrets/secret-box.ts';

export const DEFAULT_TUNNEL_RANGE = '100.64.0.0/12';
export const DEFAULT_MAPPED_SPACE = '100.80.0.0/12';

/**
 * Addressing is fixed at first start and stored: changing the mapped space under
 * existing allocations would silently re-address every plant.
 */
export async function loadAddressing(db: Kysely<Database>, wanted: { tunnelRange?: string; mappedSpace?: string }): Promise<Addressing> {
  const stored = new Map((await db.selectFrom('meta').selectAll().execute()).map((r) => [r.key, r.value]));
  const tunnelText = stored.get('tunnel_range') ?? wanted.tunnelRange ?? DEFAULT_TUNNEL_RANGE;
  const mappedText = stored.get('mapped_space') ?? wanted.mappedSpace ?? DEFAULT_MAPPED_SPACE;
  for (const [flag, want, have] of [
    ['--tunnel-range', wanted.tunnelRange, stored.get('tunnel_range')],
    ['--mapped-space', wanted.mappedSpace, stored.get('mapped_space')],
  ] as const) {
    if (want && have && want !== have) throw new Error(`${flag} ${want} differs from the ${have} this installation was set up with; it cannot change`);
  }
  const tunnelRange = parsePrefix('--tunnel-range', tunnelText);
  const mappedSpace = parsePrefix('--mapped-space', mappedText);
  if (overlaps(tunnelRange, mappedSpace)) throw new Error(`--tunnel-range ${tunnelText} overlaps --mapped-space ${mappedText}`);
  if (tunnelRange.length > 24) throw new Error('--tunnel-range must be a /24 or larger');
  if (!stored.has('tunnel_range')) {
    await db.insertInto('meta').values([
      { key: 'tunnel_range', value: formatCidr(tunnelRange) },
      { key: 'mapped_space', value: formatCidr(mappedSpace) },
    ]).execute();
  }
  return {
    tunnelRange,
    mappedSpace,
    serviceTunnelIp: tunnelRange.start + 1,
    firstUserIp: tunnelRange.start + prefixSize(tunnelRange.length) / 16,
  };
}

/** The personal-VPN service key pair every region shares (SPEC P8), sealed at rest (SPEC S3). */
export async function loadServiceKey(db: Kysely<Database>, box: SecretBox): Promise<{ publicKey: string; privateKey: string }> {
  const rows = new Map((await db.selectFrom('meta').selectAll().where('key', 'in', ['service_public_key', 'service_private_key']).execute()).map((r) => [r.key, r.value]));
  const sealed = rows.get('service_private_key');
  const publicKey = rows.get('service_public_key');
  if (sealed && publicKey) return { publicKey, privateKey: box.open(sealed, 'service_private_key') };
  const pair = generateWireGuardKeyPair();
  await db.insertInto('meta').values([
    { key: 'service_public_key', value: pair.publicKey },
    { key: 'service_private_key', value: box.seal(pair.privateKey, 'service_private_key') },
  ]).execute();
  return pair;
}

/**
 * The browser proxy's cookie key (issue 12, docs/browser-proxy-gateway.md): 32 random bytes,
 * made once (the first start with the proxy on), sealed at rest like the service key (SPEC S3),
 * handed to gateways only with their secrets. Replicas starting at once keep the first one stored.
 */
export async function ensureProxyCookieKey(db: Kysely<Database>, box: SecretBox): Promise<void> {
  const row = await db.selectFrom('meta').select('key').where('key', '=', PROXY_COOKIE_KEY).executeTakeFirst();
  if (row) return;
  await db
    .insertInto('meta')
    .values({ key: PROXY_COOKIE_KEY, value: box.seal(randomBytes(32).toString('base64url'), PROXY_COOKIE_KEY) })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
}

/** First start: a platform operator account; without a given password, a one-time one is printed once. */
export async function ensurePlatformOperator(
  db: Kysely<Database>,
  given: { email?: string; password?: string },
  print: (line: string) => void,
): Promise<void> {
  const existing = await db.selectFrom('users').select('id').where('platform_operator', '=', 1).executeTakeFirst();
  if (existing) return;
  const email = (given.email ?? 'admin@plantgate.local').toLowerCase();
  const password = given.password ?? randomBytes(12).toString('base64url');
  if (password.length < 8) throw new Error('--admin-password must be at least 8 characters');
  const hash = await hashPassword(password);
  const user = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  if (user) await db.updateTable('users').set({ platform_operator: 1, password_hash: hash }).where('id', '=', user.id).execute();
  else {
    await db.insertInto('users').values({ id: randomUUID(), email, name: 'Platform operator', password_hash: hash, platform_operator: 1, created_at: new Date().toISOString() }).execute();
  }
  if (given.password) print(`platform operator ${email} created`);
  else print(`platform operator ${email} created with one-time password: ${password}  (shown once)`);
}

function parsePrefix(flag: string, text: string): Ipv4Prefix {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`${flag}: ${parsed.message}`);
  return parsed.prefix;
}
