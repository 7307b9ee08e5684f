/**
 * Backup and restore of the embedded database (PGlite under DATA_DIR/pglite) with PGlite's own dump of its data
 * directory: a gzipped tarball of PGDATA (`dumpDataDir`), loaded back with `loadDataDir`.
 *
 *   dukaan backup --out FILE     (the server must be stopped: PGlite is opened by one process only)
 *   dukaan restore FILE [--force]
 */
import fs from 'node:fs';
import path from 'node:path';
import { createPgliteDb } from './pglite.js';

export const pgliteDir = (dataDir: string) => path.join(dataDir, 'pglite');

/** True when the directory holds anything (a missing directory is empty). */
export function isNonEmptyDir(dir: string): boolean {
  try {
    return fs.readdirSync(dir).length > 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Writes a gzipped tarball of the embedded database to `outFile` (atomically: a temp file, then rename). */
export async function backupEmbedded(dataDir: string, outFile: string): Promise<{ bytes: number }> {
  const dir = pgliteDir(dataDir);
  if (!fs.existsSync(path.join(dir, 'PG_VERSION')))
    throw new Error(`no embedded database in ${dir} (DATA_DIR=${dataDir})`);
  const db = await createPgliteDb(dir);
  try {
    // A checkpoint first, so the copy needs no WAL replay to be consistent.
    await db.exec('CHECKPOINT');
    const blob = await db.dumpDataDir('gzip');
    const bytes = Buffer.from(await blob.arrayBuffer());
    const out = path.resolve(outFile);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const tmp = `${out}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, out);
    return { bytes: bytes.length };
  } finally {
    await db.close();
  }
}

/**
 * Loads a dump made by `backupEmbedded` into DATA_DIR/pglite. Refuses a non-empty database directory unless
 * `force`; with `force` the old directory is moved aside (`pglite.replaced-<time>`), never deleted.
 */
export async function restoreEmbedded(
  dataDir: string,
  file: string,
  opts: { force?: boolean } = {},
): Promise<{ movedAside: string | null }> {
  const src = path.resolve(file);
  if (!fs.existsSync(src)) throw new Error(`no such backup file: ${src}`);
  const dir = pgliteDir(dataDir);
  let movedAside: string | null = null;
  if (isNonEmptyDir(dir)) {
    if (!opts.force)
      throw new Error(`${dir} already holds a database; restore with --force to replace it (it is moved aside)`);
    movedAside = `${dir}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    fs.renameSync(dir, movedAside);
  }
  fs.mkdirSync(dir, { recursive: true });
  const blob = new Blob([fs.readFileSync(src)]);
  try {
    const db = await createPgliteDb(dir, { loadDataDir: blob });
    await db.query('SELECT 1');
    await db.close();
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    if (movedAside) fs.renameSync(movedAside, dir);
    throw new Error(`cannot load ${src}: ${(err as Error).message}`);
  }
  return { movedAside };
}
