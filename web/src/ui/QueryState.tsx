import { Alert, Button, Group, Loader, Text } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';

/**
 * The loading, error and empty states of one query, the same on every page: a loader
 * while it loads, the server's message and a retry when it fails, a sentence when
 * there is nothing, and the content otherwise.
 */
export function QueryState<T>(props: {
  query: UseQueryResult<T, Error>;
  /** "users", "regions": used in "Loading users" and "Users could not be loaded". */
  what: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  const { query, what } = props;
  if (query.isPending) return <Loader aria-label={`Loading ${what}`} />;
  if (query.isError) {
    return (
      <Alert color="red" title={`${what[0]?.toUpperCase()}${what.slice(1)} could not be loaded`} role="alert">
        <Group justify="space-between">
          <Text size="sm">{query.error.message}</Text>
          <Button size="xs" variant="default" onClick={() => query.refetch()}>
            Try again
          </Button>
        </Group>
      </Alert>
    );
  }
  if (props.isEmpty?.(query.data)) return <Text data-testid="empty-state">{props.empty}</Text>;
  return <>{props.children(query.data)}</>;
}
