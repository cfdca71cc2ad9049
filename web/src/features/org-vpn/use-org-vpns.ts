import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { renderOrgVpnConf, renderOrgVpnOvpn } from '../../../../src/core/render/org-vpn-conf.ts';
import { type OrgVpnClientCredentials, type OrgVpnProtocol, orgVpnApi } from '../../../../src/core/wire/org-vpn.ts';
import { request } from '../../api/client.ts';
import { generateWireGuardKeyPair } from '../personal-vpn/keys.ts';
import { orgKey, useOrgChange } from '../organization/use-org.ts';

/** Organization VPNs (issue 12, SPEC O1): the same endpoint table as the server and the CLI. */
export function useOrgVpns(orgId: string) {
  return useQuery({ queryKey: orgKey(orgId, 'org-vpns'), queryFn: () => request(orgVpnApi.list, { params: { org: orgId } }) });
}

export function useCreateOrgVpn(orgId: string) {
  return useOrgChange(orgId, (input: { name: string; region: string; plants: string[]; protocol: OrgVpnProtocol }) =>
    request(orgVpnApi.create, { params: { org: orgId }, body: input }),
  );
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

export type ShownClientConfig = { fileName: string; text: string; title: string; protocol: OrgVpnProtocol };

/**
 * Adds a client with a key made in this browser, like the personal profile: WireGuard
 * (WebCrypto X25519, only the public key leaves) or OpenVPN (ECDSA P-256 and a CSR, only the
 * CSR leaves); the config (.conf or .ovpn) is assembled here and shown once.
 */
export function useAddClient(orgId: string) {
  const client = useQueryClient();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const add = async (vpn: { id: string; protocol: OrgVpnProtocol }, input: { name: string; kind: 'site' | 'device'; networks: string[] }): Promise<ShownClientConfig | null> => {
    setPending(true);
    setError(null);
    try {
      const base = { name: input.name, kind: input.kind, ...(input.kind === 'site' ? { networks: input.networks } : {}) };
      let text: string;
      let credentials: OrgVpnClientCredentials;
      if (vpn.protocol === 'openvpn') {
        // the X.509 code is loaded only when an OpenVPN client is made
        const { generateOpenVpnKeyAndCsr } = await import('../personal-vpn/openvpn-keys.ts');
        const device = await generateOpenVpnKeyAndCsr();
        credentials = await request(orgVpnApi.addClient, { params: { org: orgId, vpn: vpn.id }, body: { ...base, csr: device.csrPem } });
        const rendered = renderOrgVpnOvpn(credentials, device.privateKeyPem, new Date());
        if (!rendered.ok) throw new Error(`the answer cannot make a .ovpn: ${rendered.field} ${rendered.message}`);
        text = rendered.text;
      } else {
        const keys = await generateWireGuardKeyPair();
        credentials = await request(orgVpnApi.addClient, { params: { org: orgId, vpn: vpn.id }, body: { ...base, publicKey: keys.publicKey } });
        text = renderOrgVpnConf(credentials, keys.privateKey, new Date());
      }
      await client.invalidateQueries({ queryKey: ['org', orgId] });
      const slug = `${credentials.vpn}-${credentials.client.name}`.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      return { fileName: `${slug}.${vpn.protocol === 'openvpn' ? 'ovpn' : 'conf'}`, text, title: `Configuration of ${credentials.client.name}`, protocol: vpn.protocol };
    } catch (e) {
      setError((e as Error).message);
      return null;
    } finally {
      setPending(false);
    }
  };
  return { add, pending, error, reset: () => setError(null) };
}
