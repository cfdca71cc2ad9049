import { withSecretFile } from '../../src/os/secret-file.ts';
import type { WireGuardGoDriver } from '../../src/os/wireguard/wireguard-go-driver.ts';
import { wireGuardPublicKey } from '../../src/crypto/wireguard-keys.ts';
import type { NetnsLab } from './netns.ts';

/**
 * Brings up a WireGuard client from a config text the way wg-quick does, so the e2e
 * tests use a standard client and not plantgate code: wg-quick's own keys (Address,
 * DNS, MTU, Table, …) are taken out, the rest goes to `wg setconf`, then addresses,
 * link up, and one route per AllowedIPs — or, for a /0, wg-quick's fwmark + policy
 * routing so the tunnel's own UDP still leaves through the underlay.
 */

const WG_QUICK_ONLY_KEYS = new Set(['address', 'dns', 'mtu', 'table', 'preup', 'postup', 'predown', 'postdown', 'saveconfig']);
const DEFAULT_ROUTE_TABLE = '51820';

export function splitWgQuickConfig(text: string): { setconf: string; addresses: string[]; allowedIps: string[] } {
  const addresses: string[] = [];
  const allowedIps: string[] = [];
  const kept: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const match = line.match(/^(\w+)\s*=\s*(.*)$/);
    const key = match?.[1].toLowerCase();
    const values = match ? match[2].split(',').map((value) => value.trim()).filter(Boolean) : [];
    if (key === 'address') addresses.push(...values);
    if (key === 'allowedips') allowedIps.push(...values);
    if (key && WG_QUICK_ONLY_KEYS.has(key)) continue;
    kept.push(line);
  }
  return { setconf: `${kept.join('\n')}\n`, addresses, allowedIps };
}

export async function wgQuickUp(lab: NetnsLab, ns: string, name: string, configText: string, driver: WireGuardGoDriver) {
  const { setconf, addresses, allowedIps } = splitWgQuickConfig(configText);
  const privateKey = setconf.match(/^PrivateKey\s*=\s*(\S+)$/m)?.[1] ?? '';
  wireGuardPublicKey(privateKey); // fails early on a broken config
  // The driver only starts wireguard-go here; the whole configuration comes from setconf.
  await driver.createInterface({ name, privateKey, listenPort: null, addresses: [], routes: [] });
  await withSecretFile(setconf, (path) => lab.exec(ns, 'wg', ['setconf', name, path]));
  for (const address of addresses) await lab.exec(ns, 'ip', ['address', 'add', address, 'dev', name]);
  await lab.exec(ns, 'ip', ['link', 'set', name, 'up']);
  for (const cidr of allowedIps) {
    if (cidr.endsWith('/0')) {
      await lab.exec(ns, 'wg', ['set', name, 'fwmark', DEFAULT_ROUTE_TABLE]);
      await lab.exec(ns, 'ip', ['route', 'add', cidr, 'dev', name, 'table', DEFAULT_ROUTE_TABLE]);
      await lab.exec(ns, 'ip', ['rule', 'add', 'not', 'fwmark', DEFAULT_ROUTE_TABLE, 'table', DEFAULT_ROUTE_TABLE]);
      await lab.exec(ns, 'ip', ['rule', 'add', 'table', 'main', 'suppress_prefixlength', '0']);
    } else {
      await lab.exec(ns, 'ip', ['route', 'replace', cidr, 'dev', name]);
    }
  }
}
