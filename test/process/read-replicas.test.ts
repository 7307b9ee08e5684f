/**
 * Read replicas with read-your-writes by WAL position, on a real streaming replica: a private primary cluster and a
 * hot standby made from it with `pg_basebackup -R`; the app (in this process) with DATABASE_REPLICA_URLS = the
 * standby. With replay paused (`pg_wal_replay_pause()`), a merchant who just edited a price sees it at once (their
 * X-Dukaan-Lsn header / dukaan_lsn cookie sends them to the primary) while a shopper without it sees the old price
 * from the replica, and the new one after resume. Then the replica is stopped: reads go to the primary with no
 * failed request, and come back to it when it is restarted. Lag is in /metrics. Both clusters are removed after.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createPgDb } from '../../src/db/pg.js';
import { parseLsn } from '../../src/db/read-routing.js';
import { client, type TestContext } from '../helpers/app.js';
import { appOnDb } from '../helpers/app-on-db.js';
import { WebClient } from '../helpers/web-client.js';
import { ownerWithShop, sessionToken, textOf } from '../integration/web-dashboard.helpers.js';
import { startPrivatePg, startPrivateStandby, type PrivatePg } from '../helpers/pg-cluster.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CHECK_MS = 200;

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** `name{replica="…"} value` lines of /metrics → value, for one metric; other labels must match `labels`. */
async function metric(ctx: TestContext, name: string, labels = ''): Promise<number | null> {
  const res = await ctx.app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  const line = res.body.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : null;
}

describe('read replicas: storefront reads on a streaming replica, read-your-writes by LSN', () => {
  let primary: PrivatePg | undefined;
  let standby: PrivatePg | undefined;
  let ctx: TestContext | undefined;
  afterAll(async () => {
    await ctx?.close().catch(() => {});
    await standby?.destroy().catch(() => {});
    await primary?.destroy().catch(() => {});
  }, 120_000);

  it('merchant sees the edit at once, shoppers when replayed; a stopped replica costs no request', async () => {
    primary = await startPrivatePg({ maxConnections: 100 });
    standby = await startPrivateStandby(primary);
    const replica = createPgDb(standby.appUrl, { max: 2 });
    try {
      ctx = await appOnDb(
        createPgDb(primary.appUrl, { max: 8 }),
        primary.appUrl,
        { databaseReplicaUrls: [standby.appUrl] },
        { replicaCheckMs: CHECK_MS },
      );
      const app = ctx;
      await until('the replica in rotation', async () => (await metric(app, 'db_replica_up')) === 1);

      // The merchant signs in through the dashboard's forms (a browser with cookies) and uses the API too.
      const owner = await ownerWithShop(ctx);
      const api = client(ctx.app, sessionToken(owner.browser));
      const storeBase = `/api/v1/stores/${owner.storeId}`;
      const slug = (await api.get(storeBase)).body.slug as string;
      const created = await api.post(`${storeBase}/products`, {
        name: 'Filter coffee 500 g',
        price: 12_300,
        stock: 50,
      });
      expect(created.status).toBe(201);
      const product = created.body as { id: string; slug: string; variants: { id: string }[] };
      const variantId = product.variants[0]!.id;
      const shopper = client(ctx.app);
      const apiUrl = `/api/v1/storefront/${slug}/products/${product.slug}`;
      const pageUrl = `/${slug}/p/${product.slug}`;
      const apiPrice = async (headers: Record<string, string> = {}) => {
        const res = await shopper.get(apiUrl, headers);
        expect(res.status).toBe(200);
        return res.body.variants[0].price as number;
      };
      const pagePrice = async (cookie?: string) => {
        const res = await app.app.inject({ method: 'GET', url: pageUrl, headers: cookie ? { cookie } : {} });
        expect(res.statusCode).toBe(200);
        return /data-testid="price">([^<]*)</.exec(res.body)?.[1];
      };
      // The replica has everything so far (until it replays the new product, a shopper may get 404 for it).
      await until('the product on the replica', async () => {
        const res = await shopper.get(apiUrl);
        return res.status === 200 && res.body.variants[0].price === 12_300;
      });
      expect(await pagePrice()).toContain('123');

      // Replay paused: what the merchant writes now does not reach the replica's data.
      await replica.query('SELECT pg_wal_replay_pause()');
      const edit = await api.patch(`${storeBase}/products/${product.id}/variants/${variantId}`, { price: 45_600 });
      expect(edit.status).toBe(200);
      const lsn = edit.headers['x-dukaan-lsn'];
      expect(lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);

      // The API client reloads with its position: the primary answers, at once.
      expect(await apiPrice({ 'x-dukaan-lsn': String(lsn) })).toBe(45_600);
      // A shopper without it reads the replica: the old price, as long as replay is paused.
      for (let i = 0; i < 5; i++) expect(await apiPrice()).toBe(12_300);
      expect(await pagePrice()).toContain('123');

      // The merchant edits the price in the dashboard (a form post) and reloads the shop's page in the same browser:
      // the 303 set the dukaan_lsn cookie, so the page comes from the primary, with the new price, at once.
      const editPage = `/dashboard/stores/${owner.storeId}/products/${product.id}`;
      const saved = await owner.browser.post(
        `${editPage}/variants/${variantId}`,
        { price: '789', mrp: '', sku: '' },
        { from: editPage },
      );
      expect(saved.status).toBe(303);
      expect(saved.setCookies.join('\n')).toMatch(/dukaan_lsn=[^;]+;.*HttpOnly/i);
      expect(parseLsn(decodeURIComponent(owner.browser.cookies.get('dukaan_lsn') ?? ''))).not.toBeNull();
      const reloaded = await owner.browser.open(pageUrl);
      expect(reloaded.status).toBe(200);
      expect(textOf(reloaded.body, 'price')).toBe('₹789');
      // A shopper's browser, without the cookie: still the price before both edits.
      expect(textOf((await new WebClient(ctx.app).open(pageUrl)).body, 'price')).toBe('₹123');
      expect(await apiPrice()).toBe(12_300);

      // The lag shows in /metrics while paused.
      const lagBytes = await until('lag in /metrics', async () => {
        const v = await metric(app, 'db_replica_lag_bytes');
        return v !== null && v > 0 ? v : null;
      });
      const lagSeconds = await until('lag seconds in /metrics', async () => {
        const v = await metric(app, 'db_replica_lag_seconds');
        return v !== null && v > 0 ? v : null;
      });

      // Resume: the shopper gets the new price once the replica has replayed it.
      const resumedAt = Date.now();
      await replica.query('SELECT pg_wal_replay_resume()');
      await until('the new price on the replica', async () => (await apiPrice()) === 78_900);
      const caughtUpMs = Date.now() - resumedAt;
      await until('lag back to 0', async () => (await metric(app, 'db_replica_lag_bytes')) === 0);

      // The replica stops: every read still answers (on the primary), none fails.
      const readsOnPrimary = (await metric(app, 'db_reads_total', 'target="primary"')) ?? 0;
      await standby.stop('fast');
      let served = 0;
      const stoppedAt = Date.now();
      while (Date.now() - stoppedAt < 2_000) {
        expect(await apiPrice()).toBe(78_900);
        expect(await pagePrice()).toContain('789');
        served += 2;
      }
      expect(await metric(app, 'db_replica_up')).toBe(0);
      expect((await metric(app, 'db_reads_total', 'target="primary"'))! - readsOnPrimary).toBeGreaterThan(0);

      // Restarted: back in rotation, and shoppers' reads go to it again.
      const restartedAt = Date.now();
      await standby.start();
      await until('the replica back in rotation', async () => (await metric(app, 'db_replica_up')) === 1);
      const backMs = Date.now() - restartedAt;
      const readsOnReplica = (await metric(app, 'db_reads_total', 'target="replica"')) ?? 0;
      for (let i = 0; i < 4; i++) expect(await apiPrice()).toBe(78_900);
      expect((await metric(app, 'db_reads_total', 'target="replica"'))! - readsOnReplica).toBe(4);

      console.log(
        `[read-replicas] paused lag ${lagBytes} bytes / ${lagSeconds.toFixed(2)} s; caught up ${caughtUpMs} ms ` +
          `after resume; ${served} reads with the replica stopped, 0 failed; back in rotation ${backMs} ms ` +
          `after restart`,
      );
    } finally {
      await replica.close().catch(() => {});
    }
  });
});
