import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Hono } from 'hono';

/** Where `npm install` (scripts/build-web.ts) puts the built UI. */
export const WEB_DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/** What `plantgate server` prints about the UI on start. */
export function webUiLine(url: string, dist: string = WEB_DIST): string {
  return existsSync(join(dist, 'index.html')) ? `Web UI: ${url}/` : 'Web UI: not built (run npm run build:web; npm install does it)';
}

type Asset = { body: Uint8Array; gzip: Uint8Array | null; type: string; immutable: boolean };

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/**
 * Serves the built web UI from the control plane's own port (issue 8). Files are read
 * (and gzipped) once at start; Vite's hashed files under /assets/ are cached for a
 * year, index.html never. Any other path outside /api is the single-page app's
 * (index.html), so deep links and reloads work.
 */
export function mountWebUi(app: Hono, dist: string = WEB_DIST): void {
  const assets = loadAssets(dist);
  const index = assets.get('/index.html');
  app.get('*', async (c, next) => {
    const path = c.req.path;
    if (path.startsWith('/api/') || path === '/api' || path === '/healthz') return next();
    const asset = assets.get(path) ?? (path.startsWith('/assets/') ? undefined : index);
    if (!asset) {
      if (index) return next();
      return c.text('The web UI is not built: run `npm run build:web` (npm install does it).', 404);
    }
    const headers: Record<string, string> = {
      'content-type': asset.type,
      'cache-control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      vary: 'accept-encoding',
    };
    const gzip = asset.gzip && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    if (gzip) headers['content-encoding'] = 'gzip';
    return c.body((gzip ? asset.gzip : asset.body) as Uint8Array<ArrayBuffer>, 200, headers);
  });
}

const loaded = new Map<string, Map<string, Asset>>();

/** Once per process and directory: tests build many apps. */
function loadAssets(dist: string): Map<string, Asset> {
  let assets = loaded.get(dist);
  if (assets) return assets;
  assets = new Map<string, Asset>();
  loaded.set(dist, assets);
  if (!existsSync(dist)) return assets;
  for (const file of walk(dist)) {
    const urlPath = `/${relative(dist, file).split(sep).join('/')}`;
    const body = readFileSync(file);
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    const compressible = /^(text\/|application\/json|image\/svg)/.test(type) && body.length > 1024;
    assets.set(urlPath, { body, gzip: compressible ? gzipSync(body, { level: 9 }) : null, type, immutable: urlPath.startsWith('/assets/') });
  }
  return assets;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}
