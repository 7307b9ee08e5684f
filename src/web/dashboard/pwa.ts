/**
 * The dashboard as an installable app: the web manifest, the icons (PNG, drawn once per process with sharp from
 * the SVG below), the service worker and its offline page. Pure builders here; the routes are pwa.routes.ts.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { Lang, Translate } from '../../i18n/index.js';
import { assets } from '../assets.js';

export const PWA_PATHS = {
  manifest: '/dashboard/manifest.webmanifest',
  worker: '/dashboard/sw.js',
  offline: '/dashboard/offline',
  icon: (size: number) => `/dashboard/icons/icon-${size}.png`,
} as const;

export const ICON_SIZES = [192, 512] as const;
const THEME = '#0b6e4f';

/** The web app manifest in the page's language (the page links `?lang=`: a manifest is fetched without cookies). */
export function manifest(lang: Lang, tr: Translate): Record<string, unknown> {
  return {
    name: tr('dashboard.pwa.name'),
    short_name: tr('dashboard.pwa.shortName'),
    description: tr('dashboard.pwa.description'),
    lang,
    dir: 'ltr',
    id: '/dashboard/',
    start_url: '/dashboard/',
    scope: '/dashboard/',
    display: 'standalone',
    orientation: 'portrait',
    theme_color: THEME,
    background_color: '#ffffff',
    icons: ICON_SIZES.flatMap((size) => [
      { src: PWA_PATHS.icon(size), sizes: `${size}x${size}`, type: 'image/png', purpose: 'any' },
      { src: PWA_PATHS.icon(size), sizes: `${size}x${size}`, type: 'image/png', purpose: 'maskable' },
    ]),
  };
}

// A shop front: awning stripes over a door, on the brand green, inside the maskable safe zone (the middle 80 %).
const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">
<rect width="100" height="100" fill="${THEME}"/>
<path d="M24 34h52l-4 12H28z" fill="#fff"/>
<path d="M30 34h8l-2 12h-6zM46 34h8v12h-8zM62 34h8l2 12h-6z" fill="#f4b400"/>
<rect x="28" y="48" width="44" height="26" fill="#fff"/>
<rect x="44" y="56" width="12" height="18" fill="${THEME}"/>
</svg>`;

const iconCache = new Map<number, Promise<Buffer>>();

/** The app icon as a PNG of `size` px (made once per process). */
export function iconPng(size: number): Promise<Buffer> {
  let png = iconCache.get(size);
  if (!png) {
    png = sharp(Buffer.from(ICON_SVG), { density: Math.ceil((72 * size) / 100) })
      .resize(size, size)
      .png({ compressionLevel: 9 })
      .toBuffer();
    iconCache.set(size, png);
  }
  return png;
}

const WORKER_SOURCE = path.join(path.dirname(fileURLToPath(import.meta.url)), '../assets/sw.js');
let workerCache: string | null = null;

/**
 * The service worker: the shell's files (the hashed CSS and JS, icons, offline page) written in as its first line,
 * then src/web/assets/sw.js. A new deploy changes the hashed names, hence the worker's bytes, hence the browser
 * installs the new one and drops the old cache.
 */
export function serviceWorkerSource(): string {
  if (workerCache) return workerCache;
  const { css, js } = assets();
  const shell = [PWA_PATHS.offline, css.url, js.url, ...ICON_SIZES.map((s) => PWA_PATHS.icon(s))];
  const body = fs.readFileSync(WORKER_SOURCE, 'utf8');
  const version = createHash('sha256').update(JSON.stringify(shell)).update(body).digest('hex').slice(0, 12);
  const vars = { SHELL: shell, OFFLINE: PWA_PATHS.offline, ICON: PWA_PATHS.icon(192), VERSION: version };
  workerCache = `var ${Object.entries(vars)
    .map(([name, value]) => `${name} = ${JSON.stringify(value)}`)
    .join(', ')};\n${body}`;
  return workerCache;
}
