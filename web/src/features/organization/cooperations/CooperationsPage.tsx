import { Button, Card, Group, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { CooperationOfferRequest, type OrgSummary } from '../../../../../src/core/wire/org.ts';
import { useZodForm } from '../../../lib/use-zod-form.ts';
import { Loadable } from '../../../ui/Loadable.tsx';
import { PickList, pickedIds } from '../PickList.tsx';
import { usePlants } from '../plants/use-plants.ts';
import { usePortfolios } from '../portfolios/use-portfolios.ts';
import type { OrgAccess } from '../use-org.ts';
import { CooperationCard } from './CooperationCard.tsx';
import { useCooperations, useOfferCooperation } from './use-cooperations.ts';

/** Cooperations the organization owns (it shares plants) and those it is the partner of (it uses shared plants). */
export function CooperationsPage({ org, access }: { org: OrgSummary; access: OrgAccess }) {
  const [withEnded, setWithEnded] = useState(false);
  const cooperations = useCooperations(org.id, withEnded);
  const manage = access.can('cooperations.manage');
  return (
    <Stack>
      {manage && <OfferCard orgId={org.id} />}
      <Switch label="Show ended cooperations" checked={withEnded} onChange={(e) => setWithEnded(e.currentTarget.checked)} />
      <Loadable query={cooperations} what="cooperations">
        {(list) => {
          const owned = list.filter((c) => c.side === 'owner');
          const partnered = list.filter((c) => c.side === 'partner');
          return (
            <Stack>
              <Title order={2} size="h3">
                Shared by {org.name}
              </Title>
              {owned.length === 0 && <Text>{org.name} shares no plant with another organization.</Text>}
              {owned.map((c) => (
                <CooperationCard key={c.id} org={org} cooperation={c} access={access} />
              ))}
              <Title order={2} size="h3">
                Shared with {org.name}
              </Title>
              {partnered.length === 0 && <Text>No organization shares plants with {org.name}.</Text>}
              {partnered.map((c) => (
                <CooperationCard key={c.id} org={org} cooperation={c} access={access} />
              ))}
            </Stack>
          );
        }}
      </Loadable>
    </Stack>
  );
}

function OfferCard({ orgId }: { orgId: string }) {
  const plants = usePlants(orgId);
  const portfolios = usePortfolios(orgId);
  const offer = useOfferCooperation(orgId);
  const form = useZodForm(CooperationOfferRequest, { partner: '', plants: '', portfolios: '' }, (v) => ({
    partner: v.partner,
    plants: pickedIds(v.plants),
    portfolios: pickedIds(v.portfolios),
  }));
  const onSubmit = form.submit((input) => offer.mutate(input, { onSuccess: () => form.reset(), onError: form.showError }));
  return (
    <Card withBorder padding="lg">
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <Title order={2} size="h3">
            Share plants with another organization
          </Title>
          <Text size="sm">
            The partner's Admin then gives its own members job roles on what you share; only the Operator role gives them routes. You see those job roles here
            and can end the cooperation at any time.
          </Text>
          <TextInput label="Partner organization (exact name)" w={{ base: '100%', sm: 360 }} {...form.field('partner')} />
          <Group grow align="flex-start" preventGrowOverflow={false} wrap="wrap">
            <Loadable query={plants} what="plants">
              {(list) => (
                <PickList
                  label="Plants"
                  options={list}
                  value={form.values.plants ?? ''}
                  onChange={(value) => form.setValues((v) => ({ ...v, plants: value }))}
                  error={form.field('plants').error}
                />
              )}
            </Loadable>
            <Loadable query={portfolios} what="portfolios">
              {(list) => (
                <PickList
                  label="Portfolios"
                  options={list}
                  value={form.values.portfolios ?? ''}
                  onChange={(value) => form.setValues((v) => ({ ...v, portfolios: value }))}
                  error={form.field('portfolios').error}
                />
              )}
            </Loadable>
          </Group>
          {form.formError && (
            <Text c="red.9" role="alert">
              {form.formError}
            </Text>
          )}
          <Group>
            <Button type="submit" loading={offer.isPending}>
              Share
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
