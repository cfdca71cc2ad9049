/**
 * Whose capture gaps a plant's trail shows. A gateway serves every plant, so its gaps
 * (lost events, spool overflow) are shown with every plant's query; an agent serves one
 * plant, so its gaps are stored under `agent:<plantId>:<agentId>` (in `audit_gaps.gateway_id`)
 * and shown with that plant's query only — another plant never sees them.
 */
export function agentGapOwner(plantId: string, agentId: string): string {
  return `agent:${plantId}:${agentId}`;
}

export const AGENT_GAP_OWNER_PREFIX = 'agent:';

/** The owner prefix of one plant's agents' gaps (compared as a prefix, not a LIKE pattern: no wildcard in an id matters). */
export function agentGapPrefix(plantId: string): string {
  return `${AGENT_GAP_OWNER_PREFIX}${plantId}:`;
}

/** Pure twin of the store's filter (for tests and readers that filter in memory). */
export function gapVisibleTo(owner: string, plantId: string): boolean {
  return !owner.startsWith(AGENT_GAP_OWNER_PREFIX) || owner.startsWith(agentGapPrefix(plantId));
}
