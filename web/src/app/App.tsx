import { Alert, AppShell, Burger, Button, Center, Group, Loader, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { lazy, Suspense } from 'react';
import { AccountPage } from '../features/account/AccountPage.tsx';
import { SignInPage } from '../features/auth/SignInPage.tsx';
import { useSession, useSignOut } from '../features/auth/use-session.ts';
import { useOrgs } from '../features/organization/use-org.ts';
import { VpnPage } from '../features/personal-vpn/VpnPage.tsx';
import { isPlatformPath } from '../features/platform/platform-paths.ts';
import { RoutesPage } from '../features/routes/RoutesPage.tsx';
import { usePrefetchRoutes } from '../features/routes/use-routes.ts';
import { navigate, PAGES, usePath } from './router.ts';

/** Operators only: loaded when first opened, so nobody else downloads it. */
const PlatformPage = lazy(() => import('../features/platform/PlatformPage.tsx').then((m) => ({ default: m.PlatformPage })));
// The organization pages load on first use: most users never open them (initial JS budget, issue 8).
const OrgSection = lazy(() => import('../features/organization/OrgSection.tsx').then((m) => ({ default: m.OrgSection })));
// A plant seen through a cooperation (its Site VPN and User VPN tabs), issue 9.
const SharedPlantPage = lazy(() => import('../features/site-vpn/SharedPlantPage.tsx').then((m) => ({ default: m.SharedPlantPage })));
// The browser proxy's list of openable device web interfaces (issue 12).
const WebTargetsPage = lazy(() => import('../features/proxy/WebTargetsPage.tsx').then((m) => ({ default: m.WebTargetsPage })));
const AcceptInvitationPage = lazy(() => import('../features/organization/invite/AcceptInvitationPage.tsx').then((m) => ({ default: m.AcceptInvitationPage })));

const NAV = [
  { path: PAGES.vpn, label: 'Personal VPN' },
  { path: PAGES.routes, label: 'Routes' },
  { path: PAGES.webTargets, label: 'Web targets' },
  { path: PAGES.account, label: 'Account' },
  // Offered to platform operators only (the page and the API refuse everyone else too).
  { path: '/platform', label: 'Platform', operator: true },
];

export function App() {
  const session = useSession();
  const path = usePath();
  // The invitation page works signed in or not: it is how a new person gets an account.
  if (path === PAGES.invite) {
    return (
      <Suspense fallback={<PageLoader />}>
        <AcceptInvitationPage />
      </Suspense>
    );
  }
  if (session.isPending) {
    return (
      <Center mih="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (session.isError) {
    return (
      <Center mih="100vh" p="md">
        <Alert color="red" title="The control plane cannot be reached" role="alert">
          {session.error.message}
        </Alert>
      </Center>
    );
  }
  if (!session.data) return <SignInPage />;
  return <Shell email={session.data.email} platformOperator={session.data.platformOperator} />;
}

function PageLoader() {
  return (
    <Center mih="50vh">
      <Loader aria-label="Loading" />
    </Center>
  );
}

function Shell({ email, platformOperator }: { email: string; platformOperator: boolean }) {
  const path = usePath();
  const [opened, { toggle, close }] = useDisclosure(false);
  const signOut = useSignOut();
  usePrefetchRoutes();
  const orgs = useOrgs();
  // Shown only to members of an organization (and operators): others have nothing there.
  const nav = orgs.data?.length ? [...NAV.slice(0, 3), { path: PAGES.orgs, label: 'Organization' }, ...NAV.slice(3)] : NAV;
  const go = (to: string) => {
    navigate(to);
    close();
  };
  const here = (to: string) =>
    to === PAGES.orgs ? path === PAGES.orgs || path.startsWith(`${PAGES.orgs}/`) || path.startsWith(`${PAGES.plants}/`) : to === '/platform' ? isPlatformPath(path) : to === path;
  const links = nav
    .filter((item) => !('operator' in item && item.operator) || platformOperator)
    .map((item) => (
      <UnstyledButton
        key={item.path}
        component="a"
        href={item.path}
        aria-current={here(item.path) ? 'page' : undefined}
        onClick={(event) => {
          event.preventDefault();
          go(item.path);
        }}
        px="sm"
        py={6}
        fw={here(item.path) ? 700 : 400}
        td={here(item.path) ? 'underline' : undefined}
      >
        {item.label}
      </UnstyledButton>
    ));
  return (
    <AppShell
      transitionDuration={0}
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'md', collapsed: { desktop: true, mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="md" size="sm" aria-label="Open navigation" />
            <Title order={2} size="h4">
              plantgate
            </Title>
            {/* Six links and the account need about 1,000 px: below that the menu button (md) */}
            <Group gap={0} visibleFrom="md" component="nav" aria-label="Main" wrap="nowrap">
              {links}
            </Group>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Text size="sm" visibleFrom="lg">
              {email}
            </Text>
            <Button variant="default" size="xs" onClick={() => signOut.mutate()} loading={signOut.isPending}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" component="nav" aria-label="Main (mobile)">
        {opened && <Stack gap="xs">{links}</Stack>}
      </AppShell.Navbar>
      <AppShell.Main>
        <Page path={path} />
      </AppShell.Main>
    </AppShell>
  );
}

function Page({ path }: { path: string }) {
  if (path === PAGES.orgs || path.startsWith(`${PAGES.orgs}/`)) {
    return (
      <Suspense fallback={<PageLoader />}>
        <OrgSection path={path} />
      </Suspense>
    );
  }
  if (path.startsWith(`${PAGES.plants}/`)) {
    return (
      <Suspense fallback={<PageLoader />}>
        <SharedPlantPage path={path} />
      </Suspense>
    );
  }
  if (path === PAGES.routes) return <RoutesPage />;
  if (path === PAGES.webTargets) {
    return (
      <Suspense fallback={<PageLoader />}>
        <WebTargetsPage />
      </Suspense>
    );
  }
  if (path === PAGES.account) return <AccountPage />;
  if (isPlatformPath(path)) {
    return (
      <Suspense fallback={<Loader aria-label="Loading the platform pages" />}>
        <PlatformPage path={path} />
      </Suspense>
    );
  }
  return <VpnPage />;
}
