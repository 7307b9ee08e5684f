/**
 * What `npm run build` compiles and copies, shared by scripts/build.mjs (which writes dist/) and bin/dukaan.js
 * (which runs dist/ only while no source is newer than the build). Plain JavaScript: it runs before any loader.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY_PATH = 'dist/src/cli.js';
const STAMP_PATH = 'dist/build.json';
export const DIST = path.join(ROOT, 'dist');
/** The compiled entry point, `dist/src/cli.js`. */
export const DIST_ENTRY = path.join(ROOT, ENTRY_PATH);
/** Written last by a successful build: `{ "startedAt": <ms> }`, the moment the build began reading the sources. */
export const BUILD_STAMP = path.join(ROOT, STAMP_PATH);
/** Besides src/: files whose change alters the compiled output. */
const CONFIG_FILES = ['tsconfig.json', 'scripts/build.tsconfig.json'];

/**
 * Every file under src/ the running app may read: the TypeScript it is compiled from and the files it reads
 * at run time next to its modules (SQL migrations, web assets). Tests, notes and generated `dist/` folders
 * (deploy/write-assets.ts writes src/web/assets/dist) are not part of the build.
 */
export function sourceFiles(root = ROOT) {
  return filesUnder(path.join(root, 'src'));
}

function filesUnder(dir) {
  const files = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'dist' && entry.name !== 'node_modules') files.push(...filesUnder(full));
    } else if (entry.isFile() && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.md')) {
      files.push(full);
    }
  }
  return files;
}

/** Why dist/ cannot be run (missing or older than a source), or null when it is up to date. */
export function staleReason(root = ROOT) {
  let startedAt;
  try {
    if (!fs.existsSync(path.join(root, ENTRY_PATH))) return `${ENTRY_PATH} does not exist`;
    startedAt = JSON.parse(fs.readFileSync(path.join(root, STAMP_PATH), 'utf8')).startedAt;
  } catch {
    startedAt = undefined;
  }
  if (typeof startedAt !== 'number') return `${STAMP_PATH} is missing or unreadable`;
  for (const file of [...CONFIG_FILES.map((f) => path.join(root, f)), ...sourceFiles(root)]) {
    let mtimeMs;
    try {
      mtimeMs = fs.statSync(file).mtimeMs;
    } catch {
      continue; // removed while we looked
    }
    if (mtimeMs > startedAt) return `${path.relative(root, file)} changed after the last build`;
  }
  return null;
}
