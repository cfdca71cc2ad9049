import { Alert, Group, Stack, Title } from '@mantine/core';
import { navigate } from '../../app/router.ts';
import { useSession } from '../auth/use-session.ts';
import { DaemonsPage } from './DaemonsPage.tsx';
import { EventsPage } from './EventsPage.tsx';
import { OrganizationsPage } from './OrganizationsPage.tsx';
import { PLATFORM_PAGES } from './platform-paths.ts';
import { RegionsPage } from './RegionsPage.tsx';
import { UsersPage } from './UsersPage.tsx';

/**
 * The platform operators' pages. Anyone else opening one by URL gets "not allowed"
 * (the navigation does not offer them, and the API refuses every call anyway).
 */
export function PlatformPage({ path }: { path: string }) {
  const me = useSession().data;
  if (!me?.platformOperator) {
    return (
      <Stack maw={700}>
        <Title order={1}>Platform</Title>
        <Alert color="red" title="Not allowed" role="alert">
          These pages are for platform operators. Your account ({me?.email}) is not one; ask an operator if you need something changed.
        </Alert>
      </Stack>
    );
  }
  const current = PLATFORM_PAGES.find((p) => p.path === path) ?? PLATFORM_PAGES[0];
  return (
    <Stack maw={1280}>
      <Title order={1}>Platform: {current.label.toLowerCase()}</Title>
      <Group gap={4} component="nav" aria-label="Platform pages" className="sub-nav">
        {PLATFORM_PAGES.map((p) => (
          <a
            key={p.path}
            href={p.path}
            aria-current={p.path === current.path ? 'page' : undefined}
            onClick={(event) => {
              event.preventDefault();
              navigate(p.path);
            }}
          >
            {p.label}
          </a>
        ))}
      </Group>
      <PlatformSection path={current.path} />
    </Stack>
  );
}

function PlatformSection({ path }: { path: string }) {
  if (path === '/platform/users') return <UsersPage />;
  if (path === '/platform/regions') return <RegionsPage />;
  if (path === '/platform/daemons') return <DaemonsPage />;
  if (path === '/platform/events') return <EventsPage />;
  return <OrganizationsPage />;
}
