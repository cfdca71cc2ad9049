import type { z } from 'zod';
import type { UserId } from '../../../core/model.ts';
import { explainAccess } from '../../../core/routes/access.ts';
import type { AdminRouteReport } from '../../../core/wire/api.ts';
import type { AppContext } from '../../context.ts';
import { notFound } from '../../http/errors.ts';
import { JsonText } from '../../http/registry.ts';
import { devicesByPlant } from './route-devices.ts';
import { routeViews } from './routes-view.ts';

/** SPEC P6: the caller's routes, serialised once per revision and user (a model at most 250 ms old). */
export async function ownRoutes(ctx: AppContext, userId: string): Promise<JsonText> {
  const model = await ctx.fleet.current(250);
  const devices = await devicesByPlant(ctx);
  return new JsonText(ctx.routeViewCache.json(model, ctx.fleet.currentRevision(), userId as UserId, devices));
}

/** An operator's view of any user's routes, with the rule that granted or denied each related plant. */
export async function routeReport(ctx: AppContext, emailGiven: string): Promise<z.infer<typeof AdminRouteReport>> {
  const model = await ctx.fleet.current();
  const email = emailGiven.toLowerCase();
  const user = [...model.users.values()].find((u) => u.email === email);
  if (!user) throw notFound('user', `no user ${emailGiven}`);
  const plants = explainAccess(model, user.id as UserId).map((a) => {
    const plant = model.plants.get(a.plantId);
    return {
      plant: plant?.name ?? a.plantId,
      plantId: a.plantId,
      organization: plant ? (model.organizations.get(plant.orgId)?.name ?? '') : '',
      granted: a.granted,
      via: a.via,
      rule: a.rule,
      rules: a.rules,
    };
  });
  plants.sort((a, b) => a.organization.localeCompare(b.organization) || a.plant.localeCompare(b.plant));
  return { user: { id: user.id, email: user.email, name: user.name }, routes: routeViews(model, user.id as UserId), plants };
}
