import { z } from 'zod';
import { EnrolResponse } from '../core/wire/daemon.ts';
import { generateWireGuardKeyPair, type WireGuardKeyPair, wireGuardPublicKey } from '../crypto/wireguard-keys.ts';
import { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF } from './backoff.ts';
import type { Clock } from './clock.ts';
import { type EnrolmentApi, isTransient } from './control-plane.ts';
import { errorMessage, type Logger } from './log.ts';
import type { StateStore } from './state-store.ts';

/**
 * What a daemon keeps about itself: the credential it got by enrolling (once), and its
 * own WireGuard key pair (made here, in-process; only the public half leaves the host).
 */

/** What enrolment answered: the credential and who the daemon is. */
export const DaemonIdentity = EnrolResponse;
export type DaemonIdentity = z.infer<typeof DaemonIdentity>;

export class FatalDaemonError extends Error {}

export type EnrolContext = {
  kind: 'gateway' | 'agent';
  store: StateStore;
  enrolment: EnrolmentApi;
  token: string | undefined;
  name: string | undefined;
  clock: Clock;
  log: Logger;
  signal?: AbortSignal;
  backoff?: BackoffOptions;
};

/** The stored identity, or a new one from the enrolment token (retried while the control plane is unreachable). */
export async function loadOrEnrol(context: EnrolContext): Promise<DaemonIdentity> {
  const { kind, store, log } = context;
  const stored = await store.read('identity');
  if (stored !== null) {
    const parsed = DaemonIdentity.safeParse(stored);
    if (!parsed.success) throw new FatalDaemonError('the identity in the state dir is damaged; move the state dir away and enrol again');
    if (parsed.data.kind !== kind) throw new FatalDaemonError(`the state dir belongs to ${parsed.data.kind} ${parsed.data.name}, not to a ${kind}`);
    if (context.token) log.info('already enrolled; the enrolment token is not needed any more and was ignored', { id: parsed.data.id, name: parsed.data.name });
    return parsed.data;
  }
  if (!context.token) throw new FatalDaemonError(`not enrolled yet: give the token from \`plantgate admin ${kind} enrol\` with --token-file FILE or PLANTGATE_ENROL_TOKEN`);
  for (let failures = 0; ; ) {
    try {
      const answer = await context.enrolment.enrol(context.token, context.name);
      if (answer.kind !== kind) throw new FatalDaemonError(`that enrolment token is for a ${answer.kind}, not a ${kind}`);
      const identity: DaemonIdentity = { kind, id: answer.id, name: answer.name, credential: answer.credential, region: answer.region, plantId: answer.plantId };
      await store.write('identity', identity);
      log.info('enrolled', { id: identity.id, name: identity.name, region: identity.region, plantId: identity.plantId });
      return identity;
    } catch (error) {
      if (error instanceof FatalDaemonError) throw error;
      if (!isTransient(error)) throw new FatalDaemonError(`enrolment refused: ${errorMessage(error)}`);
      failures++;
      if (failures === 1) log.warn('control plane unreachable, enrolment will be retried', { error: errorMessage(error) });
      await context.clock.sleep(backoffDelay(failures, context.backoff ?? DEFAULT_BACKOFF), context.signal);
      if (context.signal?.aborted) throw new FatalDaemonError('stopped before enrolment');
    }
  }
}

const StoredKeyPair = z.object({ privateKey: z.string(), publicKey: z.string() });

/** The daemon's own WireGuard key pair, made once and kept in the state dir. */
export async function loadOrCreateKeyPair(store: StateStore, entry = 'wireguard-key'): Promise<WireGuardKeyPair> {
  const stored = StoredKeyPair.safeParse(await store.read(entry));
  if (stored.success && wireGuardPublicKey(stored.data.privateKey) === stored.data.publicKey) return stored.data;
  const pair = generateWireGuardKeyPair();
  await store.write(entry, pair);
  return pair;
}
