import { Button, CopyButton, Group } from '@mantine/core';
import type { ReactNode } from 'react';

/** A value with a Copy button beside it (mapped prefixes, tokens). */
export function CopyField({ value, label, children }: { value: string; label: string; children?: ReactNode }) {
  return (
    <Group gap={6} wrap="nowrap">
      {children ?? <code>{value}</code>}
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Button size="compact-xs" variant="subtle" onClick={copy} aria-label={`Copy ${label}`}>
            {copied ? 'Copied' : 'Copy'}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}
