import { Badge } from '@mantine/core';
import type { PlantSummary } from '../../../../../src/core/wire/org.ts';

/** Which agent serves the plant and whether it is connected now (it long-polled within the last minute). */
export function AgentBadge({ agent }: { agent: PlantSummary['agent'] }) {
  if (!agent) {
    return (
      <Badge variant="dot" color="gray" tt="none" data-testid="agent-badge" data-state="none">
        No agent
      </Badge>
    );
  }
  return (
    <Badge
      variant="dot"
      color={agent.connected ? 'green' : 'red'}
      tt="none"
      data-testid="agent-badge"
      data-state={agent.connected ? 'connected' : 'disconnected'}
    >
      {agent.name}: {agent.connected ? 'connected' : 'not connected'}
    </Badge>
  );
}
