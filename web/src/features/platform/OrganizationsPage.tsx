import { Table, Text } from '@mantine/core';
import { AppLink } from '../../ui/AppLink.tsx';
import { orgPath } from '../organization/org-paths.ts';
import { Loadable } from '../../ui/Loadable.tsx';
import { TableScroll } from '../../ui/TableScroll.tsx';
import { useOrganizations } from './use-platform.ts';

/** Every organization with its counts; each links to the organization's own pages. */
export function OrganizationsPage() {
  const orgs = useOrganizations();
  return (
    <Loadable
      query={orgs}
      what="organizations"
      isEmpty={(d) => d.length === 0}
      empty="No organization yet: apply a fleet file (plantgate admin apply) to create the first one."
    >
      {(list) => (
        <TableScroll label="organizations table" minWidth={720}>
          <Table className="stack-table" data-testid="orgs-table" striped>
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
                    <AppLink to={orgPath(o.id)} fw={600}>
                      {o.name}
                    </AppLink>
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
        </TableScroll>
      )}
    </Loadable>
  );
}
