import { z } from 'zod';
import { PLANT_ACTIONS } from '../permissions.ts';
import { endpoint } from './endpoint.ts';
import { oneLine } from './formats.ts';

/**
 * One plant as any user related to it sees it (own organization or a cooperation that
 * shares it), with the plant actions (src/core/permissions.ts PLANT_PERMISSIONS) the
 * caller may use: the web UI shows the Site VPN and User VPN tabs from the same table
 * the server enforces.
 */
export const PlantAccessView = z.strictObject({
  id: z.string(),
  name: oneLine,
  organization: z.strictObject({ id: z.string(), name: oneLine }),
  actions: z.array(z.enum(PLANT_ACTIONS)),
  /** The caller may reach the plant under SPEC P4 (personal VPN routes; opening its web targets in the browser proxy). */
  reaches: z.boolean(),
});
export type PlantAccessViewWire = z.infer<typeof PlantAccessView>;

export const plantAccessApi = {
  /** `:id` is the plant's id or the exact name of a plant the caller is related to. */
  show: endpoint({ method: 'GET', path: '/plants/:id', response: PlantAccessView }),
} as const;
