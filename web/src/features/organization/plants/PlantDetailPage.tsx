import { Alert, Anchor, Button, Card, Group, Modal, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import type { OrgSummary, PlantDetail } from '../../../../../src/core/wire/org.ts';
import { useZodForm } from '../../../lib/use-zod-form.ts';
import { AppLink } from '../../../ui/AppLink.tsx';
import { ConfirmDialog } from '../../../ui/ConfirmDialog.tsx';
import { Loadable } from '../../../ui/Loadable.tsx';
import { formatDate } from '../labels.ts';
import { orgPath } from '../org-paths.ts';
import type { OrgAccess } from '../use-org.ts';
import { AgentBadge } from './AgentBadge.tsx';
import { DevicesCard } from './DevicesCard.tsx';
import { PlantRenameForm } from './plant-forms.ts';
import { SubnetsCard } from './SubnetsCard.tsx';
import { usePlant, useRemovePlant, useRenamePlant } from './use-plants.ts';
import { PlantTabsNav } from '../../site-vpn/PlantTabsNav.tsx';
import { type PlantTab, visiblePlantTabs } from '../../site-vpn/plant-tabs.ts';
import { SiteVpnTab } from '../../site-vpn/SiteVpnTab.tsx';
import { usePlantAccess } from '../../site-vpn/use-direct-vpns.ts';
import { UserVpnTab } from '../../site-vpn/UserVpnTab.tsx';
import { WebTargetsTab } from '../../proxy/WebTargetsTab.tsx';

/**
 * One plant: its subnets and devices with their mapped addresses, the agent that serves it,
 * who it is shared with; the Site VPN and User VPN tabs for who may see its direct VPNs.
 */
export function PlantDetailPage({ org, plantId, plantTab, access }: { org: OrgSummary; plantId: string; plantTab: PlantTab; access: OrgAccess }) {
  const plant = usePlant(org.id, plantId);
  return (
    <Stack>
      <Anchor component="span" size="sm">
        <AppLink to={orgPath(org.id, 'plants')}>← All plants of {org.name}</AppLink>
      </Anchor>
      <Loadable query={plant} what="plant">
        {(p) => <PlantView org={org} plant={p} plantTab={plantTab} access={access} />}
      </Loadable>
    </Stack>
  );
}

function PlantView({ org, plant, plantTab, access }: { org: OrgSummary; plant: PlantDetail; plantTab: PlantTab; access: OrgAccess }) {
  // The plant actions as the server judges them (own organization or cooperation, job roles): an older server without them shows the overview only.
  const plantAccess = usePlantAccess(plant.id);
  const actions = plantAccess.data?.actions ?? [];
  const tabs = visiblePlantTabs(actions, true, plantAccess.data?.reaches ?? false);
  const tab = tabs.includes(plantTab) ? plantTab : 'overview';
  const [renaming, setRenaming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const remove = useRemovePlant(org.id, plant.id);
  const manage = access.can('plants.manage');
  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Title order={2} size="h2" data-testid="plant-name">
          {plant.name}
        </Title>
        <Group gap="xs">
          {manage && (
            <Button variant="default" onClick={() => setRenaming(true)}>
              Rename
            </Button>
          )}
          {access.can('plants.delete') && (
            <Button color="red" variant="outline" onClick={() => setDeleting(true)}>
              Delete plant
            </Button>
          )}
        </Group>
      </Group>
      {tabs.length > 1 && <PlantTabsNav plantName={plant.name} tabs={tabs} current={tab} hrefOf={(t) => orgPath(org.id, 'plants', plant.id, t)} />}
      {tab === 'site-vpn' && <SiteVpnTab plantId={plant.id} plantName={plant.name} manage={actions.includes('direct-vpn.manage')} />}
      {tab === 'user-vpn' && <UserVpnTab plantId={plant.id} plantName={plant.name} manage={actions.includes('direct-vpn.manage')} />}
      {tab === 'web-targets' && <WebTargetsTab plantId={plant.id} plantName={plant.name} manage={actions.includes('web-target.manage')} />}
      {tab === 'overview' && <PlantOverview org={org} plant={plant} manage={manage} />}
      {renaming && <RenameDialog orgId={org.id} plant={plant} onClose={() => setRenaming(false)} />}
      <ConfirmDialog
        opened={deleting}
        title={`Delete ${plant.name}?`}
        confirmLabel={plant.agent ? 'Delete plant and its agent' : 'Delete plant'}
        danger
        loading={remove.isPending}
        error={remove.error?.message}
        onCancel={() => {
          setDeleting(false);
          remove.reset();
        }}
        onConfirm={() => remove.mutate(plant.agent !== null)}
      >
        <Text>
          Every route to {plant.name} ends at once on every gateway (open connections are cut); its subnets, {plant.devicesList.length} device
          {plant.devicesList.length === 1 ? '' : 's'}, job roles and shares in cooperations go with it. Its mapped prefixes are freed.
        </Text>
        {plant.agent && (
          <Alert color="red" variant="outline" title="This plant has an agent" role="alert">
            The agent {plant.agent.name} ({plant.agent.connected ? 'connected now' : 'not connected'}) is removed too: its credential stops working and the
            plant needs a new enrolment to come back.
          </Alert>
        )}
      </ConfirmDialog>
    </Stack>
  );
}

/** The plant's own facts, subnets and devices (the plant page's first tab). */
function PlantOverview({ org, plant, manage }: { org: OrgSummary; plant: PlantDetail; manage: boolean }) {
  return (
    <>
      <Card withBorder padding="lg">
        <dl className="facts">
          <dt>Organization</dt>
          <dd>{plant.organization.name}</dd>
          <dt>Agent</dt>
          <dd>
            <AgentBadge agent={plant.agent} />
            {plant.agent && <Text size="sm">{plant.agent.lastSeenAt ? `last seen ${formatDate(plant.agent.lastSeenAt)}` : 'never seen'}</Text>}
          </dd>
          <dt>Portfolios</dt>
          <dd>{plant.portfolios.map((p) => p.name).join(', ') || 'none'}</dd>
          <dt>Shared with</dt>
          <dd data-testid="shared-with">{plant.sharedWith.map((o) => o.name).join(', ') || 'no partner organization'}</dd>
        </dl>
      </Card>
      <SubnetsCard orgId={org.id} plant={plant} manage={manage} />
      <DevicesCard orgId={org.id} plant={plant} manage={manage} />
    </>
  );
}

function RenameDialog({ orgId, plant, onClose }: { orgId: string; plant: PlantDetail; onClose: () => void }) {
  const rename = useRenamePlant(orgId, plant.id);
  const form = useZodForm(PlantRenameForm, { name: plant.name });
  const onSubmit = form.submit((input) => rename.mutate(input.name, { onSuccess: onClose, onError: form.showError }));
  return (
    <Modal opened onClose={onClose} title={`Rename ${plant.name}`} centered closeButtonProps={{ 'aria-label': 'Cancel' }}>
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <TextInput label="New name" data-autofocus {...form.field('name')} />
          {form.formError && (
            <Text c="red.9" role="alert">
              {form.formError}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={rename.isPending}>
              Rename
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
