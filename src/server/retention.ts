/**
 * The retention purge: deletes what nobody needs any more (abandoned carts, old sign-in codes, ended sessions,
 * delivered outbox rows, rate-limit counters, idempotency records, payment proofs of long-closed orders, upload
 * files nothing uses — daily).
 * Safe with many workers and servers: one transaction-scoped advisory lock, taken with try — whoever holds it
 * purges, everyone else skips this round. Runs hourly from every server (src/start.ts).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Db, Queryable } from '../db/db.js';
import { imagesDir, MEDIA_NAME_RE } from '../media/images.js';
import { proofsDir, removeProofFiles } from '../payments/proofs.service.js';
import {
  claimDailyRun,
  purgeClosedOrderProofs,
  purgeRows,
  tryPurgeLock,
  usedImageIds,
  usedProofFiles,
  type RetentionPeriods,
} from './retention.repo.js';

export const RETENTION: RetentionPeriods = {
  cartDays: 30,
  otpDays: 1,
  sessionDays: 8,
  outboxDays: 30,
  rateLimitDays: 1,
  idempotencyHours: 48,
  closedOrderProofDays: 180,
  orphanFileDays: 7,
};

/** Files looked at per daily orphan scan (the rest wait for the next day). */
const ORPHAN_SCAN_LIMIT = 5000;

/** Files in `dir` older than `days` whose names match `re`, at most ORPHAN_SCAN_LIMIT. */
async function oldFiles(dir: string, re: RegExp, days: number): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const before = Date.now() - days * 86_400_000;
  const out: string[] = [];
  for (const name of names) {
    if (out.length >= ORPHAN_SCAN_LIMIT) break;
    if (!re.test(name)) continue;
    const st = await fs.stat(path.join(dir, name)).catch(() => null);
    if (st?.isFile() && st.mtimeMs < before) out.push(name);
  }
  return out;
}

const PROOF_FILE_RE = /^[0-9a-f]{32}(\.view)?\.(jpg|png|webp)$/;

/**
 * Upload files nothing uses any more, older than the period: product/store images (`/media/<id>-…`) that no
 * product's images and no store's logo or banner name (an upload whose product was never saved, or a replaced
 * image), and proof files whose row is gone. Paths to delete after commit.
 */
async function orphanFiles(tx: Queryable, dataDir: string, days: number): Promise<string[]> {
  const images = await oldFiles(imagesDir(dataDir), MEDIA_NAME_RE, days);
  const ids = [...new Set(images.map((n) => n.slice(0, 32)))];
  const usedIds = await usedImageIds(tx, ids);
  const proofs = await oldFiles(proofsDir(dataDir), PROOF_FILE_RE, days);
  const usedProofs = await usedProofFiles(tx, proofs);
  return [
    ...images.filter((n) => !usedIds.has(n.slice(0, 32))).map((n) => path.join(imagesDir(dataDir), n)),
    ...proofs.filter((n) => !usedProofs.has(n)).map((n) => path.join(proofsDir(dataDir), n)),
  ];
}

export interface PurgeResult {
  ran: boolean;
  deleted: Record<string, number>;
}

export async function purgeExpired(
  db: Db,
  dataDir: string,
  periods: RetentionPeriods = RETENTION,
): Promise<PurgeResult> {
  const outcome = await db.tx(async (tx) => {
    if (!(await tryPurgeLock(tx))) return null;
    const deleted = await purgeRows(tx, periods);
    const proofs = await purgeClosedOrderProofs(tx, periods.closedOrderProofDays);
    // The orphan scan reads every product's images: once a day is enough.
    const orphans = (await claimDailyRun(tx, 'orphan_files', 20))
      ? await orphanFiles(tx, dataDir, periods.orphanFileDays)
      : [];
    return { deleted: { ...deleted, paymentProofs: proofs.length, orphanFiles: orphans.length }, proofs, orphans };
  });
  if (!outcome) return { ran: false, deleted: {} };
  // Files go after the rows are committed: a crash in between leaves files without rows, never the reverse (and
  // the next orphan scan takes those).
  await removeProofFiles(dataDir, outcome.proofs);
  await Promise.all(outcome.orphans.map((f) => fs.rm(f, { force: true })));
  return { ran: true, deleted: outcome.deleted };
}
