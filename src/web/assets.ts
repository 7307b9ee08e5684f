/**
 * The site's static assets: read once at startup, named by content hash (`/static/app.3f9c0a1b2c.css`) and
 * served with `Cache-Control: public, max-age=31536000, immutable`. A changed file gets a new name, so a page
 * never meets a stale stylesheet. A gzip copy is made once and sent to clients that accept it (nginx may
 * serve the same files itself in production: see `writeAssets`).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';

export interface Asset {
  /** `app.3f9c0a1b2c.css` */
  hashedName: string;
  /** `/static/app.3f9c0a1b2c.css` */
  url: string;
  contentType: string;
  body: Buffer;
  gzip: Buffer;
}

const ASSET_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'assets');
const SOURCES = { css: 'app.css', js: 'app.js' } as const;
const TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

export const STATIC_PREFIX = '/static/';
export const IMMUTABLE = 'public, max-age=31536000, immutable';

function load(file: string): Asset {
  const body = fs.readFileSync(path.join(ASSET_DIR, file));
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const ext = path.extname(file);
  const hashedName = `${path.basename(file, ext)}.${hash}${ext}`;
  return {
    hashedName,
    url: `${STATIC_PREFIX}${hashedName}`,
    contentType: TYPES[ext] ?? 'application/octet-stream',
    body,
    gzip: gzipSync(body, { level: 9 }),
  };
}

let loaded: { css: Asset; js: Asset } | null = null;

/** The hashed assets (loaded on first use). `assets().css.url` is what a `<link>` points at. */
export function assets(): { css: Asset; js: Asset } {
  loaded ??= { css: load(SOURCES.css), js: load(SOURCES.js) };
  return loaded;
}

/** Copies the hashed files (and .gz) into a directory, for nginx to serve `/static/` without the app. */
export function writeAssets(dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const asset of Object.values(assets())) {
    fs.writeFileSync(path.join(dir, asset.hashedName), asset.body);
    fs.writeFileSync(path.join(dir, `${asset.hashedName}.gz`), asset.gzip);
    written.push(asset.hashedName);
  }
  return written;
}

/** GET/HEAD /static/:file for the hashed names; anything else is 404. */
export function registerAssetRoutes(app: FastifyInstance): void {
  const byName = new Map(Object.values(assets()).map((a) => [a.hashedName, a]));
  app.get<{ Params: { file: string } }>(`${STATIC_PREFIX}:file`, { schema: { hide: true } }, async (request, reply) => {
    const asset = byName.get(request.params.file);
    if (!asset) {
      return reply.code(404).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send('Not found');
    }
    reply.header('cache-control', IMMUTABLE).header('vary', 'accept-encoding').type(asset.contentType);
    const accepts = request.headers['accept-encoding'];
    if (typeof accepts === 'string' && /\bgzip\b/.test(accepts)) {
      return reply.header('content-encoding', 'gzip').send(asset.gzip);
    }
    return reply.send(asset.body);
  });
}
