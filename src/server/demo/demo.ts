import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { applyFleetRequest } from '../features/fleet/service.ts';
import type { AppContext } from '../context.ts';

const DEMO_REGION = { name: 'demo', endpoint: '127.0.0.1:51820' };

/**
 * `--demo`: the demo fleet and a region, loaded into an empty database only. Re-applying it
 * on a later start would silently roll back every change an operator made since.
 */
export async function loadDemoFleet(ctx: AppContext): Promise<string[]> {
  const existing = await ctx.store.db.selectFrom('organizations').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  if (Number(existing.n) > 0) {
    return [`demo fleet skipped: the database already holds ${Number(existing.n)} organization(s); --demo loads into an empty database only`];
  }
  const document = parse(readFileSync(new URL('./fleet.yaml', import.meta.url), 'utf8')) as { users: Array<{ email: string; password: string }> };
  const operator = await ctx.store.db.selectFrom('users').select('id').where('platform_operator', '=', 1).executeTakeFirstOrThrow();
  const { changes } = await applyFleetRequest(ctx, operator.id, document, { dryRun: false, prune: false, force: false });
  const region = await ctx.store.db.selectFrom('regions').select('id').where('name', '=', DEMO_REGION.name).executeTakeFirst();
  if (!region) {
    await ctx.fleet.write(
      async (trx) => {
        await trx.insertInto('regions').values({ id: crypto.randomUUID(), ...DEMO_REGION, created_at: ctx.now().toISOString() }).execute();
      },
      () => [],
    );
  }
  return [
    `demo fleet: ${changes.length} change(s) applied; region ${DEMO_REGION.name} (${DEMO_REGION.endpoint})`,
    'demo users (email / password):',
    ...document.users.map((u) => `  ${u.email} / ${u.password}`),
  ];
}
