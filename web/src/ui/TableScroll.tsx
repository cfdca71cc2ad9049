import type { CSSProperties, ReactNode } from 'react';

/**
 * A wide table that scrolls sideways on a phone. The scrolling box is focusable (and
 * named), so keyboard users can scroll it too (axe-core: scrollable-region-focusable).
 */
export function TableScroll({ label, minWidth, children }: { label: string; minWidth: number; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard to be scrolled
    <section className="table-scroll" tabIndex={0} aria-label={label}>
      <div className="table-scroll-inner" style={{ '--table-min-width': `${minWidth}px` } as CSSProperties}>
        {children}
      </div>
    </section>
  );
}
