import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';

/**
 * The database holds argon2 hashes and sealed secrets; the data directory holds the
 * master key. Neither is for other local users (issue 7 item 7): directories 0700,
 * files 0600, also when an older version created them 0755/0644.
 */
export function privateDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** Creates the SQLite file 0600 before SQLite does (its -wal and -shm files inherit the mode). */
export function privateDatabaseFile(path: string): void {
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  tightenDatabaseFiles(path);
}

/** The database file and its -wal/-shm companions, where they exist, to 0600. */
export function tightenDatabaseFiles(path: string): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) if (existsSync(file)) chmodSync(file, 0o600);
}

/** An existing secret file (the master key) to 0600. */
export function tightenFile(path: string): void {
  if (existsSync(path)) chmodSync(path, 0o600);
}
