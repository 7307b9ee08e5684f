/**
 * Restore drills. PostgreSQL: a private cluster archiving its WAL with pgBackRest (Debian `pgbackrest`); a full
 * backup (`npm run db -- backup`); orders; time T; more orders and a product deleted; `npm run db -- restore --to T`
 * into a new cluster → exactly the orders before T, the product back, stock and order numbers consistent.
 * Embedded: the same with `dukaan backup --out FILE` / `dukaan restore FILE` (PGlite's dump of its data directory).
 * A missing pgbackrest is an error, never a skip.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createPgCluster, type PgCluster } from '../../deploy/lib/pg-cluster.js';
import { archiveSettings, stanzaCreate, writeBackupConfig, type BackupConfig } from '../../deploy/lib/pgbackrest.js';
import { freePortRange } from '../../deploy/lib/proc.js';
import { PROJECT_ROOT } from '../../deploy/topology.js';
import type { Db } from '../../src/db/db.js';
import { createPgDb } from '../../src/db/pg.js';
import { createPgliteDb } from '../../src/db/pglite.js';
import type { TestContext } from '../helpers/app.js';
import { appOnDb } from '../helpers/app-on-db.js';
import { addProduct, openShop, placeOrder, type Shop } from '../helpers/order-fixtures.js';
import { startPrivatePg, type PrivatePg } from '../helpers/pg-cluster.js';

const run = promisify(execFile);
const TSX = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');

async function cli(script: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  try {
    return await run(script.endsWith('.js') ? process.execPath : TSX, [path.join(PROJECT_ROOT, script), ...args], {
      cwd: PROJECT_ROOT,
      env,
      timeout: 300_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string; code?: number };
    throw Object.assign(new Error(`${script} ${args.join(' ')} failed: ${e.message}\n${e.stdout}\n${e.stderr}`), {
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
      exitCode: e.code,
    });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Snapshot {
  orders: { id: string; number: number }[];
  stock: Record<string, number | null>;
  sold: Record<string, number>;
  archived: Record<string, boolean>;
}

/** The store's orders, its variants' stock, what the orders took of each variant, and which products are archived. */
async function snapshot(db: Db, storeId: string): Promise<Snapshot> {
  const orders = await db.query<{ id: string; number: number }>(
    'SELECT id, number FROM orders WHERE store_id = $1 ORDER BY number',
    [storeId],
  );
  const variants = await db.query<{ id: string; stock: number | null; archived: boolean; sold: number }>(
    `SELECT v.id, v.stock, p.archived_at IS NOT NULL AS archived,
            COALESCE((SELECT sum(l.quantity) FROM order_lines l JOIN orders o ON o.id = l.order_id
                      WHERE l.variant_id = v.id AND o.store_id = $1), 0)::integer AS sold
       FROM variants v JOIN products p ON p.id = v.product_id WHERE v.store_id = $1`,
    [storeId],
  );
  return {
    orders: orders.rows,
    stock: Object.fromEntries(variants.rows.map((v) => [v.id, v.stock])),
    sold: Object.fromEntries(variants.rows.map((v) => [v.id, v.sold])),
    archived: Object.fromEntries(variants.rows.map((v) => [v.id, v.archived])),
  };
}

/** Asserts what a restore to T must show: the orders before T, stock = initial − their lines, numbers 1..n. */
function expectStateAtT(restored: Snapshot, atT: Snapshot, initial: Record<string, number>): void {
  expect(restored.orders).toEqual(atT.orders);
  expect(restored.orders.map((o) => o.number)).toEqual(restored.orders.map((_, i) => i + 1));
  expect(restored.archived).toEqual(atT.archived);
  expect(Object.values(restored.archived).every((a) => a === false)).toBe(true);
  for (const [variant, start] of Object.entries(initial)) {
    expect(restored.stock[variant]).toBe(start - restored.sold[variant]!);
    expect(restored.stock[variant]).toBe(atT.stock[variant]);
  }
}

/** Orders before T, then (after T) more orders and the second product deleted. */
async function placeBeforeAndAfter(
  ctx: TestContext,
  noteT: () => Promise<string>,
): Promise<{ shop: Shop; T: string; atT: Snapshot; initial: Record<string, number>; deleted: string }> {
  const shop = await openShop(ctx);
  const rice = await addProduct(shop, 'Basmati rice 5 kg', 64_900, 100);
  const dal = await addProduct(shop, 'Toor dal 1 kg', 18_500, 50);
  const initial = { [rice]: 100, [dal]: 50 };
  for (const lines of [
    [[rice, 2]],
    [[dal, 3]],
    [
      [rice, 1],
      [dal, 1],
    ],
  ] as [string, number][][])
    await placeOrder(shop, lines);
  const atT = await snapshot(ctx.testDb.db, shop.storeId);
  expect(atT.orders).toHaveLength(3);
  await sleep(30);
  const T = await noteT();
  await sleep(30);
  await placeOrder(shop, [[rice, 5]]);
  await placeOrder(shop, [[dal, 4]]);
  const products = await shop.api.get(`${shop.base}/products`);
  const dalProduct = (products.body.items as { id: string; slug: string; variants: { id: string }[] }[]).find(
    (p) => p.variants[0]!.id === dal,
  )!;
  const del = await shop.api.delete(`${shop.base}/products/${dalProduct.id}`);
  expect(del.status).toBe(204);
  const after = await snapshot(ctx.testDb.db, shop.storeId);
  expect(after.orders).toHaveLength(5);
  expect(after.archived[dal]).toBe(true);
  return { shop, T, atT, initial, deleted: dalProduct.slug };
}

describe('PostgreSQL: pgBackRest full backup + WAL archive, restore to a moment', () => {
  let source: PrivatePg | undefined;
  let restored: PgCluster | undefined;
  let restoredDir: string | undefined;
  const contexts: TestContext[] = [];
  afterAll(async () => {
    for (const ctx of contexts) await ctx.close().catch(() => {});
    await restored?.destroy().catch(() => {});
    if (restoredDir) fs.rmSync(restoredDir, { recursive: true, force: true });
    await source?.destroy();
  }, 120_000);

  it('restore to T: exactly the orders before T, the product back, stock and numbers consistent', async () => {
    let cfg: BackupConfig | undefined;
    source = await startPrivatePg({
      settings: async ({ dir, dataDir, port }) => {
        cfg = await writeBackupConfig({ dir: path.join(dir, 'backup'), pgDataDir: dataDir, pgPort: port });
        return archiveSettings(cfg);
      },
    });
    const backupDir = path.join(source.dir, 'backup');
    await stanzaCreate(cfg!);

    const ctx = await appOnDb(createPgDb(source.appUrl, { max: 5 }), source.appUrl);
    contexts.push(ctx);
    const full = await cli('deploy/db.ts', ['backup', '--backup-dir', backupDir]);
    expect(full.stdout).toMatch(/full backup \S+F done in/);

    const { shop, T, atT, initial, deleted } = await placeBeforeAndAfter(ctx, async () => {
      const { rows } = await ctx.testDb.db.query<{ t: string }>(
        `SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t`,
      );
      return rows[0]!.t;
    });

    const listed = await cli('deploy/db.ts', ['backups', '--backup-dir', backupDir, '--json']);
    const backups = JSON.parse(listed.stdout) as { type: string; databaseBytes: number; ageSeconds: number }[];
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatchObject({ type: 'full' });
    expect(backups[0]!.databaseBytes).toBeGreaterThan(1_000_000);
    const table = await cli('deploy/db.ts', ['backups', '--backup-dir', backupDir]);
    expect(table.stdout).toMatch(/full\s+\S+\s+\d+ s\s+\d/);

    restoredDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dukaan-restore-'));
    fs.chmodSync(restoredDir, 0o755);
    const port = await freePortRange(1, 40000, 50000);
    const started = Date.now();
    const out = await cli('deploy/db.ts', [
      'restore',
      '--backup-dir',
      backupDir,
      '--to',
      T,
      '--into',
      path.join(restoredDir, 'data'),
      '--port',
      String(port),
    ]);
    const restoreMs = Date.now() - started;
    expect(out.stdout).toContain(`running on port ${port}`);
    restored = await createPgCluster({ dataDir: path.join(restoredDir, 'data'), port });

    const url = restored.url('dukaan');
    const copy = await appOnDb(createPgDb(url, { max: 3 }), url);
    contexts.push(copy);
    const got = await snapshot(copy.testDb.db, shop.storeId);
    expectStateAtT(got, atT, initial);
    // The product deleted after T is live in the copy, on its storefront too.
    const page = await copy.app.inject({ method: 'GET', url: `/api/v1/storefront/${shop.slug}/products/${deleted}` });
    expect(page.statusCode).toBe(200);
    // Order numbers continue after the restored ones: the next order is number 4.
    const next = await copy.app.inject({
      method: 'POST',
      url: `/api/v1/storefront/${shop.slug}/carts`,
    });
    expect(next.statusCode).toBe(201);
    const cartId = JSON.parse(next.body).id as string;
    const variant = Object.keys(initial)[0]!;
    const put = await copy.app.inject({
      method: 'PUT',
      url: `/api/v1/storefront/${shop.slug}/carts/${cartId}/lines/${variant}`,
      payload: { quantity: 1 },
    });
    expect(put.statusCode).toBe(200);
    const order = await copy.app.inject({
      method: 'POST',
      url: `/api/v1/storefront/${shop.slug}/carts/${cartId}/checkout`,
      payload: {
        customer: {
          name: 'Asha Rao',
          phone: '+919812345678',
          address: { line1: '1 MG Rd', city: 'Pune', pincode: '411001' },
        },
        paymentMethod: 'cod',
      },
    });
    expect(order.statusCode).toBe(201);
    expect(JSON.parse(order.body).number).toBe(4);
    console.log(
      `[restore drill] postgres: full backup ${backups[0]!.databaseBytes} B; orders before T ${atT.orders.length}, ` +
        `after T 2 + 1 product deleted; restore to T into a new cluster took ${(restoreMs / 1000).toFixed(1)} s; ` +
        `restored orders ${got.orders.map((o) => o.number).join(',')}`,
    );
  }, 480_000);
});

describe('embedded: dukaan backup --out FILE / dukaan restore FILE', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dukaan-embedded-drill-'));
  const contexts: TestContext[] = [];
  afterAll(async () => {
    for (const ctx of contexts) await ctx.close().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('a dump at T restores the orders before T and the deleted product; no overwrite without --force', async () => {
    const live = path.join(dir, 'live');
    const dump = path.join(dir, 'dump.tar.gz');
    const env = (dataDir: string) => ({ ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', DUKAAN_RUNTIME: 'tsx' });

    // Orders before T; the "note T" step is the dump itself, taken with the server stopped.
    let ctx = await appOnDb(await createPgliteDb(path.join(live, 'pglite')), null);
    const shop = await openShop(ctx);
    const rice = await addProduct(shop, 'Basmati rice 5 kg', 64_900, 100);
    const dal = await addProduct(shop, 'Toor dal 1 kg', 18_500, 50);
    const initial = { [rice]: 100, [dal]: 50 };
    await placeOrder(shop, [[rice, 2]]);
    await placeOrder(shop, [
      [rice, 1],
      [dal, 3],
    ]);
    const atT = await snapshot(ctx.testDb.db, shop.storeId);
    await ctx.close();
    const backup = await cli('bin/dukaan.js', ['backup', '--out', dump], env(live));
    expect(backup.stdout).toContain(`wrote ${dump}`);
    expect(fs.statSync(dump).size).toBeGreaterThan(100_000);

    // After T: more orders, the dal deleted.
    ctx = await appOnDb(await createPgliteDb(path.join(live, 'pglite')), null);
    const shopAgain: Shop = { ...shop, customer: (await import('../helpers/app.js')).client(ctx.app) };
    shopAgain.api = (await import('../helpers/app.js')).client(ctx.app, shop.token);
    await placeOrder(shopAgain, [[dal, 4]]);
    const products = await shopAgain.api.get(`${shop.base}/products`);
    const dalProduct = (products.body.items as { id: string; slug: string; variants: { id: string }[] }[]).find(
      (p) => p.variants[0]!.id === dal,
    )!;
    expect((await shopAgain.api.delete(`${shop.base}/products/${dalProduct.id}`)).status).toBe(204);
    expect((await snapshot(ctx.testDb.db, shop.storeId)).orders).toHaveLength(3);
    await ctx.close();

    // Into a non-empty data dir: refused without --force, nothing changed.
    const refused = await cli('bin/dukaan.js', ['restore', dump], env(live)).then(
      () => null,
      (err: { stderr: string; exitCode: number }) => err,
    );
    expect(refused).not.toBeNull();
    expect(refused!.exitCode).toBe(1);
    expect(refused!.stderr).toMatch(/already holds a database; restore with --force/);

    // Into a new data dir.
    const fresh = path.join(dir, 'fresh');
    await cli('bin/dukaan.js', ['restore', dump], env(fresh));
    ctx = await appOnDb(await createPgliteDb(path.join(fresh, 'pglite')), null);
    contexts.push(ctx);
    expectStateAtT(await snapshot(ctx.testDb.db, shop.storeId), atT, initial);
    await ctx.close();
    contexts.pop();

    // Over the live one, with --force: the old directory is moved aside, the dump's state is back.
    const forced = await cli('bin/dukaan.js', ['restore', dump, '--force'], env(live));
    expect(forced.stdout).toMatch(/the old one is in .*pglite\.replaced-/);
    ctx = await appOnDb(await createPgliteDb(path.join(live, 'pglite')), null);
    contexts.push(ctx);
    expectStateAtT(await snapshot(ctx.testDb.db, shop.storeId), atT, initial);
    const page = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/storefront/${shop.slug}/products/${dalProduct.slug}`,
    });
    expect(page.statusCode).toBe(200);
    console.log(
      `[restore drill] embedded: dump ${fs.statSync(dump).size} B; orders before T ${atT.orders.length}; ` +
        `restored ${atT.orders.map((o) => o.number).join(',')}; product deleted after T is back`,
    );
  }, 480_000);
});
