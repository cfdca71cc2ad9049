#!/usr/bin/env node
// Entry point of the one plantgate binary. Node 24 runs the TypeScript sources directly.
import module from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

// Node keeps compiled (and type-stripped) modules between runs: about half the start-up
// time of a CLI command (bench/cli-startup.ts). The cache lives in the user's own cache
// directory, never in a shared /tmp another local user could write into.
try {
  module.enableCompileCache?.(join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'plantgate', 'compile-cache'));
} catch {
  // No writable home: run without the cache.
}

const { main } = await import('../src/cli/main.ts');
main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err instanceof Error ? err.message : String(err)); process.exitCode = 1; },
);
