/**
 * Which SPEC A4 events belong to a plant's audit view (issue 10 item 8). Pure: the caller
 * passes the event as stored in the fleet's event log, the plant as it is now, and the
 * plant's users (who hold a role covering it, and who appear in its trail).
 *
 * An event concerns the plant when
 * - it names the plant by id (direct VPN events: `details.plantId`);
 * - it is an organization edit of the plant's owning organization naming the plant
 *   (`org.plant-*`, `org.subnet-*`, `org.device-*`: `details.plant`, or `details.to` of a rename),
 *   or a daemon event naming it (`daemon.*`: the plant's agent);
 * - it moved routes into or out of the plant (`routes.changed`: a route key
 *   `Org/Plant CIDR` of the plant in `added` or `removed`);
 * - it is a profile, login or account event (`profile.*`, `auth.*`, `user.*`, `totp.*`)
 *   of one of the plant's users.
 * Anything else (another plant's edits, installation-wide changes) is not shown.
 */

export type StoredEvent = {
  id: number;
  at: string;
  kind: string;
  actorId: string | null;
  subjectId: string | null;
  orgId: string | null;
  details: Record<string, unknown>;
};

export type EventPlant = { id: string; name: string; orgId: string; orgName: string };

const USER_EVENT_FAMILIES = ['profile.', 'auth.', 'user.', 'totp.'];
const PLANT_EDIT_FAMILIES = ['org.plant-', 'org.subnet-', 'org.device-'];

export function eventConcernsPlant(event: StoredEvent, plant: EventPlant, plantUsers: ReadonlySet<string>): boolean {
  const d = event.details;
  if (d.plantId === plant.id) return true;
  if (PLANT_EDIT_FAMILIES.some((f) => event.kind.startsWith(f))) {
    return event.orgId === plant.orgId && (d.plant === plant.name || d.to === plant.name);
  }
  if (event.kind.startsWith('daemon.')) return d.plant === plant.name || d.plant === plant.id;
  if (event.kind === 'routes.changed') {
    const prefix = `${plant.orgName}/${plant.name} `;
    const keys = [...stringsOf(d.added), ...stringsOf(d.removed)];
    if (keys.some((k) => k.startsWith(prefix))) return true;
  }
  if (USER_EVENT_FAMILIES.some((f) => event.kind.startsWith(f))) return event.subjectId !== null && plantUsers.has(event.subjectId);
  return false;
}

/** Whether any of the plants (an organization's) is concerned: what an organization's SIEM sink receives. */
export function eventConcernsAnyPlant(event: StoredEvent, plants: ReadonlyArray<{ plant: EventPlant; users: ReadonlySet<string> }>): boolean {
  return plants.some((p) => eventConcernsPlant(event, p.plant, p.users));
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
