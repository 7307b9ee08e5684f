/**
 * Replica routing without a real standby (the streaming-replica run is test/process/read-replicas.test.ts): with no
 * replicas, writes carry no position and storefront reads use the primary; on PostgreSQL a "replica" URL that is not
 * a standby (here: the primary itself) is never read from, while every write answers with the primary's position;
 * with the embedded database, replicas are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { parseLsn } from '../../src/db/read-routing.js';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { TEST_BACKEND } from '../helpers/db.js';
import { addProduct, openShop } from '../helpers/order-fixtures.js';

let plain: TestContext;
beforeAll(async () => {
  plain = await createTestApp();
});
afterAll(async () => {
  await plain?.close();
});

describe('replica reads', () => {
  it('without replicas: no X-Dukaan-Lsn, no cookie, storefront reads on the primary', async () => {
    const shop = await openShop(plain);
    const created = await shop.api.post(`${shop.base}/products`, { name: 'Jaggery 1 kg', price: 9_000 });
    expect(created.status).toBe(201);
    expect(created.headers['x-dukaan-lsn']).toBeUndefined();
    expect(created.headers['set-cookie']).toBeUndefined();
    const list = await shop.customer.get(`/api/v1/storefront/${shop.slug}/products`, { 'x-dukaan-lsn': 'junk' });
    expect(list.status).toBe(200);
    expect(list.body.items.map((p: { name: string }) => p.name)).toEqual(['Jaggery 1 kg']);
    const metrics = await plain.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).not.toContain('db_replica_up');
  });

  // Each backend has its own case (not a skipped one): PostgreSQL routes, PGlite refuses.
  if (TEST_BACKEND === 'postgres')
    it('PostgreSQL: a replica URL that is not a standby is never read; writes carry the position', async () => {
      const url = plain.testDb.url!;
      const ctx = await createTestApp({ databaseReplicaUrls: [url] });
      try {
        const shop = await openShop(ctx);
        await addProduct(shop, 'Peanuts 500 g', 11_000);
        const edit = await shop.api.patch(shop.base, { name: 'Peanut Stall' });
        expect(edit.status).toBe(200);
        const lsn = parseLsn(edit.headers['x-dukaan-lsn']);
        expect(lsn).not.toBeNull();
        // A later write is at a later position.
        const again = await shop.api.patch(shop.base, { name: 'Peanut Stall 2' });
        expect(parseLsn(again.headers['x-dukaan-lsn'])!).toBeGreaterThan(lsn!);
        // A failed write (validation) carries none.
        const bad = await shop.api.patch(shop.base, { name: '' });
        expect(bad.status).toBe(400);
        expect(bad.headers['x-dukaan-lsn']).toBeUndefined();
        // Page form posts set the cookie for browsers; API writes only the header.
        expect(edit.headers['set-cookie']).toBeUndefined();
        const sent: Record<string, string>[] = [{}, { 'x-dukaan-lsn': String(edit.headers['x-dukaan-lsn']) }];
        for (const headers of sent) {
          const res = await shop.customer.get(`/api/v1/storefront/${shop.slug}/products`, headers);
          expect(res.status).toBe(200);
          expect(res.body.items).toHaveLength(1);
        }
        const metrics = (await ctx.app.inject({ method: 'GET', url: '/metrics' })).body;
        expect(metrics).toMatch(/^db_replica_up\{replica="[^"]+"\} 0$/m);
        expect(metrics).toMatch(/^db_reads_total\{target="primary"\} 2$/m);
        expect(metrics).not.toMatch(/^db_reads_total\{target="replica"\}/m);
      } finally {
        await ctx.close();
      }
    });

  if (TEST_BACKEND === 'pglite')
    it('the embedded database refuses replicas', async () => {
      const config = {
        ...loadConfig({ DATA_DIR: `/tmp/dukaan-test-${process.pid}` }),
        logLevel: 'silent',
        databaseReplicaUrls: ['postgres://127.0.0.1:1/dukaan'],
      };
      await expect(buildApp({ config, db: plain.testDb.db, logger: false })).rejects.toThrow(
        /embedded database has no replicas/,
      );
    });
});
