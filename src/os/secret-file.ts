import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Hands text to a program that only reads it from a file path (`wg set … private-key
 * FILE`, `wg syncconf IF FILE`). `/dev/stdin` does not work for that from Node: a
 * child's stdin is a socketpair, and opening /proc/self/fd/0 of a socket fails with
 * ENXIO. So: a fresh 0700 directory, a 0600 file created exclusively, removed right
 * after the program ran, whatever happened. Under /run (tmpfs) when possible so a key
 * never reaches a disk.
 */
export async function withSecretFile<T>(content: string, use: (path: string) => Promise<T>): Promise<T> {
  const directory = await mkdtemp(join(await secretBase(), 'plantgate-'));
  try {
    const path = join(directory, 'input');
    await writeFile(path, content, { mode: 0o600, flag: 'wx' });
    return await use(path);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

async function secretBase(): Promise<string> {
  try {
    const probe = await mkdtemp('/run/plantgate-probe-');
    await rm(probe, { recursive: true, force: true });
    return '/run';
  } catch {
    return tmpdir();
  }
}
