import { createTheme } from '@mantine/core';

/** Shade 8/9 fills keep white text above 4.5:1 contrast (axe-core, WCAG AA). */
export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: { light: 9, dark: 8 },
  defaultRadius: 'sm',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
});
