import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { MAX_PASSWORD } from '../../../../../src/core/wire/api.ts';
import { request } from '../../../api/client.ts';
import { orgApi } from '../../../api/endpoints.ts';

/**
 * The invitation token comes after `#` in the link: browsers never send the fragment to
 * a server, so it is in no request line or log. It is read once into page memory and
 * goes only into the body of the lookup and accept requests.
 */
export function readInvitationToken(hash: string): string | null {
  const token = hash.startsWith('#') ? hash.slice(1) : hash;
  return token.length > 0 ? token : null;
}

export function useInvitationLookup(token: string | null) {
  return useQuery({
    // The token is not part of the key: it stays in this closure, not in the cache's keys.
    queryKey: ['invitation-lookup'],
    queryFn: () => request(orgApi.lookupInvitation, { body: { token: token ?? '' } }),
    enabled: token !== null,
    gcTime: 0,
  });
}

export function useAcceptInvitation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { token: string; name?: string; password: string; totp?: string }) => request(orgApi.acceptInvitation, { body: input }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['orgs'] }),
  });
}

const password = z.string().min(1, 'is required').max(MAX_PASSWORD, `must be at most ${MAX_PASSWORD} characters`);

/** A new account: its name, a password of at least 8 characters, typed twice. */
export const NewAccountForm = z
  .object({
    name: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
    password: password.refine((p) => p.length >= 8, 'must be at least 8 characters'),
    repeat: z.string(),
  })
  .refine((v) => v.repeat === v.password, { message: 'does not match the password', path: ['repeat'] });

/** An existing account: its current password, and its second factor when it has one. */
export const ExistingAccountForm = z.object({ password, totp: z.string().trim().max(64, 'must be at most 64 characters') });
