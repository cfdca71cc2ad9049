import { useQuery } from '@tanstack/react-query';
import { request } from '../../../api/client.ts';
import { orgApi } from '../../../api/endpoints.ts';
import { orgKey, useOrgChange } from '../use-org.ts';

export function usePortfolios(orgId: string, enabled = true) {
  return useQuery({ queryKey: orgKey(orgId, 'portfolios'), queryFn: () => request(orgApi.portfolios, { params: { org: orgId } }), enabled });
}

/** Create (`id` null) or rename and set the plant list. */
export function useSavePortfolio(orgId: string) {
  return useOrgChange(orgId, ({ id, name, plants }: { id: string | null; name: string; plants: string[] }) =>
    id === null
      ? request(orgApi.createPortfolio, { params: { org: orgId }, body: { name, plants } })
      : request(orgApi.updatePortfolio, { params: { org: orgId, portfolio: id }, body: { name, plants } }),
  );
}

export function useRemovePortfolio(orgId: string) {
  return useOrgChange(orgId, (id: string) => request(orgApi.removePortfolio, { params: { org: orgId, portfolio: id } }));
}
