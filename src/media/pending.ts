/**
 * Files a form is not done with yet: a product CSV between its dry run and "apply". Kept on disk under
 * `DATA_DIR/pending/<storeId>/<random id>.<ext>` so the next form carries only the id (a random UUID, checked
 * before it is used as a file name); files older than a day are swept whenever a new one is written.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { isUuid, newSecretId } from '../shared/ids.js';

const KEEP_MS = 24 * 60 * 60 * 1000;
const EXT_RE = /^[a-z0-9]{1,8}$/;

function dirOf(dataDir: string, storeId: string): string | null {
  return isUuid(storeId) ? path.join(dataDir, 'pending', storeId) : null;
}

function fileOf(dataDir: string, storeId: string, id: string, ext: string): string | null {
  const dir = dirOf(dataDir, storeId);
  return dir && isUuid(id) && EXT_RE.test(ext) ? path.join(dir, `${id}.${ext}`) : null;
}

async function sweep(dir: string, now: number): Promise<void> {
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    const file = path.join(dir, name);
    const stat = await fs.stat(file).catch(() => null);
    if (stat && now - stat.mtimeMs > KEEP_MS) await fs.rm(file, { force: true });
  }
}

/** Keeps `bytes` for the store; returns the id the form carries. */
export async function keepPending(dataDir: string, storeId: string, bytes: Buffer, ext: string): Promise<string> {
  const dir = dirOf(dataDir, storeId);
  if (!dir || !EXT_RE.test(ext)) throw new Error('pending: bad store id or extension');
  await fs.mkdir(dir, { recursive: true });
  await sweep(dir, Date.now());
  const id = newSecretId();
  await fs.writeFile(path.join(dir, `${id}.${ext}`), bytes, { mode: 0o600 });
  return id;
}

/** The kept file, or null when the id is malformed, of another store, swept or already used. */
export async function readPending(dataDir: string, storeId: string, id: string, ext: string): Promise<Buffer | null> {
  const file = fileOf(dataDir, storeId, id, ext);
  return file ? fs.readFile(file).catch(() => null) : null;
}

export async function dropPending(dataDir: string, storeId: string, id: string, ext: string): Promise<void> {
  const file = fileOf(dataDir, storeId, id, ext);
  if (file) await fs.rm(file, { force: true });
}
