import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * A config file is replaced, never rewritten in place (issue 7 item 11): the new text
 * goes into a temporary file beside it (0600, whatever the old file's mode), and only a
 * complete file is renamed over the old one. Open the temporary file before asking the
 * server, so a directory that cannot be written fails before anything changes there.
 */
export type PendingFile = {
  readonly path: string;
  /** Writes, syncs and renames over `path` (refuses an existing file unless `replace`). */
  commit(text: string, replace: boolean): void;
  /** Removes the temporary file; the old file stays as it was. */
  abandon(): void;
};

export function pendingFile(path: string): PendingFile {
  const target = resolve(path);
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temporary, 'wx', 0o600);
  let open = true;
  const close = () => {
    if (open) closeSync(fd);
    open = false;
  };
  return {
    path: temporary,
    commit(text, replace) {
      writeSync(fd, text);
      fsyncSync(fd);
      close();
      chmodSync(temporary, 0o600);
      if (replace) renameSync(temporary, target);
      else {
        // link() refuses an existing name: no file appearing meanwhile is overwritten.
        linkSync(temporary, target);
        rmSync(temporary, { force: true });
      }
    },
    abandon() {
      close();
      rmSync(temporary, { force: true });
    },
  };
}
