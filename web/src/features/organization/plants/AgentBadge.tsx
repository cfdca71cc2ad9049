import { Badge, Group, Text } from '@mantine/core';
import type { PlantSummary } from '../../../../../src/core/wire/org.ts';

/** Which agent serves the plant and whether it is connected now (it long-polled within the last minute). */
export function AgentBadge({ agent }: { agent: PlantSummary['agent'] }) {
  if (!agent) {
    return (
      <Text span size="sm" data-testid="agent-badge" data-state="none">
        No agent
      </Text>
    );
  }
  return (
    <Group gap={6} wrap="wrap" data-testid="agent-badge" data-state={agent.connected ? 'connected' : 'disconnected'}>
      <Text span size="sm">
        {agent.name}
      </Text>
      <Badge variant="dot" color={agent.connected ? 'green' : 'red'} tt="none">
        {agent.connected ? 'connected' : 'not connected'}
      </Badge>
    </Group>
  );
}
