#!/usr/bin/env node
// Entry point of the one plantgate binary. Node 24 runs the TypeScript sources directly.
import { main } from '../src/cli/main.ts';

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err instanceof Error ? err.message : String(err)); process.exitCode = 1; },
);
