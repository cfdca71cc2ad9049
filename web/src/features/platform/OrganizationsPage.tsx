import { Anchor, Table, Text } from '@mantine/core';
import type { CSSProperties } from 'react';
import { navigate } from '../../app/router.ts';
import { QueryState } from '../../ui/QueryState.tsx';
import { organizationPath } from './platform-paths.ts';
import { useOrganizations } from './use-platform.ts';

/** Every organization with its counts; each links to the organization's own pages. */
export function OrganizationsPage() {
  const orgs = useOrganizations();
  return (
    <QueryState
      query={orgs}
      what="organizations"
      isEmpty={(d) => d.length === 0}
      empty="No organization yet: apply a fleet file (plantgate admin apply) to create the first one."
    >
      {(list) => (
        <div className="table-scroll">
          <Table className="stack-on-phone" style={{ '--table-min-width': '720px' } as CSSProperties} data-testid="orgs-table" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Organization</Table.Th>
                <Table.Th>Members</Table.Th>
                <Table.Th>Plants</Table.Th>
                <Table.Th>Portfolios</Table.Th>
                <Table.Th>Cooperations offered</Table.Th>
                <Table.Th>Cooperations as partner</Table.Th>
                <Table.Th>Your role</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((o) => (
                <Table.Tr key={o.id}>
                  <Table.Td data-label="Organization">
                    <Anchor
                      href={organizationPath(o.name)}
                      onClick={(event) => {
                        event.preventDefault();
                        navigate(organizationPath(o.name));
                      }}
                      fw={600}
                    >
                      {o.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td data-label="Members">{o.members}</Table.Td>
                  <Table.Td data-label="Plants">{o.plants}</Table.Td>
                  <Table.Td data-label="Portfolios">{o.portfolios}</Table.Td>
                  <Table.Td data-label="Cooperations offered">{o.cooperationsOwned}</Table.Td>
                  <Table.Td data-label="Cooperations as partner">{o.cooperationsAsPartner}</Table.Td>
                  <Table.Td data-label="Your role">
                    <Text size="sm">{o.myRole ?? 'not a member'}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </QueryState>
  );
}
