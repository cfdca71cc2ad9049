import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * Gateway, agent and the OS drivers are equals: the daemons reach `wg`, `nft` and `ip`
 * through src/os, never through each other, and src/os knows no daemon.
 */
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import of `file`, as a path under src/ ("gateway/plan.ts"). */
export function importsOf(file: string, text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
    const spec = match[1] ?? match[2];
    found.push(relative(SRC, resolve(dirname(file), spec)));
  }
  return found;
}

function violations(area: string, forbidden: string[]): string[] {
  const out: string[] = [];
  for (const file of sourceFiles(join(SRC, area)).filter((path) => path !== fileURLToPath(import.meta.url))) {
    for (const target of importsOf(file, readFileSync(file, 'utf8'))) {
      if (forbidden.some((prefix) => target.startsWith(`${prefix}/`))) out.push(`${relative(SRC, file)} imports ${target}`);
    }
  }
  return out;
}

describe('layering: gateway, agent and src/os', () => {
  it('src/gateway imports nothing of src/agent', () => assert.deepEqual(violations('gateway', ['agent']), []));
  it('src/agent imports nothing of src/gateway (drivers come from src/os)', () => assert.deepEqual(violations('agent', ['gateway']), []));
  it('src/os imports no daemon, server or CLI code', () =>
    assert.deepEqual(violations('os', ['gateway', 'agent', 'daemon', 'server', 'cli']), []));
  it('no driver folder is left inside a daemon', () => {
    const strays = sourceFiles(SRC).map((file) => relative(SRC, file)).filter((path) => /^(gateway|agent|daemon)\/drivers\//.test(path));
    assert.deepEqual(strays, []);
  });
  it('the check sees an import (so it cannot pass vacuously)', () => {
    const file = join(SRC, 'agent', 'x.ts');
    assert.deepEqual(importsOf(file, "import { a } from '../gateway/plan.ts';\nimport type { B } from '../os/nft/nft-driver.ts';"), [
      'gateway/plan.ts',
      'os/nft/nft-driver.ts',
    ]);
  });
});
