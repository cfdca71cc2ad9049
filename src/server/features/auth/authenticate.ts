import { type CompiledQuery, type Kysely, createQueryId } from 'kysely';
import type { AppContext } from '../../context.ts';
import type { Database } from '../../db/schema.ts';
import { forbidden, unauthorized } from '../../http/errors.ts';
import type { AuthLevel, Caller } from '../../http/registry.ts';
import { secretMatches, splitToken } from './tokens.ts';

const LAST_USED_GRANULARITY_MS = 5 * 60_000;

/** Bearer token → caller. Expired, revoked and unknown tokens are told apart: the caller holds the token already. */
export async function authenticate(ctx: AppContext, header: string | undefined, level: AuthLevel): Promise<Caller> {
  const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
  if (!token) throw unauthorized('missing bearer token: log in with `plantgate login` or pass a personal API token');
  const parts = splitToken(token);
  if (!parts) throw unauthorized('invalid token');
  const row = (await ctx.store.db.executeQuery(tokenLookup(ctx.store.db, parts.id))).rows[0];
  if (!row || !secretMatches(parts.secret, row.secret_hash)) throw unauthorized('invalid token');
  if (row.revoked_at) throw unauthorized('token revoked');
  if (row.disabled_at) throw unauthorized('this account is disabled: ask a platform operator');
  const now = ctx.now();
  if (row.expires_at && row.expires_at <= now.toISOString()) throw unauthorized('token expired: log in again');
  if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > LAST_USED_GRANULARITY_MS) {
    await ctx.store.db.updateTable('api_tokens').set({ last_used_at: now.toISOString() }).where('id', '=', row.tokenId).execute();
  }
  const caller: Caller = { userId: row.userId, email: row.email, name: row.name, platformOperator: row.platform_operator === 1, tokenId: row.tokenId };
  if (level === 'operator' && !caller.platformOperator) throw forbidden('this needs the platform operator role');
  return caller;
}

/** The token lookup of every authenticated request: token id → token and user. */
function tokenQuery(db: Kysely<Database>, tokenId: string) {
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
const compiledLookups = new WeakMap<Kysely<Database>, TokenLookup>();

/**
 * `tokenQuery` compiled once per database and reused with the token id as its only
 * parameter: building and compiling the query cost more than running it (B8).
 */
function tokenLookup(db: Kysely<Database>, tokenId: string): TokenLookup {
  let compiled = compiledLookups.get(db);
  if (!compiled) {
    compiled = tokenQuery(db, tokenId).compile();
    if (compiled.parameters.length !== 1) throw new Error('token lookup: expected exactly one parameter');
    compiledLookups.set(db, compiled);
  }
  return { ...compiled, queryId: createQueryId(), parameters: [tokenId] } as CompiledQuery as TokenLookup;
}
