/**
 * The single-box topology, brought up with the real command (`npm run topology -- up single`): nginx (TLS) → one
 * worker pool → PostgreSQL (a private cluster this file starts, so it can stop and restart it), reached over its Unix
 * socket as an app beside its database can be (`?host=<socket dir>`): the restart then shows a server that is down
 * over a socket (no socket file) answers 503 like one that refuses TCP connections.
 * Over HTTPS through nginx: the whole order flow, static assets, the client address the app sees with and
 * without a trusted proxy, and a database restart.
 */
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, sleep, waitFor } from '../../deploy/lib/proc.js';
import { poolWorkers } from '../../deploy/topology.js';
import { nginxMasterPid } from '../../deploy/lib/nginx.js';
import { startPrivatePg, type PrivatePg } from '../helpers/pg-cluster.js';
import {
  expectStatus,
  nothingLeft,
  signInThrough,
  topologyUp,
  type HttpsClient,
  type TopologyRun,
} from '../helpers/topology.js';

const PHONE = '+919000000001';
const CODE = '123456';

let pg: PrivatePg | undefined;
let topo: TopologyRun | undefined;
let untrusted: TopologyRun | undefined;
let shop: { id: string; slug: string } | undefined;

beforeAll(async () => {
  pg = await startPrivatePg();
  topo = await topologyUp('single', [
    '--database-url',
    pg.socketUrl('dukaan'),
    '--web-concurrency',
    '2',
    '--env',
    `OTP_TEST_NUMBERS=${PHONE}:${CODE}`,
    // A general per-IP limit, so its counters show which client the app believes it is talking to.
    '--env',
    'RATE_LIMIT_PER_IP=100000',
  ]);
}, 180_000);

afterAll(async () => {
  const problems: unknown[] = [];
  for (const step of [() => untrusted?.down(), () => topo?.down(), () => pg?.destroy()]) {
    try {
      await step();
    } catch (err) {
      problems.push(err);
    }
  }
  if (topo) expect(nothingLeft(topo.state)).toBe(true);
  if (problems.length) throw problems[0];
}, 120_000);

async function ensureShop(client: HttpsClient): Promise<{ merchant: HttpsClient; shop: { id: string; slug: string } }> {
  const merchant = await signInThrough(client, PHONE, CODE);
  if (!shop) {
    const created = await merchant.post('/api/v1/stores', { name: `Single Box ${Date.now()}` });
    expectStatus(created, 201, 'create store');
    shop = created.body;
  }
  return { merchant, shop: shop! };
}

describe('single box: nginx → worker pool → PostgreSQL', () => {
  it('up prints the URL and where the logs are; nginx runs from its own config, pid and log files', () => {
    const { state, stdout } = topo!;
    expect(stdout).toContain(`https://localhost:${state.nginx.httpsPort}/`);
    expect(stdout).toContain(`${state.runDir}/logs`);
    const master = nginxMasterPid(state.nginx);
    expect(master).not.toBeNull();
    // nginx rewrites its title to "nginx: master process <its command line>".
    const title = fs.readFileSync(`/proc/${master}/cmdline`, 'utf8').replaceAll('\0', ' ');
    expect(title).toContain(`-c ${state.nginx.conf} -p ${state.runDir}`);
    expect(fs.readFileSync(state.nginx.accessLog, 'utf8')).toContain('"GET /healthz');
    expect(state.servers).toHaveLength(1);
    expect(poolWorkers(state.servers[0]!.pid)).toHaveLength(2); // WEB_CONCURRENCY=2 workers
  });

  it('takes an order end to end over HTTPS: sign in, store, product, cart, checkout, tracking', async () => {
    const client = topo!.client();
    const { merchant, shop } = await ensureShop(client);

    const product = await merchant.post(`/api/v1/stores/${shop.id}/products`, {
      name: 'Basmati Rice 1 kg',
      price: 4999,
      stock: 10,
    });
    expectStatus(product, 201, 'create product');
    const variantId = product.body.variants[0].id as string;

    const listed = await client.get(`/api/v1/storefront/${shop.slug}/products`);
    expectStatus(listed, 200, 'storefront products');
    expect(listed.body.items.map((p: { id: string }) => p.id)).toContain(product.body.id);

    const cart = await client.post(`/api/v1/storefront/${shop.slug}/carts`, {});
    expectStatus(cart, 201, 'create cart');
    const line = await client.put(`/api/v1/storefront/${shop.slug}/carts/${cart.body.id}/lines/${variantId}`, {
      quantity: 2,
    });
    expectStatus(line, 200, 'set cart line');
    expect(line.body.total).toBe(2 * 4999);
    expect(line.body.canCheckout).toBe(true);

    const checkoutBody = {
      customer: {
        name: 'Asha',
        phone: '+919812345678',
        address: { line1: '12 MG Road', city: 'Bengaluru', pincode: '560001' },
      },
      paymentMethod: 'cod',
    };
    const key = randomUUID();
    const order = await client.post(`/api/v1/storefront/${shop.slug}/carts/${cart.body.id}/checkout`, checkoutBody, {
      'idempotency-key': key,
    });
    expectStatus(order, 201, 'checkout');
    expect(order.body).toMatchObject({ status: 'placed', total: 2 * 4999, paymentMethod: 'cod' });
    // The same key again: the same order, not a second one.
    const replay = await client.post(`/api/v1/storefront/${shop.slug}/carts/${cart.body.id}/checkout`, checkoutBody, {
      'idempotency-key': key,
    });
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe(order.body.id);

    const tracked = await client.get(`/api/v1/orders/${order.body.trackingToken}`);
    expectStatus(tracked, 200, 'track order');
    expect(tracked.body).toMatchObject({ id: order.body.id, status: 'placed', number: order.body.number });
    expect(tracked.body.history[0].status).toBe('placed');

    const after = await merchant.get(`/api/v1/stores/${shop.id}/products/${product.body.id}`);
    expect(after.body.variants[0].stock).toBe(8);
    // Every answer came from the pool through nginx, with HSTS and a request id.
    for (const r of [product, cart, order, tracked]) {
      expect(r.headers['x-served-by']).toBe('app1');
      expect(r.headers['strict-transport-security']).toBe('max-age=31536000');
      expect(r.headers['x-request-id']).toBeTruthy();
    }
  });

  it('serves the storefront page through the pool and its hashed assets straight from disk', async () => {
    const client = topo!.client();
    const { shop } = await ensureShop(client);
    const page = await client.get(`/${shop.slug}`, { 'accept-encoding': 'gzip' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const plain = await client.get(`/${shop.slug}`);
    const css = /href="(\/static\/app\.[0-9a-f]+\.css)"/.exec(plain.text)?.[1];
    expect(css, 'the page links its hashed stylesheet').toBeTruthy();
    const asset = await client.get(css!);
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['x-served-by']).toBeUndefined(); // nginx answered, not the app
  });

  it('the app sees the real client address only because it trusts the proxy: rate limits and logs', async () => {
    const { shop } = await ensureShop(topo!.client());
    const url = `/api/v1/storefront/${shop.slug}`;
    const remaining = (r: { headers: Record<string, unknown> }) => Number(r.headers['x-ratelimit-remaining']);

    async function measure(run: TopologyRun) {
      const a = run.client('127.0.0.2');
      const b = run.client('127.0.0.3');
      // Stay clear of a counting window's end, so all four requests count in the same window.
      const probe = await a.get(url);
      if (Number(probe.headers['x-ratelimit-reset']) < 3) await sleep(3500);
      const id = `trust-${randomUUID()}`;
      const a1 = await a.get(url, { 'x-forwarded-for': '6.6.6.6', 'x-request-id': id });
      const a2 = await a.get(url, { 'x-forwarded-for': '6.6.6.6' });
      const b1 = await b.get(url, { 'x-forwarded-for': '6.6.6.6' });
      for (const r of [a1, a2, b1]) expectStatus(r, 200, 'storefront');
      const logFile = run.state.servers[0]!.log;
      const logged = await waitFor(
        'the request in the app log',
        () => {
          const line = fs
            .readFileSync(logFile, 'utf8')
            .split('\n')
            .find((l) => l.includes(`"reqId":"${id}"`) && l.includes('"remoteAddress"'));
          return line ? (JSON.parse(line) as { req: { remoteAddress: string } }) : undefined;
        },
        5000,
      );
      return { a1: remaining(a1), a2: remaining(a2), b1: remaining(b1), loggedAddress: logged.req.remoteAddress };
    }

    // Trusted (TRUST_PROXY=127.0.0.1, nginx's address): each client has its own counter, logs name the client,
    // and the X-Forwarded-For a client makes up is ignored (nginx overwrites it).
    const trusted = await measure(topo!);
    expect(trusted.a2).toBe(trusted.a1 - 1);
    expect(trusted.b1).toBeGreaterThan(trusted.a2);
    expect(trusted.loggedAddress).toBe('127.0.0.2');

    // Not trusted: a second single box on the same database, its app told to trust no proxy. Every client is
    // nginx's address to it: one shared counter, and logs that cannot tell clients apart.
    untrusted = await topologyUp('single', [
      '--database-url',
      pg!.appUrl,
      '--web-concurrency',
      '1',
      '--trust-proxy',
      'off',
      '--env',
      'RATE_LIMIT_PER_IP=100000',
      '--http-port',
      'off',
    ]);
    const notTrusted = await measure(untrusted);
    expect(notTrusted.a2).toBe(notTrusted.a1 - 1);
    expect(notTrusted.b1).toBe(notTrusted.a2 - 1);
    expect(notTrusted.loggedAddress).toBe('127.0.0.1');
    await untrusted.down();
    expect(nothingLeft(untrusted.state)).toBe(true);
    untrusted = undefined;
  });

  it(
    'database restart: /readyz says 503 and requests fail fast with 503 ' +
      'unavailable, then all recover within 5 s with no worker lost',
    async () => {
      const client = topo!.client();
      const { shop } = await ensureShop(client);
      const pool = topo!.state.servers[0]!;
      const workersBefore = poolWorkers(pool.pid);
      expect(workersBefore).toHaveLength(2);
      expectStatus(await client.get('/readyz'), 200, 'readyz before');

      await pg!.stop('fast');
      const downSince = Date.now();
      try {
        const ready = await waitFor(
          '/readyz to say 503',
          async () => {
            const r = await client.get('/readyz');
            return r.status === 503 ? r : undefined;
          },
          5000,
          100,
        );
        expect(ready.body.code).toBe('unavailable');
        for (let i = 0; i < 6; i++) {
          const r = await client.get(`/api/v1/storefront/${shop.slug}`);
          expect(r.status, r.text).toBe(503);
          expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
          expect(r.body.code).toBe('unavailable');
          expect(r.headers['x-served-by']).toBe('app1'); // the app answered, not nginx
          expect(r.ms).toBeLessThan(3000); // fails fast, does not hang
        }
        expect(Date.now() - downSince).toBeLessThan(15_000);
      } finally {
        await pg!.start();
      }
      const backSince = Date.now();
      await waitFor(
        'the storefront and /readyz to answer 200 again',
        async () => {
          const [a, b] = await Promise.all([client.get(`/api/v1/storefront/${shop.slug}`), client.get('/readyz')]);
          return a.status === 200 && b.status === 200;
        },
        5000,
        100,
      );
      const recoveredMs = Date.now() - backSince;
      expect(recoveredMs).toBeLessThan(5000);
      // Several requests in a row, so every worker has shown it recovered.
      for (let i = 0; i < 10; i++)
        expectStatus(await client.get(`/api/v1/storefront/${shop.slug}`), 200, 'after restart');
      expect(isAlive(pool.pid)).toBe(true);
      expect(poolWorkers(pool.pid)).toEqual(workersBefore);
      console.log(
        `database restart: recovered ${recoveredMs} ms after PostgreSQL was back; workers \
${workersBefore.join(',')} unchanged`,
      );
    },
  );
});
