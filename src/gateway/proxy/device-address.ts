import { cidr, containsAddress, formatIpv4, parseIpv4, translateAddress } from '../../core/net/ipv4.ts';
import type { GatewaySite } from '../../core/wire/gateway-state.ts';
import type { ProxyDocumentPart, ProxyTargetEntry } from './proxy-document.ts';

/**
 * The device's real address in its plant, from the site translations of the same document:
 * a device redirects to the address it knows itself by (192.168.1.10), not to its mapped one,
 * and the proxy must recognise both to keep the browser on the target's origin.
 */
export function realDeviceAddress(target: ProxyTargetEntry, site: GatewaySite | undefined): string | null {
  const address = parseIpv4(target.mappedAddress);
  if (address === null || site === undefined) return null;
  for (const translation of site.translations) {
    const mapped = cidr(translation.mapped);
    if (containsAddress(mapped, address)) return formatIpv4(translateAddress(address, mapped, cidr(translation.real)));
  }
  return null;
}

/** The targets with their real addresses filled in (`siteOf`: the document's site of a plant). */
export function withDeviceAddresses(part: ProxyDocumentPart, siteOf: (plantId: string) => GatewaySite | undefined): ProxyDocumentPart {
  return { ...part, targets: part.targets.map((target) => ({ ...target, deviceIp: realDeviceAddress(target, siteOf(target.plantId)) })) };
}
