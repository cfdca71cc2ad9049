import { type RefObject, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';

export type WindowVirtual = {
  /** First and one-past-last item to draw. */
  start: number;
  end: number;
  /** Space standing in for the items above and below the drawn ones. */
  before: number;
  after: number;
  /** Ref callback for the drawn item `key`: its height is measured after each draw. */
  measure: (key: string) => (element: HTMLElement | null) => void;
};

/**
 * Draws only the items of a long list near the window's viewport (the page scrolls the
 * window, so the list needs no scroll box of its own). Items may differ in height: each
 * drawn item is measured and the list's space follows; items not yet drawn count with
 * `estimate`. `overscan` pixels are drawn above and below the viewport, so tabbing
 * onward always finds the next item in the document: focusing it scrolls the window,
 * which draws the items after it.
 */
export function useWindowVirtual(options: {
  keys: readonly string[];
  estimate: (index: number) => number;
  container: RefObject<HTMLElement | null>;
  overscan?: number;
  /** Lists this short are drawn whole (cheap, and a full-page screenshot or find-in-page sees all of it). */
  drawAllUpTo?: number;
}): WindowVirtual {
  const { keys, estimate, container, overscan = 800, drawAllUpTo = 40 } = options;
  const heights = useRef(new Map<string, number>());
  const elements = useRef(new Map<string, HTMLElement>());
  const [version, setVersion] = useState(0);
  const [viewport, setViewport] = useState(() => ({ top: 0, height: typeof window === 'undefined' ? 800 : window.innerHeight }));

  // The window's viewport relative to the list's top, updated once per frame while scrolling or resizing.
  useEffect(() => {
    let frame = 0;
    const read = () => {
      frame = 0;
      const top = container.current ? -container.current.getBoundingClientRect().top : 0;
      setViewport((v) => (Math.abs(v.top - top) < 1 && v.height === window.innerHeight ? v : { top, height: window.innerHeight }));
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(read);
    };
    read();
    window.addEventListener('scroll', schedule, { passive: true });
    window.addEventListener('resize', schedule, { passive: true });
    return () => {
      cancelAnimationFrame(frame);
      window.removeEventListener('scroll', schedule);
      window.removeEventListener('resize', schedule);
    };
  }, [container]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` marks new measurements in the heights map.
  const offsets = useMemo(() => {
    const out = new Float64Array(keys.length + 1);
    for (let i = 0; i < keys.length; i++) out[i + 1] = (out[i] as number) + (heights.current.get(keys[i] as string) ?? estimate(i));
    return out;
  }, [keys, estimate, version]);

  const total = offsets[keys.length] as number;
  const [start, end] =
    keys.length <= drawAllUpTo ? [0, keys.length] : visibleRange(offsets, viewport.top - overscan, viewport.top + viewport.height + overscan);

  // After each draw: measure the drawn items; a change re-lays out the list once more.
  useLayoutEffect(() => {
    let changed = false;
    for (const [key, element] of elements.current) {
      const height = element.getBoundingClientRect().height;
      if (height > 0 && Math.abs((heights.current.get(key) ?? -1) - height) >= 0.5) {
        heights.current.set(key, height);
        changed = true;
      }
    }
    if (changed) setVersion((v) => v + 1);
  });

  const refs = useRef(new Map<string, (element: HTMLElement | null) => void>());
  const measure = useCallback((key: string) => {
    let ref = refs.current.get(key);
    if (!ref) {
      ref = (element: HTMLElement | null) => {
        if (element) elements.current.set(key, element);
        else elements.current.delete(key);
      };
      refs.current.set(key, ref);
    }
    return ref;
  }, []);

  return { start, end, before: offsets[start] as number, after: total - (offsets[end] as number), measure };
}

/**
 * The items overlapping [from, to) given `offsets` (item i spans offsets[i] to offsets[i+1]):
 * [first, one past the last]. Binary search: a scroll event on 500 sections costs ~10 steps.
 */
export function visibleRange(offsets: ArrayLike<number>, from: number, to: number): [number, number] {
  const count = offsets.length - 1;
  // First item whose bottom is below `from`.
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((offsets[mid + 1] as number) <= from) lo = mid + 1;
    else hi = mid;
  }
  const start = lo;
  // First item whose top is at or below `to`.
  hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((offsets[mid] as number) < to) lo = mid + 1;
    else hi = mid;
  }
  return [start, Math.max(start, lo)];
}
