import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { applyFleetRequest } from '../admin/apply-fleet-request.ts';
import type { AppContext } from '../context.ts';

const DEMO_REGION = { name: 'demo', endpoint: '127.0.0.1:51820' };

/** `--demo`: the demo fleet and a region, applied like any fleet file (idempotent across restarts). */
export async function loadDemoFleet(ctx: AppContext): Promise<string[]> {
  const document = parse(readFileSync(new URL('./fleet.yaml', import.meta.url), 'utf8')) as { users: Array<{ email: string; password: string }> };
  const operator = await ctx.store.db.selectFrom('users').select('id').where('platform_operator', '=', 1).executeTakeFirstOrThrow();
  const { changes } = await applyFleetRequest(ctx, operator.id, document, false);
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
