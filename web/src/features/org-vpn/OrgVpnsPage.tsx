import { Badge, Button, Card, Group, Modal, Radio, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import type { OrgSummary } from '../../../../src/core/wire/org.ts';
import type { OrgVpnProtocol, OrgVpnView } from '../../../../src/core/wire/org-vpn.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { Loadable } from '../../ui/Loadable.tsx';
import { TableScroll } from '../../ui/TableScroll.tsx';
import type { OrgAccess } from '../organization/use-org.ts';
import { AddClientDialog } from './AddClientDialog.tsx';
import { ClientConfigDialog } from './ClientConfigDialog.tsx';
import { ClientSessionsDialog } from './ClientSessionsDialog.tsx';
import { type ShownClientConfig, useAddClient, useCreateOrgVpn, useOrgVpns, useRemoveClient, useRemoveOrgVpn, useVpnPlant } from './use-org-vpns.ts';

/** Organization VPNs (SPEC O1): a shared tunnel in one region with chosen plants, for the whole team's offices and machines. */
export function OrgVpnsPage({ org, access }: { org: OrgSummary; access: OrgAccess }) {
  const vpns = useOrgVpns(org.id);
  const manage = access.can('org-vpns.manage');
  const [creating, setCreating] = useState(false);
  return (
    <Stack>
      <Card withBorder padding="lg">
        <Group justify="space-between">
          <Title order={2} size="h3">
            Organization VPNs
          </Title>
          {manage && <Button onClick={() => setCreating(true)}>New organization VPN</Button>}
        </Group>
        <Text size="sm" mt="xs">
          A shared WireGuard or OpenVPN tunnel in one region. Its sites (office or control-room routers) and devices reach the chosen plants — mapped addresses always,
          native ones where no two chosen plants overlap — and nothing else.
        </Text>
      </Card>
      <Loadable query={vpns} what="organization VPNs" isEmpty={(l) => l.length === 0} empty={<Text>No organization VPN yet.</Text>}>
        {(list) => (
          <Stack>
            {list.map((vpn) => (
              <VpnCard key={vpn.id} orgId={org.id} vpn={vpn} manage={manage} />
            ))}
          </Stack>
        )}
      </Loadable>
      {creating && <CreateDialog orgId={org.id} onClose={() => setCreating(false)} />}
    </Stack>
  );
}

function VpnCard({ orgId, vpn, manage }: { orgId: string; vpn: OrgVpnView; manage: boolean }) {
  const plant = useVpnPlant(orgId);
  const removeClient = useRemoveClient(orgId);
  const removeVpn = useRemoveOrgVpn(orgId);
  const adder = useAddClient(orgId);
  const [newPlant, setNewPlant] = useState('');
  const [adding, setAdding] = useState(false);
  const [shown, setShown] = useState<ShownClientConfig | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [watching, setWatching] = useState<{ id: string; name: string } | null>(null);
  return (
    <Card withBorder padding="lg" data-testid="org-vpn" data-vpn={vpn.name} component="section" aria-label={`Organization VPN ${vpn.name}`}>
      <Stack>
        <Group justify="space-between">
          <div>
            <Title order={3} size="h4">
              {vpn.name}
            </Title>
            <Text size="sm">
              Region <Badge variant="light">{vpn.region}</Badge> · {vpn.protocol === 'openvpn' ? 'OpenVPN' : 'WireGuard'} · {vpn.clients.length} client{vpn.clients.length === 1 ? '' : 's'}
            </Text>
          </div>
          {manage && (
            <Button color="red" variant="outline" size="compact-sm" onClick={() => setDeleting(true)} aria-label={`Delete organization VPN ${vpn.name}`}>
              Delete
            </Button>
          )}
        </Group>

        <Title order={4} size="h5">
          Plants and routes
        </Title>
        <TableScroll label={`routes of ${vpn.name}`} minWidth={560}>
          <Table className="stack-table" data-testid="org-vpn-routes" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Plant</Table.Th>
                <Table.Th>Subnet</Table.Th>
                <Table.Th>Mapped</Table.Th>
                <Table.Th>Native</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {vpn.routes.map((r) => (
                <Table.Tr key={r.mapped}>
                  <Table.Td data-label="Plant">{r.plant}</Table.Td>
                  <Table.Td data-label="Subnet">{r.subnet}</Table.Td>
                  <Table.Td data-label="Mapped">{r.mapped}</Table.Td>
                  <Table.Td data-label="Native">{r.native ? 'yes' : 'no (overlaps another plant of this VPN)'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </TableScroll>
        <Group gap="xs">
          {vpn.plants.map((p) => (
            <Badge key={p.id} variant={p.routed ? 'light' : 'outline'} color={p.routed ? 'blue' : 'gray'} tt="none" size="lg" data-testid="org-vpn-plant">
              {p.name}
              {p.via === 'cooperation' ? ` (${p.organization})` : ''}
              {p.routed ? '' : ' — not routed'}
              {manage && (
                <Button
                  size="compact-xs"
                  variant="subtle"
                  ml={6}
                  aria-label={`Remove plant ${p.name} from ${vpn.name}`}
                  loading={plant.isPending && plant.variables?.plant === p.id}
                  onClick={() => plant.mutate({ vpn: vpn.id, plant: p.id, add: false })}
                >
                  ×
                </Button>
              )}
            </Badge>
          ))}
          {vpn.plants.length === 0 && <Text size="sm">No plant routed yet.</Text>}
        </Group>
        {manage && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              plant.mutate({ vpn: vpn.id, plant: newPlant.trim(), add: true }, { onSuccess: () => setNewPlant('') });
            }}
          >
            <Group align="flex-end">
              <TextInput
                label="Route a plant"
                description="An own plant, or a cooperation plant where your organization holds Operator (name or id)"
                value={newPlant}
                onChange={(e) => setNewPlant(e.currentTarget.value)}
                w={{ base: '100%', sm: 360 }}
              />
              <Button type="submit" variant="default" disabled={!newPlant.trim()}>
                Add plant
              </Button>
            </Group>
            {plant.error && (
              <Text c="red.9" role="alert" size="sm" mt={4}>
                {plant.error.message}
              </Text>
            )}
          </form>
        )}

        <Group justify="space-between">
          <Title order={4} size="h5">
            Clients
          </Title>
          {manage && (
            <Button size="compact-sm" onClick={() => setAdding(true)}>
              Add client
            </Button>
          )}
        </Group>
        {vpn.clients.length === 0 ? (
          <Text size="sm">No client yet.</Text>
        ) : (
          <TableScroll label={`clients of ${vpn.name}`} minWidth={560}>
            <Table className="stack-table" data-testid="org-vpn-clients" verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Kind</Table.Th>
                  <Table.Th>Tunnel IP</Table.Th>
                  <Table.Th>Networks</Table.Th>
                  <Table.Th>Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {vpn.clients.map((c) => (
                  <Table.Tr key={c.id} data-testid="org-vpn-client" data-client={c.name}>
                    <Table.Td data-label="Name" fw={600}>
                      {c.name}
                    </Table.Td>
                    <Table.Td data-label="Kind">{c.kind}</Table.Td>
                    <Table.Td data-label="Tunnel IP">{c.tunnelIp}</Table.Td>
                    <Table.Td data-label="Networks">{c.networks.join(', ') || '—'}</Table.Td>
                    <Table.Td data-label="">
                      <Group gap="xs">
                        <Button size="compact-sm" variant="default" aria-label={`Sessions of client ${c.name}`} onClick={() => setWatching({ id: c.id, name: c.name })}>
                          Sessions
                        </Button>
                        {manage && (
                          <Button
                            size="compact-sm"
                            color="red"
                            variant="outline"
                            aria-label={`Remove client ${c.name}`}
                            loading={removeClient.isPending && removeClient.variables?.client === c.id}
                            onClick={() => removeClient.mutate({ vpn: vpn.id, client: c.id })}
                          >
                            Remove
                          </Button>
                        )}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
        )}
      </Stack>
      {adding && (
        <AddClientDialog
          vpn={vpn.name}
          protocol={vpn.protocol}
          pending={adder.pending}
          error={adder.error}
          onAdd={(input) => adder.add(vpn, input)}
          onShown={(config) => {
            setAdding(false);
            setShown(config);
          }}
          onClose={() => {
            setAdding(false);
            adder.reset();
          }}
        />
      )}
      {shown && <ClientConfigDialog config={shown} onClose={() => setShown(null)} />}
      {watching && <ClientSessionsDialog orgId={orgId} vpn={vpn} client={watching} onClose={() => setWatching(null)} />}
      <ConfirmDialog
        opened={deleting}
        title={`Delete organization VPN ${vpn.name}?`}
        confirmLabel="Delete organization VPN"
        danger
        loading={removeVpn.isPending}
        error={removeVpn.error?.message}
        onCancel={() => setDeleting(false)}
        onConfirm={() => removeVpn.mutate(vpn.id, { onSuccess: () => setDeleting(false) })}
      >
        <Text>Every client is cut at once and its configuration stops working for good.</Text>
      </ConfirmDialog>
    </Card>
  );
}

function CreateDialog({ orgId, onClose }: { orgId: string; onClose: () => void }) {
  const create = useCreateOrgVpn(orgId);
  const [name, setName] = useState('');
  const [region, setRegion] = useState('');
  const [plants, setPlants] = useState('');
  const [protocol, setProtocol] = useState<OrgVpnProtocol>('wireguard');
  return (
    <Modal opened onClose={onClose} title="New organization VPN" centered closeButtonProps={{ 'aria-label': 'Cancel' }}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ name: name.trim(), region: region.trim(), plants: plants.split('\n').map((p) => p.trim()).filter(Boolean), protocol }, { onSuccess: onClose });
        }}
        noValidate
      >
        <Stack>
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} data-autofocus required />
          <TextInput label="Region" description="Where its clients connect (a region's name)" value={region} onChange={(e) => setRegion(e.currentTarget.value)} required />
          <TextInput label="Plants (optional)" description="Plant names, one per line; more can be added later" value={plants} onChange={(e) => setPlants(e.currentTarget.value)} />
          <Radio.Group label="Protocol" description="What its clients run; chosen once" value={protocol} onChange={(v) => setProtocol(v as OrgVpnProtocol)}>
            <Group mt={4}>
              <Radio value="wireguard" label="WireGuard" />
              <Radio value="openvpn" label="OpenVPN (certificate)" />
            </Group>
          </Radio.Group>
          {create.error && (
            <Text c="red.9" role="alert">
              {create.error.message}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
