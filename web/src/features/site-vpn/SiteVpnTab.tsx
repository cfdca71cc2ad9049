import { Alert, Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { AddDirectVpnWizard } from './AddDirectVpnWizard.tsx';
import { CredentialsDialog, type ShownCredentials } from './CredentialsDialog.tsx';
import { DirectVpnCard } from './DirectVpnCard.tsx';
import { Loadable } from '../../ui/Loadable.tsx';
import { LIVE_REFRESH_MS, useDirectVpns } from './use-direct-vpns.ts';

/** The clock the cards' "for 3 min" counts against, ticking with the refresh. */
export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), LIVE_REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** SPEC D7: the plant's direct VPNs as cards; Add for who may manage them (D10), read only for everyone else. */
export function SiteVpnTab({ plantId, plantName, manage }: { plantId: string; plantName: string; manage: boolean }) {
  const vpns = useDirectVpns(plantId);
  const [adding, setAdding] = useState(false);
  const [credentials, setCredentials] = useState<ShownCredentials | null>(null);
  const now = useNow();
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={2} size="h3">
            Site VPN
          </Title>
          <Text size="sm">
            Tunnels between {plantName}'s agent and the plant router. Their subnets become plant subnets every permitted user reaches through the personal VPN.
          </Text>
        </div>
        {manage && <Button onClick={() => setAdding(true)}>Add direct VPN</Button>}
      </Group>
      {!manage && (
        <Alert color="blue" variant="outline" data-testid="read-only-note">
          You see these tunnels read only: creating and changing them needs Admin or Moderator of the plant's organization.
        </Alert>
      )}
      <Loadable
        query={vpns}
        what="direct VPNs"
        isEmpty={(l) => l.length === 0}
        empty={
          <Card withBorder padding="lg">
            <Text>
              {plantName} has no direct VPN.{manage ? ' Add one when the plant router runs its own VPN, or can only dial out.' : ''}
            </Text>
          </Card>
        }
      >
        {(list) => (
          <SimpleGrid cols={{ base: 1, lg: 2 }}>
            {list.map((vpn) => (
              <DirectVpnCard key={vpn.id} plantId={plantId} vpn={vpn} manage={manage} now={now} />
            ))}
          </SimpleGrid>
        )}
      </Loadable>
      {adding && (
        <AddDirectVpnWizard
          plantId={plantId}
          plantName={plantName}
          onClose={() => setAdding(false)}
          onCreated={(shown) => {
            setAdding(false);
            setCredentials(shown);
          }}
        />
      )}
      {credentials && <CredentialsDialog credentials={credentials} onClose={() => setCredentials(null)} />}
    </Stack>
  );
}
