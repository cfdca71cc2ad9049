import { mkdirSync, chmodSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Port: the daemon's state directory (credential, own key pair, last desired state and
 * the secrets it needs), so a restart works without the control plane (fail static).
 * FileStateStore keeps one JSON file per entry: directory 0700, files 0600, each
 * written to a temporary file and renamed over the old one (never half-written).
 */
export interface StateStore {
  read(name: string): Promise<unknown | null>;
  write(name: string, value: unknown): Promise<void>;
  remove(name: string): Promise<void>;
}

const ENTRY = /^[a-z][a-z0-9-]{0,40}$/;

export class FileStateStore implements StateStore {
  readonly directory: string;

  constructor(directory: string) {
    this.directory = directory;
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    chmodSync(directory, 0o700);
  }

  async read(name: string): Promise<unknown | null> {
    let text: string;
    try {
      text = await readFile(this.path(name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`${this.path(name)} is not valid JSON; move it away to start over`);
    }
  }

  async write(name: string, value: unknown): Promise<void> {
    const path = this.path(name);
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(value, null, 1)}\n`, { mode: 0o600 });
    await rename(temporary, path);
  }

  async remove(name: string): Promise<void> {
    await rm(this.path(name), { force: true });
  }

  private path(name: string): string {
    if (!ENTRY.test(name)) throw new Error(`invalid state entry name ${name}`);
    return join(this.directory, `${name}.json`);
  }
}

export class MemoryStateStore implements StateStore {
  readonly entries = new Map<string, string>();

  async read(name: string): Promise<unknown | null> {
    const text = this.entries.get(name);
    return text === undefined ? null : JSON.parse(text);
  }

  async write(name: string, value: unknown): Promise<void> {
    this.entries.set(name, JSON.stringify(value));
  }

  async remove(name: string): Promise<void> {
    this.entries.delete(name);
  }
}
