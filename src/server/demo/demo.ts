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
  const document = parse(readFileSync(new URL('./fleet.yaml', import.meta.url), 'utf8')) as DemoDocument;
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
    'demo users (email / password: what they are):',
    ...demoUserLines(document),
  ];
}

type JobRole = { user: string; plant?: string; portfolio?: string; role: string };
type DemoDocument = {
  users: Array<{ email: string; password: string }>;
  organizations: Array<{
    name: string;
    members: Array<{ email: string; role: string }>;
    jobRoles?: JobRole[];
    cooperations?: Array<{ partner: string; jobRoles?: JobRole[] }>;
  }>;
};

/** One line per demo user, read from the fleet file itself: organization roles and job roles (own and within cooperations). */
export function demoUserLines(document: DemoDocument): string[] {
  const width = Math.max(...document.users.map((u) => `${u.email} / ${u.password}`.length));
  return document.users.map((u) => {
    const what: string[] = [];
    for (const org of document.organizations) {
      const member = org.members.find((m) => m.email === u.email);
      if (member) what.push(`${org.name} ${member.role}`);
    }
    for (const org of document.organizations) {
      for (const j of org.jobRoles ?? []) if (j.user === u.email) what.push(`${j.role} on ${target(j)}`);
      for (const c of org.cooperations ?? []) {
        for (const j of c.jobRoles ?? []) if (j.user === u.email) what.push(`${j.role} on ${org.name}'s ${target(j)} (cooperation ${org.name} → ${c.partner})`);
      }
    }
    return `  ${`${u.email} / ${u.password}`.padEnd(width)}  ${what.join('; ') || 'no organization'}`;
  });
}

const target = (j: JobRole): string => (j.plant ? j.plant : `portfolio ${j.portfolio}`);
