import type { AppContext } from '../../context.ts';
import { type NewEvent, recordEvents } from '../events/store.ts';
import { ApiError, tooManyAttempts, unauthorized } from '../../http/errors.ts';
import type { GuardKey } from './attempt-guard.ts';
import { verifyPassword } from './passwords.ts';
import { redeemRecoveryCode } from './recovery-codes.ts';
import { credentialsOf } from './store.ts';
import { checkTotp } from './totp.ts';

export type Credentials = { email: string; password: string; totp?: string | undefined };
export type VerifiedUser = { id: string; email: string; name: string; passwordMustChange: boolean };

/**
 * Email + password (+ second factor) → user, under the attempt guard (issue 7 item 2).
 * A blocked account or source is answered with 429 before any argon2 run; every
 * failure and every lock is an event. Unknown emails are throttled and answered
 * exactly like wrong passwords.
 */
export async function verifyCredentials(ctx: AppContext, input: Credentials, source: string): Promise<VerifiedUser> {
  const email = input.email.toLowerCase();
  const passwordKeys: GuardKey[] = [
    { scope: 'account', key: `login:${email}` },
    { scope: 'source', key: source },
  ];
  beginAttempt(ctx, passwordKeys, 'password', 'too many failed logins for this account or from this address');
  const { user, ok } = await refundOnError(ctx, passwordKeys, async () => {
    const user = await credentialsOf(ctx.store.db, email);
    // Same answer, same cost, for a wrong password and an unknown email.
    return { user, ok: await verifyPassword(user?.password_hash ?? null, input.password) };
  });
  if (!user || !ok) {
    await failed(ctx, passwordKeys, { kind: 'auth.login-failed', actorUserId: null, subjectUserId: user?.id ?? null, details: { email, source } });
    throw unauthorized('invalid email or password');
  }
  ctx.guard.succeeded(passwordKeys);
  if (user.disabled_at) throw new ApiError(401, 'account-disabled', 'this account is disabled: ask a platform operator');
  if (user.totp_enabled === 1) {
    if (!input.totp) throw new ApiError(401, 'totp-required', 'totp: this account has a second factor: pass the current code (plantgate login --totp CODE) or a recovery code', { field: 'totp' });
    const totpKeys: GuardKey[] = [
      { scope: 'account', key: `totp:${user.id}` },
      { scope: 'source', key: source },
    ];
    beginAttempt(ctx, totpKeys, 'totp', 'too many wrong second-factor codes');
    const code = input.totp;
    if (!(await refundOnError(ctx, totpKeys, () => secondFactorMatches(ctx, user.id, code, source)))) {
      await failed(ctx, totpKeys, { kind: 'auth.totp-failed', actorUserId: null, subjectUserId: user.id, details: { email, source } });
      throw new ApiError(401, 'totp-invalid', 'totp: the code does not match or was used already', { field: 'totp' });
    }
    ctx.guard.succeeded(totpKeys);
  }
  return { id: user.id, email: user.email, name: user.name, passwordMustChange: user.password_must_change === 1 };
}

/** A TOTP check of a logged-in user (turning the factor on or off), throttled like a login. */
export async function guardedTotpCheck(ctx: AppContext, userId: string, source: string, check: () => Promise<boolean>): Promise<boolean> {
  const keys: GuardKey[] = [
    { scope: 'account', key: `totp:${userId}` },
    { scope: 'source', key: source },
  ];
  beginAttempt(ctx, keys, 'code', 'too many wrong second-factor codes');
  if (await refundOnError(ctx, keys, check)) {
    ctx.guard.succeeded(keys);
    return true;
  }
  await failed(ctx, keys, { kind: 'auth.totp-failed', actorUserId: userId, subjectUserId: userId, details: { source } });
  return false;
}

async function secondFactorMatches(ctx: AppContext, userId: string, code: string, source: string): Promise<boolean> {
  if (/^\d{6}$/.test(code)) return checkTotp(ctx, userId, code, true);
  const now = ctx.now().toISOString();
  const left = await redeemRecoveryCode(ctx.store.db, userId, code, now);
  if (left === null) return false;
  await recordEvents(ctx.store.db, now, [{ kind: 'auth.recovery-code-used', actorUserId: userId, subjectUserId: userId, details: { source, unusedLeft: left } }]);
  return true;
}

/** A server error during a check is no guess: the attempt is given back. */
async function refundOnError<T>(ctx: AppContext, keys: GuardKey[], run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    ctx.guard.refund(keys);
    throw e;
  }
}

/** Refuses with 429 while a key is blocked; else the attempt counts until it succeeds. */
function beginAttempt(ctx: AppContext, keys: GuardKey[], field: string, message: string): void {
  const wait = ctx.guard.begin(keys);
  if (wait > 0) throw tooManyAttempts(message, Math.ceil(wait / 1000), field);
}

async function failed(ctx: AppContext, keys: GuardKey[], event: NewEvent): Promise<void> {
  const outcome = ctx.guard.failed(keys);
  const events: NewEvent[] = [event];
  for (const k of outcome.locked) {
    events.push({
      kind: 'auth.locked',
      actorUserId: null,
      subjectUserId: event.subjectUserId,
      details: { scope: k.scope, key: k.key, minutes: Math.round(outcome.retryAfterMs / 60_000) },
    });
  }
  await recordEvents(ctx.store.db, ctx.now().toISOString(), events);
}
