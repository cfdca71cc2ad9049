import { Card, Stack, Text, Title } from '@mantine/core';
import { Loadable } from '../../ui/Loadable.tsx';
import { HostedClients } from './HostedClients.tsx';
import { useDirectVpns } from './use-direct-vpns.ts';

/** SPEC D9: people dialing in to the plant's hosted servers; each added with a show-once profile, removable at once. */
export function UserVpnTab({ plantId, plantName, manage }: { plantId: string; plantName: string; manage: boolean }) {
  const vpns = useDirectVpns(plantId);
  return (
    <Stack>
      <div>
        <Title order={2} size="h3">
          User VPN
        </Title>
        <Text size="sm">People who dial in to {plantName}'s hosted servers with a profile of their own (not the personal VPN).</Text>
      </div>
      <Loadable query={vpns} what="hosted servers">
        {(list) => {
          const hosted = list.filter((v) => v.direction === 'hosted');
          if (hosted.length === 0) {
            return (
              <Card withBorder padding="lg">
                <Text>{plantName} has no hosted server: user connections need one (Site VPN → Add direct VPN → Hosted here).</Text>
              </Card>
            );
          }
          return hosted.map((vpn) => (
            <Card key={vpn.id} withBorder padding="lg" data-testid="user-vpn-server" data-vpn={vpn.name}>
              <HostedClients plantId={plantId} vpn={vpn} manage={manage} kind="user" />
            </Card>
          ));
        }}
      </Loadable>
    </Stack>
  );
}
