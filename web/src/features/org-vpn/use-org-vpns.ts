import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { renderOrgVpnConf } from '../../../../src/core/render/org-vpn-conf.ts';
import { orgVpnApi } from '../../../../src/core/wire/org-vpn.ts';
import { request } from '../../api/client.ts';
import { generateWireGuardKeyPair } from '../personal-vpn/keys.ts';
import { orgKey, useOrgChange } from '../organization/use-org.ts';

/** Organization VPNs (issue 12, SPEC O1): the same endpoint table as the server and the CLI. */
export function useOrgVpns(orgId: string) {
  return useQuery({ queryKey: orgKey(orgId, 'org-vpns'), queryFn: () => request(orgVpnApi.list, { params: { org: orgId } }) });
}

export function useCreateOrgVpn(orgId: string) {
  return useOrgChange(orgId, (input: { name: string; region: string; plants: string[] }) => request(orgVpnApi.create, { params: { org: orgId }, body: input }));
}

export function useRemoveOrgVpn(orgId: string) {
  return useOrgChange(orgId, (vpn: string) => request(orgVpnApi.remove, { params: { org: orgId, vpn } }));
}

export function useVpnPlant(orgId: string) {
  return useOrgChange(orgId, ({ vpn, plant, add }: { vpn: string; plant: string; add: boolean }) =>
    add ? request(orgVpnApi.addPlant, { params: { org: orgId, vpn }, body: { plant } }) : request(orgVpnApi.removePlant, { params: { org: orgId, vpn, plant } }),
  );
}

export function useRemoveClient(orgId: string) {
  return useOrgChange(orgId, ({ vpn, client }: { vpn: string; client: string }) => request(orgVpnApi.removeClient, { params: { org: orgId, vpn, client } }));
}

export type ShownClientConfig = { fileName: string; text: string; title: string };

/**
 * Adds a client with a key pair made in this browser (WebCrypto X25519, like the personal
 * profile): only the public key leaves; the config is assembled here and shown once.
 */
export function useAddClient(orgId: string) {
  const client = useQueryClient();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const add = async (vpn: string, input: { name: string; kind: 'site' | 'device'; networks: string[] }): Promise<ShownClientConfig | null> => {
    setPending(true);
    setError(null);
    try {
      const keys = await generateWireGuardKeyPair();
      const body = { name: input.name, kind: input.kind, publicKey: keys.publicKey, ...(input.kind === 'site' ? { networks: input.networks } : {}) };
      const credentials = await request(orgVpnApi.addClient, { params: { org: orgId, vpn }, body });
      await client.invalidateQueries({ queryKey: ['org', orgId] });
      const text = renderOrgVpnConf(credentials, keys.privateKey, new Date());
      const slug = `${credentials.vpn}-${credentials.client.name}`.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      return { fileName: `${slug}.conf`, text, title: `Configuration of ${credentials.client.name}` };
    } catch (e) {
      setError((e as Error).message);
      return null;
    } finally {
      setPending(false);
    }
  };
  return { add, pending, error, reset: () => setError(null) };
}
