import { Alert, Button, Group, Loader, Text } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';

/**
 * The three states of a read, drawn the same way everywhere: a labelled loader, an error
 * with a retry, an empty message, or the data.
 */
export function Loadable<T>(props: {
  query: UseQueryResult<T>;
  /** What is loading, e.g. "members" (for the loader's label and the error title). */
  what: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  const { query } = props;
  if (query.isPending) return <Loader aria-label={`Loading ${props.what}`} />;
  if (query.isError) {
    return (
      <Alert color="red" title={`The ${props.what} could not be loaded`} role="alert">
        <Group justify="space-between">
          <Text size="sm">{query.error.message}</Text>
          <Button size="compact-sm" variant="default" onClick={() => query.refetch()}>
            Try again
          </Button>
        </Group>
      </Alert>
    );
  }
  if (props.isEmpty?.(query.data)) return <>{props.empty ?? <Text>Nothing here yet.</Text>}</>;
  return <>{props.children(query.data)}</>;
}
