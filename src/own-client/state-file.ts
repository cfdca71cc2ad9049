import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OwnClientState } from '../core/own-client/status.ts';

/** Where the own client keeps its state (pid, interface, status): /run/plantgate unless --state-dir. */
export const DEFAULT_STATE_DIR = '/run/plantgate';

export function statePath(dir: string): string {
  return join(dir, 'own-client.json');
}

export function logPath(dir: string): string {
  return join(dir, 'own-client.log');
}

/** Atomic (rename): `vpn status` never reads half a file. Mode 0644: it holds no secret. */
export function writeState(dir: string, state: OwnClientState): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const tmp = `${statePath(dir)}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o644 });
  renameSync(tmp, statePath(dir));
}

export function readState(dir: string): OwnClientState | null {
  const path = statePath(dir);
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as OwnClientState;
  } catch {
    return null;
  }
}

export function removeState(dir: string): void {
  rmSync(statePath(dir), { force: true });
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
