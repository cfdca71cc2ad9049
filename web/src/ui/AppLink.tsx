import { Anchor } from '@mantine/core';
import type { ReactNode } from 'react';
import { navigate } from '../app/router.ts';

/** A real link (opens in a new tab with the middle button) that navigates inside the page on a plain click. */
export function AppLink({ to, children, ...rest }: { to: string; children: ReactNode; 'aria-label'?: string; fw?: number }) {
  return (
    <Anchor
      href={to}
      onClick={(event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigate(to);
      }}
      {...rest}
    >
      {children}
    </Anchor>
  );
}
