import { Alert, Button, Group, Loader, Modal, Stack, Text } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { orgVpnApi } from '../../../../src/core/wire/org-vpn.ts';
import { request } from '../../api/client.ts';
import { SessionsTable } from '../personal-vpn/SessionsSection.tsx';

const PAGE = 25;

/** An organization VPN client's current and past sessions (P7's view), asked again every 15 s as gateways report. */
export function ClientSessionsDialog(props: { orgId: string; vpn: { id: string; name: string }; client: { id: string; name: string }; onClose: () => void }) {
  const { orgId, vpn, client } = props;
  const sessions = useInfiniteQuery({
    queryKey: ['org', orgId, 'org-vpn-sessions', vpn.id, client.id],
    queryFn: ({ pageParam }) =>
      request(orgVpnApi.clientSessions, { params: { org: orgId, vpn: vpn.id, client: client.id }, query: { limit: PAGE, ...(pageParam ? { cursor: pageParam } : {}) } }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next,
    refetchInterval: 15_000,
  });
  const rows = sessions.data?.pages.flatMap((p) => p.sessions) ?? [];
  return (
    <Modal opened onClose={props.onClose} title={`Sessions of ${client.name}`} size={1100} centered closeButtonProps={{ 'aria-label': 'Close' }}>
      <Stack gap="xs">
        <Text size="sm" c="dimmed">
          Newest first, as the gateways of {vpn.name}&apos;s region report them (a WireGuard client&apos;s session spans its handshakes, an OpenVPN client&apos;s its
          connection).
        </Text>
        {sessions.isPending && <Loader size="sm" aria-label={`Loading the sessions of ${client.name}`} />}
        {sessions.isError && (
          <Alert color="red" title="The sessions could not be loaded" role="alert">
            {sessions.error.message}
          </Alert>
        )}
        {sessions.isSuccess && rows.length === 0 && <Text data-testid="sessions-empty">No session yet.</Text>}
        {rows.length > 0 && <SessionsTable rows={rows} label={`sessions of ${client.name}`} whose="the client" />}
        {sessions.hasNextPage && (
          <Group>
            <Button variant="default" onClick={() => void sessions.fetchNextPage()} loading={sessions.isFetchingNextPage}>
              Show older sessions
            </Button>
          </Group>
        )}
      </Stack>
    </Modal>
  );
}
