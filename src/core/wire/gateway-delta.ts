import { z } from 'zod';
import { AllowedPair, GatewayDesiredState, GatewayPeer, GatewayProxy, GatewaySite, NativeMapping } from './gateway-state.ts';

/**
 * What `GET /api/v1/gateways/:id/state?after=R` answers (DESIGN "Sync"): the complete
 * document when the daemon (re)connects or is too far behind, else only what changed
 * since revision R. Applying a delta to the document at `fromRevision` gives exactly the
 * document at `revision` (as sets: order carries no meaning); applying it twice is a
 * no-op. Fields outside peers/allowed/native/sites (service key, ranges, the gateway's own
 * entry) never travel in a delta: when one of them moves the answer is a full document.
 *
 * Element identities: a peer is its publicKey; an allowed pair is userIp + mapped; a
 * native mapping is userIp + native (its mapped prefix is the value); a site is its plantId.
 *
 * `proxy` is not a set delta: when present it replaces the document's whole proxy section
 * (null: the proxy was turned off, remove the section); absent: unchanged.
 */
export const GatewayStateDelta = z.object({
  kind: z.literal('delta'),
  fromRevision: z.number().int().nonnegative(),
  revision: z.number().int().nonnegative(),
  peers: z.object({ upsert: z.array(GatewayPeer), remove: z.array(z.string()) }),
  allowed: z.object({ add: z.array(AllowedPair), remove: z.array(AllowedPair) }),
  native: z.object({ add: z.array(NativeMapping), remove: z.array(NativeMapping) }),
  sites: z.object({ upsert: z.array(GatewaySite), remove: z.array(z.string()) }),
  proxy: GatewayProxy.nullable().optional(),
});
export type GatewayStateDelta = z.infer<typeof GatewayStateDelta>;

export const GatewayStateFull = z.object({ kind: z.literal('full'), state: GatewayDesiredState });
export type GatewayStateFull = z.infer<typeof GatewayStateFull>;

export const GatewayStateMessage = z.discriminatedUnion('kind', [GatewayStateFull, GatewayStateDelta]);
export type GatewayStateMessage = z.infer<typeof GatewayStateMessage>;
