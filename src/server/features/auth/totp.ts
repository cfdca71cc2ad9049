import { generateSecret, generateURI, verify } from 'otplib';
import type { AppContext } from '../../context.ts';
import { recordEvents } from '../events/store.ts';
import { ApiError, badRequest, conflict } from '../../http/errors.ts';
import { guardedTotpCheck } from './login.ts';
import { inTransaction } from '../../db/handle.ts';
import { generateRecoveryCodes, redeemRecoveryCode, replaceRecoveryCodes } from './recovery-codes.ts';
import { clearTotp, enableTotp, noteTotpStep, startTotp, totpStateOf } from './store.ts';

/**
 * Optional TOTP second factor (SPEC S1). The secret is sealed at rest; a code is
 * accepted once (its time step is remembered), with one step of clock drift either way.
 */
export async function startTotpEnrolment(ctx: AppContext, userId: string, email: string) {
  const user = await totpStateOf(ctx.store.db, userId);
  if (user.totp_enabled === 1) throw conflict('totp-enabled', 'a second factor is already on; disable it first');
  const secret = generateSecret();
  await startTotp(ctx.store.db, userId, ctx.box.seal(secret, `totp:${userId}`));
  return { secret, uri: generateURI({ issuer: 'plantgate', label: email, secret }) };
}

/** Turns the factor on; returns the recovery codes, shown in this answer only. */
export async function confirmTotp(ctx: AppContext, userId: string, code: string, source: string): Promise<{ recoveryCodes: string[] }> {
  const user = await totpStateOf(ctx.store.db, userId);
  if (user.totp_enabled === 1) throw conflict('totp-enabled', 'a second factor is already on');
  if (!(await guardedTotpCheck(ctx, userId, source, () => checkTotp(ctx, userId, code, false)))) {
    throw badRequest('code', 'does not match: check the clock of the authenticator and try the next code');
  }
  const recoveryCodes = generateRecoveryCodes();
  await inTransaction(ctx.store.db, async (trx) => {
    await enableTotp(trx, userId);
    await replaceRecoveryCodes(trx, userId, recoveryCodes);
    await recordEvents(trx, ctx.now().toISOString(), [{ kind: 'totp.enabled', actorUserId: userId, subjectUserId: userId, details: { recoveryCodes: recoveryCodes.length } }]);
  });
  return { recoveryCodes };
}

/** Turns the factor off with a current code or an unused recovery code. */
export async function disableTotp(ctx: AppContext, userId: string, code: string, source: string): Promise<void> {
  const now = ctx.now().toISOString();
  const matches = () => (/^\d{6}$/.test(code) ? checkTotp(ctx, userId, code, true) : redeemRecoveryCode(ctx.store.db, userId, code, now).then((left) => left !== null));
  if (!(await guardedTotpCheck(ctx, userId, source, matches))) throw badRequest('code', 'does not match');
  await turnTotpOff(ctx, userId, { kind: 'totp.disabled', actorUserId: userId });
}

/** The factor off and its recovery codes gone (by the user, or an operator's reset). */
export async function turnTotpOff(ctx: AppContext, userId: string, event: { kind: 'totp.disabled' | 'user.totp-reset'; actorUserId: string }): Promise<void> {
  await inTransaction(ctx.store.db, async (trx) => {
    await clearTotp(trx, userId);
    await replaceRecoveryCodes(trx, userId, []);
    await recordEvents(trx, ctx.now().toISOString(), [{ kind: event.kind, actorUserId: event.actorUserId, subjectUserId: userId, details: {} }]);
  });
}

/** True when the code is valid and not used before; `requireEnabled` guards logins and disabling. */
export async function checkTotp(ctx: AppContext, userId: string, code: string, requireEnabled: boolean): Promise<boolean> {
  if (!/^\d{6}$/.test(code)) return false;
  const user = await totpStateOf(ctx.store.db, userId);
  if (!user.totp_secret) throw new ApiError(409, 'totp-not-started', 'start with `plantgate totp enable`');
  if (requireEnabled && user.totp_enabled !== 1) return false;
  const secret = ctx.box.open(user.totp_secret, `totp:${userId}`);
  const result = await verify({ secret, token: code, epochTolerance: 30, afterTimeStep: user.totp_last_step ?? undefined });
  if (!result.valid) return false;
  const step = (result as { timeStep?: number }).timeStep ?? null;
  if (step !== null) await noteTotpStep(ctx.store.db, userId, step);
  return true;
}
