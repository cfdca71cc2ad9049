import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { renderProfileConf } from '../../../../src/core/render/profile-conf.ts';
import { renderOpenVpnProfile } from '../../../../src/core/render/openvpn-profile.ts';
import { openVpnRemotes } from '../../../../src/core/render/profile-endpoints.ts';
import type { ProfileConfigParts, ProfileType } from '../../../../src/core/wire/api.ts';
import { ApiRequestError, request } from '../../api/client.ts';
import { api } from '../../api/endpoints.ts';
import { generateWireGuardKeyPair } from './keys.ts';

/** The active profile without its private key (which only the device that made it has); null when there is none. */
export function useProfile() {
  return useQuery({
    queryKey: ['profile'],
    queryFn: async () => {
      try {
        return await request(api.profile);
      } catch (e) {
        if (e instanceof ApiRequestError && e.status === 404) return null;
        throw e;
      }
    },
  });
}

/**
 * What the gateways last reported about this profile (last handshake, bytes). Gateways
 * report every few seconds; the page asks again every 15 s while it is open.
 */
export function useProfileStatus(publicKey: string) {
  return useQuery({
    queryKey: ['profile-status', publicKey],
    queryFn: () => request(api.profileStatus),
    refetchInterval: 15_000,
  });
}

/** A config file that exists only in this page's memory until the user downloads or copies it. */
export type ShownOnceConfig = {
  type: ProfileType;
  text: string;
  fileName: string;
  parts: ProfileConfigParts;
  verb: 'issued' | 'rotated' | 'refreshed';
  /** The same file for another region (the private key stays inside this closure, in memory). */
  forRegion?: (region: string) => string;
};

/**
 * Issue (SPEC P1, P9) or rotate (P2): a key pair is made here, only its public key
 * (WireGuard) or a certificate signing request (OpenVPN) is sent, and the config is
 * assembled here around the private key.
 */
export function useKeyedProfileChange(verb: 'issued' | 'rotated') {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (type: ProfileType = 'wireguard'): Promise<ShownOnceConfig> => {
      const endpoint = verb === 'issued' ? api.issueProfile : api.rotateProfile;
      const noRegion = () =>
        new Error(`The profile was ${verb}, but the platform has no region to connect to yet. Ask the operator to add one, then rotate the profile here to get a working file.`);
      const now = new Date();
      if (type === 'openvpn') {
        const { generateOpenVpnKeyAndCsr } = await import('./openvpn-keys.ts');
        const device = await generateOpenVpnKeyAndCsr();
        const parts = await request(endpoint, { body: { type, csr: device.csrPem } });
        client.setQueryData(['profile'], parts);
        const openvpn = parts.openvpn;
        const first = parts.regions[0];
        if (!first) throw noRegion();
        if (!openvpn?.certificate) throw new Error('plantgate answered without a signed certificate; rotate the profile to try again.');
        const forRegion = (name: string) => {
          const region = parts.regions.find((r) => r.name === name) ?? first;
          const result = renderOpenVpnProfile({
            profileId: parts.profile.id,
            verb,
            at: now,
            remotes: openVpnRemotes(parts.regions, region, openvpn.port, parts.serviceEndpoint),
            ca: openvpn.ca,
            certificate: openvpn.certificate as string,
            privateKey: device.privateKeyPem,
            tlsCrypt: openvpn.tlsCrypt,
          });
          if (!result.ok) throw new Error(`The profile could not be assembled: ${result.field} ${result.message}`);
          return result.text;
        };
        return { type, text: forRegion(first.name), fileName: `plantgate-${parts.profile.tunnelIp}.ovpn`, parts, verb, forRegion };
      }
      const keys = await generateWireGuardKeyPair();
      const parts = await request(endpoint, { body: { publicKey: keys.publicKey } });
      client.setQueryData(['profile'], parts);
      const region = parts.regions[0];
      if (!region) throw noRegion();
      const forRegion = (name: string) => renderProfileConf(parts, keys.privateKey, parts.regions.find((r) => r.name === name) ?? region, verb, now);
      return { type, text: forRegion(region.name), fileName: `plantgate-${parts.profile.tunnelIp}.conf`, parts, verb, forRegion };
    },
    onSettled: () => client.invalidateQueries({ queryKey: ['events'] }),
  });
}

/** SPEC P3. */
export function useRevokeProfile() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => request(api.revokeProfile),
    onSuccess: () => client.setQueryData(['profile'], null),
  });
}
