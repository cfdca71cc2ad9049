import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from '../../api/client.ts';
import { api } from '../../api/endpoints.ts';

export function useTokens() {
  return useQuery({ queryKey: ['tokens'], queryFn: () => request(api.tokens) });
}

/** The created token's secret is in this mutation's result only (shown once). */
export function useCreateToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; expiresInDays?: number }) => request(api.createToken, { body: input }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['tokens'] }),
  });
}

export function useRevokeToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => request(api.revokeToken, { params: { id } }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['tokens'] }),
  });
}

export function useStartTotp() {
  return useMutation({ mutationFn: () => request(api.startTotp) });
}

export function useConfirmTotp() {
  return useMutation({ mutationFn: (code: string) => request(api.confirmTotp, { body: { code } }) });
}

export function useDisableTotp() {
  return useMutation({ mutationFn: (code: string) => request(api.disableTotp, { body: { code } }) });
}

/** Needs the current password; ends every login session of the account, this browser's too. */
export function useChangePassword() {
  return useMutation({
    mutationFn: (input: { email: string; password: string; totp?: string; newPassword: string }) => request(api.changePassword, { body: input }),
  });
}
