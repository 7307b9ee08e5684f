/**
 * The load-balanced topology (`npm run topology -- up lb`): nginx → 3 app servers (each a worker pool,
 * app1..app3) → one PostgreSQL (a private cluster this file starts).
 * Round robin spreads evenly; least_conn steers around a busy server; a rolling reload drops nothing; and killing
 * a whole app server (kill -9 of its pool) in the middle of reads and checkouts loses no read, makes no
 * duplicate order and keeps stock exact.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolWorkers, readState } from '../../deploy/topology.js';
import { groupMembers, signalGroup, sleep, waitFor } from '../../deploy/lib/proc.js';
import { startPrivatePg, type PrivatePg } from '../helpers/pg-cluster.js';
import {
  expectStatus,
  nothingLeft,
  signInThrough,
  topologyCommand,
  topologyUp,
  trafficLoops,
  type HttpsClient,
  type Res,
  type TopologyRun,
} from '../helpers/topology.js';

const PHONE = '+919000000001';
const CODE = '123456';
const SERVERS = ['app1', 'app2', 'app3'];

let db: PrivatePg | undefined;
let topo: TopologyRun | undefined;
let client: HttpsClient;
let shop: { id: string; slug: string };
let merchant: HttpsClient;

beforeAll(async () => {
  db = await startPrivatePg();
  topo = await topologyUp('lb', [
    '--app-servers',
    '3',
    '--database-url',
    db.appUrl,
    // One worker per pool keeps the rolling reload (one worker start per pool) inside the time budget on a
    // 2-core machine; the single-box test runs two.
    '--web-concurrency',
    '1',
    '--env',
    'DUKAAN_TEST_ROUTES=1',
    '--env',
    `OTP_TEST_NUMBERS=${PHONE}:${CODE}`,
  ]);
  client = topo.client();
  merchant = await signInThrough(client, PHONE, CODE);
  const created = await merchant.post('/api/v1/stores', { name: `Traffic Cop ${Date.now()}` });
  expectStatus(created, 201, 'create store');
  shop = created.body;
}, 240_000);

afterAll(async () => {
  const problems: unknown[] = [];
  for (const step of [() => topo?.down(), () => db?.destroy()]) {
    try {
      await step();
    } catch (err) {
      problems.push(err);
    }
  }
  if (topo) expect(nothingLeft(topo.state)).toBe(true);
  if (problems.length) throw problems[0];
}, 120_000);

function servedBy(r: Res): string {
  return String(r.headers['x-served-by']);
}

/** Two slow requests in flight, then 30 quick ones: where did the quick ones go? */
async function busyServerExperiment(): Promise<{ slowOn: string[]; quickOn: string[] }> {
  const slow = [client.get('/__test/slow?ms=3000'), client.get('/__test/slow?ms=3000')];
  await sleep(500);
  const quickOn: string[] = [];
  for (let i = 0; i < 30; i++) {
    const r = await client.get('/healthz');
    expectStatus(r, 200, 'healthz');
    quickOn.push(servedBy(r));
  }
  const slowDone = await Promise.all(slow);
  for (const r of slowDone) expectStatus(r, 200, '/__test/slow (needs DUKAAN_TEST_ROUTES=1 in the app)');
  return { slowOn: slowDone.map(servedBy), quickOn };
}

describe('load balancing: nginx → app1..app3 → PostgreSQL', () => {
  it('brings up three app servers, each its own pool (primary and worker) on its own port', () => {
    const { state } = topo!;
    expect(state.servers.map((s) => s.name)).toEqual(SERVERS);
    expect(new Set(state.servers.map((s) => s.port)).size).toBe(3);
    for (const s of state.servers) expect(poolWorkers(s.pid)).toHaveLength(1);
    expect(fs.readFileSync(state.nginx.conf, 'utf8')).toContain(
      `server 127.0.0.1:${state.servers[2]!.port} max_fails=3 fail_timeout=5s;`,
    );
  });

  it('round robin spreads 300 requests within ±15 % across the 3 servers', async () => {
    const counts: Record<string, number> = {};
    await Promise.all(
      [0, 1, 2].map(async () => {
        for (let i = 0; i < 100; i++) {
          const r = await client.get('/healthz');
          expectStatus(r, 200, 'healthz');
          counts[servedBy(r)] = (counts[servedBy(r)] ?? 0) + 1;
        }
      }),
    );
    console.log(`round robin, 300 requests: ${JSON.stringify(counts)}`);
    expect(Object.keys(counts).sort()).toEqual(SERVERS);
    for (const name of SERVERS) {
      expect(counts[name]).toBeGreaterThanOrEqual(85);
      expect(counts[name]).toBeLessThanOrEqual(115);
    }
  });

  it('round robin keeps sending to servers busy with slow requests (the contrast for least_conn)', async () => {
    const { slowOn, quickOn } = await busyServerExperiment();
    const toBusy = quickOn.filter((s) => slowOn.includes(s)).length;
    console.log(`round robin: slow requests on ${slowOn.join(',')}; ${toBusy} of 30 quick requests went to them`);
    expect(toBusy).toBeGreaterThanOrEqual(10);
  });

  it(
    'least_conn (switched with `topology balance`) sends new ' + 'requests away from servers busy with slow ones',
    async () => {
      await topologyCommand(['balance', 'least_conn', '--run-dir', topo!.runDir]);
      expect(readState(topo!.runDir)!.balance).toBe('least_conn');
      expect(fs.readFileSync(topo!.state.nginx.conf, 'utf8')).toMatch(/^\s+least_conn;$/m);
      const { slowOn, quickOn } = await busyServerExperiment();
      console.log(
        `least_conn: slow requests on ${slowOn.join(',')}; quick requests on ${JSON.stringify(countBy(quickOn))}`,
      );
      expect(new Set(slowOn).size).toBe(2);
      expect(quickOn.filter((s) => slowOn.includes(s))).toEqual([]);
    },
  );

  it('rolling reload (SIGHUP to every pool in turn) during a stream of requests fails none', async () => {
    const product = await merchant.post(`/api/v1/stores/${shop.id}/products`, { name: 'Reload Tea', price: 1500 });
    expectStatus(product, 201, 'create product');
    const workersBefore = topo!.state.servers.map((s) => poolWorkers(s.pid));
    const results = { sent: 0, failed: 0, failures: [] as string[], servedBy: {} as Record<string, number> };
    const traffic = trafficLoops(4, async (n, i) => {
      let r: Res;
      try {
        r =
          i % 3 === 2
            ? await client.post(`/api/v1/storefront/${shop.slug}/carts`, {}, { 'idempotency-key': randomUUID() })
            : await client.get(`/api/v1/storefront/${shop.slug}/products/${product.body.slug}`);
      } catch (err) {
        results.sent++;
        results.failed++;
        results.failures.push(`loop ${n}: ${(err as Error).message}`);
        return;
      }
      results.sent++;
      results.servedBy[servedBy(r)] = (results.servedBy[servedBy(r)] ?? 0) + 1;
      if (r.status !== 200 && r.status !== 201) {
        results.failed++;
        results.failures.push(`loop ${n}: ${r.status} ${r.text.slice(0, 200)}`);
      }
    });
    await sleep(500);
    const reload = await topologyCommand(['reload', '--run-dir', topo!.runDir]);
    await sleep(500);
    traffic.stop();
    await traffic.ended();
    console.log(
      `rolling reload: ${results.sent} requests, ${results.failed} failed, by server \
${JSON.stringify(results.servedBy)}\n${reload.stdout}`,
    );
    expect(results.failures).toEqual([]);
    expect(results.sent).toBeGreaterThan(100);
    const workersAfter = topo!.state.servers.map((s) => poolWorkers(s.pid));
    for (const [i, before] of workersBefore.entries()) {
      expect(workersAfter[i]).toHaveLength(1);
      expect(workersAfter[i]!.filter((p) => before.includes(p))).toEqual([]);
    }
  }, 240_000);

  it(
    'failover: kill -9 of a whole app server during reads and checkouts ' +
      'loses no read, duplicates no order, keeps stock exact',
    async () => {
      const STOCK = 100_000;
      const product = await merchant.post(`/api/v1/stores/${shop.id}/products`, {
        name: 'Failover Dal 1 kg',
        price: 12_000,
        stock: STOCK,
      });
      expectStatus(product, 201, 'create product');
      const variantId = product.body.variants[0].id as string;
      const base = `/api/v1/storefront/${shop.slug}`;
      const serverLogs = topo!.state.servers.map((s) => s.log);
      const checkoutBody = {
        customer: {
          name: 'Ravi',
          phone: '+919812345678',
          address: { line1: '4 Park Street', city: 'Kolkata', pincode: '700016' },
        },
        paymentMethod: 'cod',
      };

      const figures = {
        requestsSent: 0,
        failed: 0,
        retried: 0,
        reads: 0,
        readsFailed: 0,
        checkoutsAttempted: 0,
        checkoutsSucceeded: 0,
        failuresSeen: {} as Record<string, number>,
      };
      const orderIds = new Set<string>();
      const note = (what: string) => (figures.failuresSeen[what] = (figures.failuresSeen[what] ?? 0) + 1);

      /** The client's retry policy: 502/504 and network errors, and 409 idempotency_key_in_use; same key, same body. */
      async function withRetry(what: string, send: () => Promise<Res>): Promise<Res> {
        for (let attempt = 0; attempt < 20; attempt++) {
          if (attempt > 0) figures.retried++;
          figures.requestsSent++;
          let r: Res | null = null;
          try {
            r = await send();
          } catch (err) {
            figures.failed++;
            note(`${what}: ${(err as Error).message.slice(0, 60)}`);
          }
          if (r) {
            const inUse = r.status === 409 && r.body?.code === 'idempotency_key_in_use';
            if (r.status !== 502 && r.status !== 504 && !inUse) return r;
            figures.failed++;
            note(`${what}: ${r.status}${inUse ? ' idempotency_key_in_use' : ''}`);
          }
          await sleep(200);
        }
        throw new Error(`${what}: still failing after 20 attempts`);
      }

      async function buyOne(): Promise<void> {
        figures.checkoutsAttempted++;
        const cart = await withRetry('create cart', () =>
          client.post(`${base}/carts`, {}, { 'idempotency-key': `cart-${cartKey()}` }),
        );
        expectStatus(cart, 201, 'create cart', serverLogs);
        const line = await withRetry('set line', () =>
          client.put(`${base}/carts/${cart.body.id}/lines/${variantId}`, { quantity: 1 }),
        );
        expectStatus(line, 200, 'set line', serverLogs);
        const key = randomUUID();
        const order = await withRetry('checkout', () =>
          client.post(`${base}/carts/${cart.body.id}/checkout`, checkoutBody, { 'idempotency-key': key }),
        );
        expectStatus(order, 201, 'checkout', serverLogs);
        figures.checkoutsSucceeded++;
        orderIds.add(order.body.id as string);
      }
      let keyCounter = 0;
      const cartKey = () => `${process.pid}-${++keyCounter}-${randomUUID()}`;

      async function readOnce(): Promise<void> {
        figures.reads++;
        figures.requestsSent++;
        let r: Res | null = null;
        try {
          r = await client.get(`${base}/products/${product.body.slug}`);
        } catch (err) {
          note(`read: ${(err as Error).message.slice(0, 60)}`);
        }
        if (r?.status !== 200) {
          figures.readsFailed++;
          figures.failed++;
          if (r) note(`read: ${r.status}`);
        }
      }

      const victim = topo!.state.servers[1]!; // app2
      const victimPids = [victim.pid, ...poolWorkers(victim.pid)];
      const traffic = trafficLoops(6, (n, i) => ((i + n) % 2 === 0 ? readOnce() : buyOne()));
      await sleep(2500);
      signalGroup(victim.pid, 'SIGKILL');
      const killedAt = Date.now();
      await waitFor('app2 (primary and workers) to be gone', () => groupMembers(victim.pid).length === 0, 5000, 20);
      await sleep(5000);
      traffic.stop();
      await traffic.ended();
      const streamEndedMs = Date.now() - killedAt;

      const pgc = new pg.Client({ connectionString: db!.appUrl });
      await pgc.connect();
      try {
        const orders = await pgc.query<{ id: string; checkout_key: string | null }>(
          'SELECT id, checkout_key FROM orders WHERE store_id = $1 ' +
            'AND id IN (SELECT order_id FROM order_lines WHERE variant_id = $2)',
          [shop.id, variantId],
        );
        const dupKeys = await pgc.query(
          'SELECT checkout_key, count(*) FROM orders WHERE store_id = $1 GROUP BY checkout_key HAVING count(*) > 1',
          [shop.id],
        );
        const sold = await pgc.query<{ units: number }>(
          'SELECT COALESCE(sum(quantity), 0)::int AS units FROM order_lines WHERE variant_id = $1',
          [variantId],
        );
        const stock = await pgc.query<{ stock: number }>('SELECT stock FROM variants WHERE id = $1', [variantId]);
        const nginxRetries = fs
          .readFileSync(topo!.state.nginx.accessLog, 'utf8')
          .split('\n')
          .filter((l) => / up=[^ ]+, /.test(l)).length;
        const report = {
          ...figures,
          killed: `app2 (pids ${victimPids.join(',')}) ${2500} ms into the stream; stream ended \
${streamEndedMs} ms later`,
          nginxRequestsPassedToASecondServer: nginxRetries,
          ordersInDatabase: orders.rowCount,
          ordersWithoutKey: orders.rows.filter((o) => o.checkout_key === null).length,
          keysWithTwoOrders: dupKeys.rowCount,
          stockCheck: `${STOCK} - ${sold.rows[0]!.units} sold = ${STOCK - sold.rows[0]!.units}; variant stock \
${stock.rows[0]!.stock}`,
        };
        console.log(`failover figures:\n${JSON.stringify(report, null, 2)}`);

        expect(figures.readsFailed).toBe(0);
        expect(figures.checkoutsSucceeded).toBe(figures.checkoutsAttempted);
        expect(figures.checkoutsSucceeded).toBeGreaterThan(10);
        expect(orders.rowCount).toBe(figures.checkoutsSucceeded);
        expect(new Set(orders.rows.map((o) => o.id))).toEqual(orderIds);
        expect(dupKeys.rowCount).toBe(0);
        expect(sold.rows[0]!.units).toBe(figures.checkoutsSucceeded);
        expect(stock.rows[0]!.stock).toBe(STOCK - sold.rows[0]!.units);
      } finally {
        await pgc.end();
      }
      // The survivors still serve.
      const after = new Set<string>();
      for (let i = 0; i < 12; i++) {
        const r = await client.get('/healthz');
        expectStatus(r, 200, 'healthz after failover');
        after.add(servedBy(r));
      }
      expect([...after].sort()).toEqual(['app1', 'app3']);
    },
  );
});

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
