/**
 * Writes the app's content-hashed static assets (and their .gz twins) into a directory for nginx to serve as
 * `/static/` without the app:  npx tsx deploy/write-assets.ts [dir]   (default src/web/assets/dist).
 * Run it on every deploy, before reloading nginx; old names may stay (pages still cached by browsers use them).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeAssets } from '../src/web/assets.js';
import { APP_ASSET_DIR } from './nginx/render.js';
import { PROJECT_ROOT } from './topology.js';

export function writeStaticAssets(dir = path.join(PROJECT_ROOT, APP_ASSET_DIR)): string[] {
  return writeAssets(dir);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const dir = path.resolve(process.argv[2] ?? path.join(PROJECT_ROOT, APP_ASSET_DIR));
  for (const name of writeStaticAssets(dir)) process.stdout.write(`${path.join(dir, name)}\n`);
}
