import type { ManagementNotification } from '../../core/direct-vpn/openvpn-management.ts';

/**
 * Port: Debian's `openvpn` as a supervised child process (issue 9). Implementations:
 * OpenVpnProcessDriver (the real program, `openvpn --config FILE`, never a shell string,
 * talked to over its unix management socket) and FakeOpenVpnDriver (memory). Both pass
 * openvpn-driver.contract.ts.
 *
 * One instance per direct VPN, each in a directory of its own (0700) holding the config
 * (0600, it carries keys), the files it names (credentials, client-config-dir, CRL; all
 * 0600) and the management socket — paths from openVpnPaths().
 */

export type OpenVpnSpec = {
  /** The tun interface name; also names the instance. */
  name: string;
  /** Absolute; created 0700 if missing. */
  directory: string;
  /** The rendered config (holds keys): written 0600 as openVpnPaths(directory).config. */
  config: string;
  /** Further files, relative to `directory` ("credentials", "ccd/site-a", "crl.pem"), written 0600. */
  files: Record<string, string>;
};

export type OpenVpnExit = { code: number | null; signal: string | null };

export interface OpenVpnInstance {
  readonly name: string;
  readonly pid: number;
  /** Resolves when the process has exited (crash, stop, or an exit of its own). */
  readonly exited: Promise<OpenVpnExit>;
  running(): boolean;
  /** One management command; its response lines (without the closing END). Rejects on ERROR: or timeout. */
  command(command: string): Promise<string[]>;
  /**
   * A command followed by a block of lines and `END` (`client-auth CID KID` with the
   * client's config, openvpn's `--management-client-auth`); one SUCCESS:/ERROR: answer.
   */
  commandBlock(command: string, block: string[]): Promise<string[]>;
  /** Real-time notifications (`>STATE:`, `>LOG:`, `>BYTECOUNT:`…), parsed. */
  onNotification(listener: (notification: ManagementNotification) => void): void;
  /** (Re)writes files in the instance's directory, 0600 (ccd entries, the CRL). */
  writeFiles(files: Record<string, string>): Promise<void>;
  /** Removes files of the instance's directory (a removed client's ccd entry). */
  removeFiles(paths: string[]): Promise<void>;
  /** SIGTERM by PID, SIGKILL after a grace period; resolves once it has exited. */
  stop(): Promise<void>;
}

export interface OpenVpnDriver {
  /** Writes the files, starts openvpn, resolves once its management socket answers; rejects (process stopped) otherwise. */
  start(spec: OpenVpnSpec): Promise<OpenVpnInstance>;
  /** Stops an openvpn an earlier run of the agent left in `directory` (by its pid file), then removes the directory. */
  cleanUp(directory: string): Promise<void>;
}

export function openVpnPaths(directory: string): { config: string; socket: string; pid: string } {
  return { config: `${directory}/openvpn.conf`, socket: `${directory}/mgmt.sock`, pid: `${directory}/openvpn.pid` };
}

/**
 * A file name inside the instance directory: one or two segments (`ccd/<common name>`). A
 * client-config-dir entry is named by the certificate's common name as openvpn 2.6 sees it
 * (spaces, `#`, non-ASCII letters are kept as is), so a segment may hold any printable
 * character but `/`; never `.`, `..`, or a control character.
 */
export function checkedRelativePath(path: string): string {
  const segments = path.split('/');
  const ok =
    segments.length >= 1 &&
    segments.length <= 2 &&
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
    segments.every((segment) => segment.length >= 1 && segment.length <= 128 && segment !== '.' && segment !== '..' && !/[\u0000-\u001f\u007f]/.test(segment));
  if (!ok) throw new Error(`invalid OpenVPN file name: ${JSON.stringify(path)}`);
  return path;
}
