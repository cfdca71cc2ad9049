import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, it } from 'node:test';

/**
 * Issue 8 quality bar: the server's feature folders keep thin route files, use-cases in
 * services and SQL in stores. Route files (`routes.ts`, `*-routes.ts`) declare routes and
 * call services: no kysely, no database module, no store, no query, no transaction.
 * Query building (selectFrom, sql`…`, …) happens in store files (`store.ts`, `*-store.ts`) only,
 * and a store takes a `Db`: it imports neither the HTTP layer (errors, registry) nor the app context.
 */

type Role = 'routes' | 'store' | 'other';
type Rule = { name: string; pattern: RegExp; applies: (role: Role) => boolean };
export type Violation = { file: string; line: number; rule: string; text: string };

const QUERY_CALL = /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto|executeQuery)\s*\(|\bsql\s*`|\bsql\.(raw|join|ref|lit|id|table)\s*\(/;

const RULES: Rule[] = [
  { name: 'query outside a store', pattern: QUERY_CALL, applies: (role) => role !== 'store' },
  { name: 'route file imports kysely', pattern: /from\s+'kysely'|import\(\s*'kysely'\s*\)/, applies: (role) => role === 'routes' },
  { name: 'route file imports the database layer', pattern: /from\s+'[^']*\/db\/[^']*'|import\(\s*'[^']*\/db\/[^']*'\s*\)/, applies: (role) => role === 'routes' },
  { name: 'route file imports a store', pattern: /from\s+'[^']*(\/|-)store\.ts'/, applies: (role) => role === 'routes' },
  { name: 'route file uses the database handle', pattern: /\bctx\.store\b|\.store\.db\b/, applies: (role) => role === 'routes' },
  { name: 'store knows HTTP or the app context', pattern: /from\s+'[^']*\/(http\/[^']*|context\.ts)'/, applies: (role) => role === 'store' },
  { name: 'route file opens a transaction', pattern: /\.transaction\s*\(|\bctx\.fleet\.write\s*\(|\binTransaction\s*\(/, applies: (role) => role === 'routes' },
];

export function roleOf(path: string): Role {
  const name = basename(path);
  if (name === 'routes.ts' || name.endsWith('-routes.ts')) return 'routes';
  if (name === 'store.ts' || name.endsWith('-store.ts')) return 'store';
  return 'other';
}

/** Comments may name a query (`// selectFrom …` explains why); only code counts. Line numbers are kept. */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, (block) => block.replace(/[^\n]/g, ' ')).replace(/^(\s*)\/\/.*$/gm, '$1');
}

export function violations(path: string, source: string): Violation[] {
  const role = roleOf(path);
  const lines = withoutComments(source).split('\n');
  const found: Violation[] = [];
  for (const rule of RULES) {
    if (!rule.applies(role)) continue;
    lines.forEach((text, i) => {
      if (rule.pattern.test(text)) found.push({ file: path, line: i + 1, rule: rule.name, text: text.trim() });
    });
  }
  return found;
}

function featureSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return featureSources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const THIN_ROUTE = `import { z } from 'zod';
import { RegionInfo } from '../../../core/wire/api.ts';
import { type RouteDef, route } from '../../http/registry.ts';
import { listRegions } from './service.ts';
// The service reads with selectFrom; the route only declares.
export const regionRoutes: RouteDef[] = [
  route({ method: 'get', path: '/admin/regions', summary: 'List regions', tag: 'admin', auth: 'operator', response: z.array(RegionInfo), handler: ({ ctx }) => listRegions(ctx) }),
];`;

describe('feature folders: thin route files, SQL only in stores (issue 8 quality bar)', () => {
  const cases: { name: string; path: string; source: string; expect: string[] }[] = [
    { name: 'a thin route file passes (a comment naming a query does not count)', path: 'regions/routes.ts', source: THIN_ROUTE, expect: [] },
    {
      name: 'a route file importing kysely fails',
      path: 'regions/routes.ts',
      source: `import type { Kysely } from 'kysely';\n${THIN_ROUTE}`,
      expect: ['route file imports kysely'],
    },
    {
      name: 'a route handler querying through ctx.store.db fails',
      path: 'auth/routes.ts',
      source: `handler: async ({ ctx, caller }) => ctx.store.db.selectFrom('api_tokens').selectAll().where('user_id', '=', caller.userId).execute(),`,
      expect: ['query outside a store', 'route file uses the database handle'],
    },
    {
      name: 'a write inside a route handler fails',
      path: 'daemons/routes.ts',
      source: `await ctx.fleet.write(async (trx) => {\n  await trx.deleteFrom('daemons').where('id', '=', id).execute();\n}, () => []);`,
      expect: ['query outside a store', 'route file opens a transaction'],
    },
    {
      name: 'a *-routes.ts file importing a store or the db layer fails',
      path: 'organizations/plants-routes.ts',
      source: `import { devicesOfPlants } from './org-store.ts';\nimport type { Database } from '../../db/schema.ts';`,
      expect: ['route file imports the database layer', 'route file imports a store'],
    },
    {
      name: 'raw SQL in a service fails',
      path: 'daemons/status-buffer.ts',
      source: 'await sql`update daemons set status = \'ok\'`.execute(this.db);',
      expect: ['query outside a store'],
    },
    {
      name: 'a service calling its store passes, a transaction there too',
      path: 'users/service.ts',
      source: `import { inTransaction } from '../../db/handle.ts';\nawait inTransaction(ctx.store.db, (trx) => setDisabledAt(trx, user.id, now));`,
      expect: [],
    },
    {
      name: 'a store may build any query',
      path: 'organizations/org-store.ts',
      source: `import { sql } from 'kysely';\nexport const f = (db) => db.selectFrom('plants').where(sql\`1 = 1\`).execute();`,
      expect: [],
    },
    {
      name: 'a store throwing HTTP errors or reading the app context fails',
      path: 'regions/store.ts',
      source: `import type { AppContext } from '../../context.ts';\nimport { notFound } from '../../http/errors.ts';`,
      expect: ['store knows HTTP or the app context', 'store knows HTTP or the app context'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(
        violations(c.path, c.source).map((v) => v.rule),
        c.expect,
      );
    });
  }

  it('every route file under src/server/features is thin and every query lives in a store', () => {
    const root = new URL('.', import.meta.url).pathname;
    const files = featureSources(root);
    const routeFiles = files.filter((f) => roleOf(f) === 'routes');
    // The scan must see the real tree: auth, users, vpn, regions, daemons, enrolments, fleet, events at least.
    assert.ok(routeFiles.length >= 8, `expected the features' route files, found ${routeFiles.map((f) => relative(root, f)).join(', ')}`);
    const found = files.flatMap((f) => violations(relative(root, f), readFileSync(f, 'utf8')));
    assert.deepEqual(
      found.map((v) => `${v.file}:${v.line} ${v.rule}: ${v.text}`),
      [],
    );
  });
});
