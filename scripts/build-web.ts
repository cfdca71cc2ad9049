// Builds the web UI (web/ → web/dist) during `npm install` / `npm ci` (the `prepare`
// script), offline and in a few seconds. Without the dev dependencies (npm ci
// --omit=dev) there is no Vite: the server then answers / with a hint instead of the UI.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const vite = await import('vite').catch(() => null);
if (vite === null) {
  console.log('web UI not built: Vite is not installed (dev dependencies omitted)');
} else {
  const configFile = `${root}web/vite.config.ts`;
  if (!existsSync(configFile)) throw new Error(`missing ${configFile}`);
  const started = performance.now();
  await vite.build({ configFile, logLevel: 'warn' });
  console.log(`web UI built into web/dist in ${Math.round(performance.now() - started)} ms`);
}
