/**
 * What one request costs the server's own process in CPU, route by route, with nothing else in the measure: the app
 * is built in this process on a fresh database, each route is called through `app.inject` one request at a time
 * (warm-up first, so V8 has optimised the path and every statement is prepared), and `process.cpuUsage()` counts
 * user + system time of this process only — PostgreSQL's CPU and any load generator's stay out. The full bench
 * (`npm run bench`) shows what the box does under load; this shows where a request's Node time goes and whether a
 * change to the request path moved it, without the load-average noise of a shared 2-core box.
 *
 * The reference lines: the same `inject` of a bare Fastify route (what inject itself costs) and of the app's
 * `GET /healthz` (every global hook, no work). Rounds alternate the routes so drift hits all alike; the report gives
 * each route's median over the rounds.
 *
 *   npx tsx bench/request-cost.ts [--database-url postgres://postgres@127.0.0.1:5432] [--requests 2000]
 *     [--rounds 5] [--dist] [--profile DIR] [--alloc]
 *
 * --dist measures the build (`npm run build` first); --profile DIR writes one V8 CPU profile per route over its last
 * round (sampled every 250 µs; open in Chrome DevTools). --alloc adds a pass that counts the bytes each route
 * allocates per request (V8's sampling heap profiler, collected objects included): unlike CPU time, the same code
 * allocates the same on a busy box, so a change that allocates less shows even where the CPU figures drift; the
 * functions that allocated most are listed per route. On a VM the CPU time a process is charged moves by tens of
 * percent between runs (the host's other guests): compare routes within one run, and a change by alternating runs
 * of both trees — or, for one piece of the path, by two variants inside one process.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver } from 'node:perf_hooks';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify';
import pg from 'pg';
import type * as AppModule from '../src/app.js';
import type * as ConfigModule from '../src/config.js';
import type * as PgModule from '../src/db/pg.js';
import { newId } from '../src/shared/ids.js';
import { freshDatabase, seedStore } from './lib/order-db.js';
import { summarize } from './lib/stats.js';

const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432' },
    database: { type: 'string', default: 'dukaan_request_cost' },
    requests: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '5' },
    profile: { type: 'string' },
    dist: { type: 'boolean', default: false },
    alloc: { type: 'boolean', default: false },
  },
});
// --dist: the server as `npm start` runs it (dist/, `npm run build` first), not the TypeScript through tsx, whose
// transform adds helpers of its own (`__name` wrappers) to the code measured.
const code = args.dist ? '../dist/src' : '../src';
const { buildApp } = (await import(`${code}/app.js`)) as typeof AppModule;
const { loadConfig } = (await import(`${code}/config.js`)) as typeof ConfigModule;
const { createPgDb } = (await import(`${code}/db/pg.js`)) as typeof PgModule;
const REQUESTS = Number(args.requests);
const ROUNDS = Number(args.rounds);

const dbUrl = await freshDatabase(args['database-url'], args.database);
const seedClient = new pg.Client({ connectionString: dbUrl });
await seedClient.connect();
const merchantId = newId();
await seedClient.query(`INSERT INTO merchants (id, phone, name) VALUES ($1, '+919000000000', 'Bench')`, [merchantId]);
const store = await seedStore(seedClient, merchantId, 'cost', { push: false, variants: 6 });
const slug = `s-${store.label}`;
const soldOut = store.lines[5]!.variantId;
await seedClient.query(`UPDATE variants SET stock = 0 WHERE id = $1`, [soldOut]);
await seedClient.end();

const db = createPgDb(dbUrl, { max: 4 });
const config = {
  ...loadConfig({ DATA_DIR: `/tmp/dukaan-request-cost-${process.pid}` }),
  logLevel: 'warn',
  demo: false,
};
const app = await buildApp({ config, db, logger: false });
await app.ready();
const bare = Fastify();
bare.get('/bare', async () => ({ status: 'ok' }));
await bare.ready();

async function send(target: FastifyInstance, opts: InjectOptions): Promise<{ status: number; body: string }> {
  const res = await target.inject(opts);
  return { status: res.statusCode, body: res.body };
}

const checkoutBody = () => ({
  customer: { name: 'Bench Customer', phone: `+9198${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}` },
  fulfillment: 'pickup',
  paymentMethod: 'cod',
});
/** A checkout as the storefront sends it: a new Idempotency-Key each time. */
const keyedCheckout = (cartId: string): InjectOptions => ({
  method: 'POST',
  url: `/api/v1/storefront/${slug}/carts/${cartId}/checkout`,
  payload: checkoutBody(),
  headers: { 'idempotency-key': randomUUID() },
});
/** Carts made ahead, outside the measure: each checkout uses up one. */
async function newCart(variantIds: readonly string[]): Promise<string> {
  const res = await send(app, {
    method: 'POST',
    url: `/api/v1/storefront/${slug}/carts`,
    payload: { lines: variantIds.map((variantId) => ({ variantId, quantity: 1 })) },
  });
  if (res.status !== 201) throw new Error(`cart: ${res.status} ${res.body}`);
  return (JSON.parse(res.body) as { id: string }).id;
}
const putCart = await newCart(store.lines.slice(0, 3).map((l) => l.variantId));

interface Route {
  name: string;
  expect: number;
  /** carts used up per request (made before each round) */
  cartsOf?: readonly string[];
  request: (i: number, cart: () => string) => [FastifyInstance, InjectOptions];
}
const ROUTES: Route[] = [
  { name: 'bare Fastify route (inject itself)', expect: 200, request: () => [bare, { method: 'GET', url: '/bare' }] },
  { name: 'GET /healthz (global hooks)', expect: 200, request: () => [app, { method: 'GET', url: '/healthz' }] },
  {
    name: 'GET cart',
    expect: 200,
    request: () => [app, { method: 'GET', url: `/api/v1/storefront/${slug}/carts/${putCart}` }],
  },
  {
    name: 'PUT cart line',
    expect: 200,
    request: (i) => [
      app,
      {
        method: 'PUT',
        url: `/api/v1/storefront/${slug}/carts/${putCart}/lines/${store.lines[i % 3]!.variantId}`,
        payload: { quantity: 1 + (i % 5) },
      },
    ],
  },
  {
    name: 'POST checkout, placed (201)',
    expect: 201,
    cartsOf: [store.lines[3]!.variantId, store.lines[4]!.variantId],
    request: (_i, cart) => [app, keyedCheckout(cart())],
  },
  {
    name: 'POST checkout, sold out (409)',
    expect: 409,
    cartsOf: [soldOut],
    request: (_i, cart) => [app, keyedCheckout(cart())],
  },
];

const session = new Session();
session.connect();

/** Garbage collection's pauses (ms) since the start, all kinds: part of the CPU a request costs, shown on its own. */
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

/** CPU µs per request of `route` over `n` requests, and of it GC's; throws on an unexpected status. */
async function run(route: Route, n: number, profileTo?: string): Promise<{ cpu: number; gc: number }> {
  const carts: string[] = [];
  if (route.cartsOf) for (let i = 0; i < n; i++) carts.push(await newCart(route.cartsOf));
  const cart = () => carts.pop()!;
  if (profileTo) {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 250 }); // µs: 4 samples a millisecond
    await session.post('Profiler.start');
  }
  const started = process.cpuUsage();
  const gcBefore = gcMs;
  for (let i = 0; i < n; i++) {
    const [target, opts] = route.request(i, cart);
    const res = await send(target, opts);
    if (res.status !== route.expect)
      throw new Error(`${route.name}: ${res.status} (expected ${route.expect}) ${res.body.slice(0, 300)}`);
  }
  const used = process.cpuUsage(started);
  // The observer is told of a pause on a later turn of the event loop: let it catch up before reading.
  await new Promise((resolve) => setImmediate(resolve));
  const gc = ((gcMs - gcBefore) * 1000) / n;
  if (profileTo) {
    const { profile } = await session.post('Profiler.stop');
    fs.writeFileSync(profileTo, JSON.stringify(profile));
  }
  return { cpu: (used.user + used.system) / n, gc };
}

for (const route of ROUTES) await run(route, Math.min(REQUESTS, 500)); // warm-up: optimised code, prepared statements
const perRoute = new Map<string, number[]>(ROUTES.map((r) => [r.name, []]));
const gcPerRoute = new Map<string, number[]>(ROUTES.map((r) => [r.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  const last = round === ROUNDS - 1;
  for (const route of ROUTES) {
    const file =
      last && args.profile ? path.join(args.profile, `${route.name.replace(/\W+/g, '-')}.cpuprofile`) : undefined;
    if (file) fs.mkdirSync(args.profile!, { recursive: true });
    const { cpu, gc } = await run(route, REQUESTS, file);
    perRoute.get(route.name)!.push(cpu);
    gcPerRoute.get(route.name)!.push(gc);
  }
}

/** Bytes allocated per request of `route` (sampled every 4 KiB), and the functions that allocated most. */
async function allocated(route: Route, n: number): Promise<{ perRequest: number; top: [string, number][] }> {
  const carts: string[] = [];
  if (route.cartsOf) for (let i = 0; i < n; i++) carts.push(await newCart(route.cartsOf));
  const cart = () => carts.pop()!;
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  for (let i = 0; i < n; i++) {
    const [target, opts] = route.request(i, cart);
    const res = await send(target, opts);
    if (res.status !== route.expect) throw new Error(`${route.name}: ${res.status} (expected ${route.expect})`);
  }
  const { profile } = await session.post('HeapProfiler.stopSampling');
  const bySite = new Map<string, number>();
  let total = 0;
  const walk = (node: (typeof profile)['head']) => {
    total += node.selfSize;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/.*\//, '');
    const site = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
    if (node.selfSize) bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  const top = [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 8);
  return { perRequest: total / n, top: top.map(([site, bytes]) => [site, bytes / n]) };
}

const healthz = summarize(perRoute.get(ROUTES[1]!.name)!).p50;
console.log(`\nNode CPU per request (user + system, this process only), ${ROUNDS} rounds × ${REQUESTS} requests`);
console.log('| route | µs, median | rounds (min–max) | over GET /healthz | of it GC pauses, µs (median) |');
console.log('|---|---|---|---|---|');
for (const route of ROUTES) {
  const xs = perRoute.get(route.name)!;
  const { p50, max } = summarize(xs);
  const over = route === ROUTES[0] ? '' : `${(p50 - healthz).toFixed(0)}`;
  const gc = summarize(gcPerRoute.get(route.name)!).p50;
  const range = `${Math.min(...xs).toFixed(0)}–${max.toFixed(0)}`;
  console.log(`| ${route.name} | ${p50.toFixed(0)} | ${range} | ${over} | ${gc.toFixed(0)} |`);
}
if (args.alloc) {
  console.log(`\nBytes allocated per request (V8's sampling heap profiler, every 4 KiB, collected objects included)`);
  console.log('| route | KiB per request | allocated most (KiB per request) |');
  console.log('|---|---|---|');
  for (const route of ROUTES) {
    const { perRequest, top } = await allocated(route, REQUESTS);
    const most = top.map(([site, bytes]) => `\`${site}\` ${(bytes / 1024).toFixed(1)}`).join(', ');
    console.log(`| ${route.name} | ${(perRequest / 1024).toFixed(1)} | ${most} |`);
  }
}
session.disconnect();
await app.close();
await bare.close();
await db.close();
