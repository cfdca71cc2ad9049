import { Stack, Text, Title } from '@mantine/core';
import { useSession } from '../auth/use-session.ts';
import { PasswordCard } from './PasswordCard.tsx';
import { TokensCard } from './TokensCard.tsx';
import { TotpCard } from './TotpCard.tsx';

export function AccountPage() {
  const me = useSession().data;
  return (
    <Stack maw={1100}>
      <Title order={1}>Account</Title>
      {me && (
        <Text>
          Signed in as {me.name} ({me.email}){me.platformOperator ? ', platform operator' : ''}.
        </Text>
      )}
      {me && <PasswordCard email={me.email} />}
      <TotpCard />
      <TokensCard />
    </Stack>
  );
}
