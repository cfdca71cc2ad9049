import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { MODULES } from './main.ts';

// main.ts imports only the module named by the command line (issue 7 item 17: start-up);
// a module that registers a top-level command its entry does not list still works (all
// modules load) but loses that. This keeps the table honest.
describe('main.ts MODULES: each entry lists exactly the top-level commands its module registers', () => {
  const io = { out: () => undefined, err: () => undefined, env: {} };
  for (const entry of MODULES) {
    it(entry.names.join(', '), async () => {
      const program = new Command('plantgate');
      (await entry.load())(program, io);
      assert.deepEqual(program.commands.map((c) => c.name()).sort(), [...entry.names].sort());
    });
  }
});
