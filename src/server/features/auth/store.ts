import { type CompiledQuery, createQueryId } from 'kysely';
import type { Db } from '../../db/handle.ts';

/** SQL of the auth feature: login tokens and personal API tokens, passwords, the second factor and its recovery codes. */

export type TokenKindStored = 'session' | 'personal';
export type TokenRow = {
  id: string;
  name: string;
  kind: TokenKindStored;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
};

export async function insertToken(
  db: Db,
  token: { id: string; userId: string; name: string; kind: TokenKindStored; secretHash: string; createdAt: string; expiresAt: string | null },
): Promise<void> {
  await db
    .insertInto('api_tokens')
    .values({
      id: token.id,
      user_id: token.userId,
      name: token.name,
      kind: token.kind,
      secret_hash: token.secretHash,
      created_at: token.createdAt,
      expires_at: token.expiresAt,
      revoked_at: null,
      last_used_at: null,
    })
    .execute();
}

export function tokensOf(db: Db, userId: string): Promise<TokenRow[]> {
  return db.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
}

export function tokenById(db: Db, id: string): Promise<TokenRow> {
  return db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** Revokes the token whatever its state (logout). */
export async function revokeToken(db: Db, id: string, at: string): Promise<void> {
  await db.updateTable('api_tokens').set({ revoked_at: at }).where('id', '=', id).execute();
}

/** Revokes one active token of the user; false when there is none with that id. */
export async function revokeOwnToken(db: Db, userId: string, id: string, at: string): Promise<boolean> {
  const result = await db.updateTable('api_tokens').set({ revoked_at: at }).where('id', '=', id).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function revokeSessions(db: Db, userId: string, at: string): Promise<void> {
  await db.updateTable('api_tokens').set({ revoked_at: at }).where('user_id', '=', userId).where('kind', '=', 'session').where('revoked_at', 'is', null).execute();
}

/** The user's own password: the one-time flag goes. */
export async function setOwnPassword(db: Db, userId: string, hash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: hash, password_must_change: 0 }).where('id', '=', userId).execute();
}

export function credentialsOf(db: Db, email: string) {
  return db.selectFrom('users').select(['id', 'email', 'name', 'password_hash', 'totp_enabled', 'disabled_at', 'password_must_change']).where('email', '=', email).executeTakeFirst();
}

// ---- second factor --------------------------------------------------------------

export function totpStateOf(db: Db, userId: string) {
  return db.selectFrom('users').select(['totp_secret', 'totp_enabled', 'totp_last_step']).where('id', '=', userId).executeTakeFirstOrThrow();
}

export async function startTotp(db: Db, userId: string, sealedSecret: string): Promise<void> {
  await db.updateTable('users').set({ totp_secret: sealedSecret, totp_last_step: null }).where('id', '=', userId).execute();
}

export async function enableTotp(db: Db, userId: string): Promise<void> {
  await db.updateTable('users').set({ totp_enabled: 1 }).where('id', '=', userId).execute();
}

export async function clearTotp(db: Db, userId: string): Promise<void> {
  await db.updateTable('users').set({ totp_enabled: 0, totp_secret: null, totp_last_step: null }).where('id', '=', userId).execute();
}

export async function noteTotpStep(db: Db, userId: string, step: number): Promise<void> {
  await db.updateTable('users').set({ totp_last_step: step }).where('id', '=', userId).execute();
}

export async function replaceRecoveryCodeHashes(db: Db, userId: string, hashes: string[]): Promise<void> {
  await db.deleteFrom('totp_recovery_codes').where('user_id', '=', userId).execute();
  if (hashes.length) await db.insertInto('totp_recovery_codes').values(hashes.map((h) => ({ user_id: userId, code_hash: h, used_at: null }))).execute();
}

/** Marks the code used if it is one of the user's unused codes; returns how many stay unused, or null for no match. */
export async function spendRecoveryCodeHash(db: Db, userId: string, hash: string, at: string): Promise<number | null> {
  const claimed = await db
    .updateTable('totp_recovery_codes')
    .set({ used_at: at })
    .where('user_id', '=', userId)
    .where('code_hash', '=', hash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) return null;
  const left = await db.selectFrom('totp_recovery_codes').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).where('used_at', 'is', null).executeTakeFirstOrThrow();
  return Number(left.n);
}

// ---- the token lookup of every authenticated request ------------------------------

/** Token id → token and user. */
function tokenQuery(db: Db, tokenId: string) {
  return db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select([
      'api_tokens.id as tokenId',
      'api_tokens.secret_hash',
      'api_tokens.expires_at',
      'api_tokens.revoked_at',
      'api_tokens.last_used_at',
      'users.id as userId',
      'users.email',
      'users.name',
      'users.platform_operator',
      'users.disabled_at',
    ])
    .where('api_tokens.id', '=', tokenId);
}

type TokenLookup = ReturnType<ReturnType<typeof tokenQuery>['compile']>;
const compiledLookups = new WeakMap<Db, TokenLookup>();

/**
 * `tokenQuery` compiled once per database and reused with the token id as its only
 * parameter: building and compiling the query cost more than running it (B8).
 */
function tokenLookup(db: Db, tokenId: string): TokenLookup {
  let compiled = compiledLookups.get(db);
  if (!compiled) {
    compiled = tokenQuery(db, tokenId).compile();
    if (compiled.parameters.length !== 1) throw new Error('token lookup: expected exactly one parameter');
    compiledLookups.set(db, compiled);
  }
  return { ...compiled, queryId: createQueryId(), parameters: [tokenId] } as CompiledQuery as TokenLookup;
}

export async function tokenWithUser(db: Db, tokenId: string) {
  return (await db.executeQuery(tokenLookup(db, tokenId))).rows[0];
}

export async function touchToken(db: Db, tokenId: string, at: string): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', tokenId).execute();
}
