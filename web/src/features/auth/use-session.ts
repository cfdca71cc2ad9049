import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiRequestError, request } from '../../api/client.ts';
import { api } from '../../api/endpoints.ts';

/** Who is signed in: `null` when the session cookie is missing, expired or revoked. */
export function useSession() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      try {
        return await request(api.me);
      } catch (e) {
        if (e instanceof ApiRequestError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: 60_000,
  });
}

export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { email: string; password: string; totp?: string }) => request(api.login, { body: input }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['me'] }),
  });
}

export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => request(api.logout),
    // Whatever the answer, nothing of the old session stays on the page.
    onSettled: () => {
      client.setQueryData(['me'], null);
      client.removeQueries({ predicate: (query) => query.queryKey[0] !== 'me' });
    },
  });
}
