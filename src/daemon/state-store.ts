import { mkdirSync, chmodSync } from 'node:fs';
import { appendFile, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
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
  /**
   * Writes the JSON text of `name` from pieces (a large document is serialised in chunks
   * between which the event loop runs); read back with read(). Same atomic rename.
   */
  writeText(name: string, chunks: AsyncIterable<string> | Iterable<string>): Promise<void>;
  /** A journal next to the entries: `name`.jsonl, one line per record, appended. */
  appendLine(name: string, line: string): Promise<void>;
  /** The journal's lines (null when there is none); a torn last line is dropped. */
  readLines(name: string): Promise<string[] | null>;
  /** Replaces the journal with these lines (empty: an empty journal). */
  writeLines(name: string, lines: string[]): Promise<void>;
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
    await rm(this.path(name, 'jsonl'), { force: true });
  }

  async writeText(name: string, chunks: AsyncIterable<string> | Iterable<string>): Promise<void> {
    const path = this.path(name);
    const temporary = `${path}.${process.pid}.tmp`;
    const file = await open(temporary, 'w', 0o600);
    try {
      for await (const chunk of chunks) await file.write(chunk);
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  }

  async appendLine(name: string, line: string): Promise<void> {
    await appendFile(this.path(name, 'jsonl'), `${line}\n`, { mode: 0o600 });
  }

  async readLines(name: string): Promise<string[] | null> {
    let text: string;
    try {
      text = await readFile(this.path(name, 'jsonl'), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const lines = text.split('\n');
    lines.pop(); // after the last newline: empty, or a line torn by a crash
    return lines;
  }

  async writeLines(name: string, lines: string[]): Promise<void> {
    const path = this.path(name, 'jsonl');
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, lines.map((line) => `${line}\n`).join(''), { mode: 0o600 });
    await rename(temporary, path);
  }

  private path(name: string, extension = 'json'): string {
    if (!ENTRY.test(name)) throw new Error(`invalid state entry name ${name}`);
    return join(this.directory, `${name}.${extension}`);
  }
}

export class MemoryStateStore implements StateStore {
  readonly entries = new Map<string, string>();
  readonly journals = new Map<string, string[]>();

  async read(name: string): Promise<unknown | null> {
    const text = this.entries.get(name);
    return text === undefined ? null : JSON.parse(text);
  }

  async write(name: string, value: unknown): Promise<void> {
    this.entries.set(name, JSON.stringify(value));
  }

  async remove(name: string): Promise<void> {
    this.entries.delete(name);
    this.journals.delete(name);
  }

  async writeText(name: string, chunks: AsyncIterable<string> | Iterable<string>): Promise<void> {
    let text = '';
    for await (const chunk of chunks) text += chunk;
    JSON.parse(text); // a test store refuses what read() could not give back
    this.entries.set(name, text);
  }

  async appendLine(name: string, line: string): Promise<void> {
    this.journals.set(name, [...(this.journals.get(name) ?? []), line]);
  }

  async readLines(name: string): Promise<string[] | null> {
    const lines = this.journals.get(name);
    return lines === undefined ? null : [...lines];
  }

  async writeLines(name: string, lines: string[]): Promise<void> {
    this.journals.set(name, [...lines]);
  }
}
