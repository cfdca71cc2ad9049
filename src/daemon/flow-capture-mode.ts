/** Where Debian's conntrack package puts the program (scripts/install-deps.sh installs it). */
export const CONNTRACK = '/usr/sbin/conntrack';

/** `--flow-capture auto|on|off` of both daemons: 'auto' (default) runs the capture when conntrack is installed. */
export function flowCaptureEnabled(mode: 'auto' | 'on' | 'off' | undefined, conntrackInstalled: boolean): boolean {
  return mode === 'on' || ((mode ?? 'auto') === 'auto' && conntrackInstalled);
}
