/**
 * The sales report at 1M orders (issue 14 item 7): `GET /api/v1/stores/{id}/reports/sales` for the last 7 and
 * 30 days of ONE store that has 1,000,000 orders spread over a year, and the query plans behind it.
 *
 *   npx tsx bench/reports.ts [--orders 1m] [--requests 30] [--database-url postgres://…/dukaan_bench_reports]
 *                            [--keep]   (reuse the database when it already holds that many orders)
 *
 * 1. A fresh database (name must start with dukaan_bench), migrated by the app itself (startServer).
 * 2. A merchant signs in, opens a store, adds 40 products, and one customer order goes through the real checkout:
 *    that order is the template. generate_series then clones it (and its line) in SQL to `--orders` orders
 *    over the past 365 days: 5 % cancelled, 2 % rejected, the rest delivered; 200,000 customer phones (so there
 *    are returning customers); each line one of the 40 products. Columns are copied from the template by name, so
 *    the seed follows the schema.
 * 3. `--requests` sequential requests per range over HTTP to the in-process server (after 3 warm-up requests):
 *    min, median, p95, max.
 * 4. EXPLAIN (ANALYZE, BUFFERS) of every statement the report sends, taken from the report's own service code
 *    (a transaction that explains each statement before it runs it), with the indexes each plan uses.
 */
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import type { QueryResult, Tx } from '../src/db/db.js';
import { salesReport } from '../src/reports/reports.service.js';
import { startServer } from '../src/start.js';
import { freePort } from '../deploy/lib/proc.js';
import { databaseName, parseCount, readFlags, withDatabase } from './lib/args.js';

const PHONE = '+919000012345';
const CODE = '424242';
const PRODUCTS = 40;

const flags = readFlags(process.argv.slice(2));
const flag = (name: string) => {
  const value = flags.get(name);
  return typeof value === 'string' ? value : undefined;
};
const ORDERS = parseCount(flag('orders') ?? '1m', '--orders');
const REQUESTS = parseCount(flag('requests') ?? '30', '--requests');
const DATABASE_URL =
  flag('database-url') ?? withDatabase('postgres://postgres@127.0.0.1:5432/postgres', 'dukaan_bench_reports');
const KEEP = flags.get('keep') === true;

async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: withDatabase(DATABASE_URL, 'postgres') });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

async function freshDatabase(): Promise<boolean> {
  const name = databaseName(DATABASE_URL);
  if (!name.startsWith('dukaan_bench')) throw new Error(`refusing to drop ${name}: not a dukaan_bench database`);
  if (KEEP) {
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
    try {
      const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM orders');
      if (Number(rows[0]?.n) >= ORDERS) return false;
    } catch {
      // no such database or no orders table yet: make it
    } finally {
      await pool.end();
    }
  }
  await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE ${name}`);
  return true;
}

type Json = Record<string, any>;

async function api(url: string, method: string, body?: unknown, token?: string): Promise<Json> {
  const res = await fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Json;
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** The store, its products and one real order through the API: the template of the clones. */
async function template(base: string): Promise<{ token: string; storeId: string }> {
  await api(`${base}/api/v1/auth/otp`, 'POST', { phone: PHONE });
  const { token } = await api(`${base}/api/v1/auth/verify`, 'POST', { phone: PHONE, code: CODE });
  const me = await api(`${base}/api/v1/me`, 'GET', undefined, token);
  const existing = (me.stores as Json[]).find((s) => s.name === 'Bench Reports');
  if (existing) return { token, storeId: String(existing.id) };
  const store = await api(`${base}/api/v1/stores`, 'POST', { name: 'Bench Reports' }, token);
  await api(`${base}/api/v1/stores/${store.id}`, 'PATCH', { payments: { cod: true } }, token);
  const variants: string[] = [];
  for (let i = 0; i < PRODUCTS; i++) {
    const p = await api(
      `${base}/api/v1/stores/${store.id}/products`,
      'POST',
      { name: `Product ${i + 1}`, price: 1000 + i * 250, stock: 1_000_000 },
      token,
    );
    variants.push(String(p.variants[0].id));
  }
  const shop = `${base}/api/v1/storefront/${store.slug}`;
  const cart = await api(`${shop}/carts`, 'POST');
  await api(`${shop}/carts/${cart.id}/lines/${variants[0]}`, 'PUT', { quantity: 2 });
  await api(`${shop}/carts/${cart.id}/checkout`, 'POST', {
    customer: {
      name: 'Asha',
      phone: '+919811122233',
      address: { line1: '1 MG Road', city: 'Pune', pincode: '411001' },
    },
    paymentMethod: 'cod',
  });
  return { token, storeId: String(store.id) };
}

/** `INSERT … SELECT` of every column of `table`, each taken from the template row unless `overrides` says. */
async function cloneSql(pool: pg.Pool, table: string, overrides: Record<string, string>): Promise<string> {
  const { rows } = await pool.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position`,
    [table],
  );
  const cols = rows.map((r) => r.column_name);
  const values = cols.map((c) => overrides[c] ?? `t.${c}`);
  return `INSERT INTO ${table} (${cols.join(', ')}) SELECT ${values.join(', ')}`;
}

/** The clones: `ORDERS − 1` more orders and one line each, in batches so no statement runs for minutes. */
async function seedOrders(pool: pg.Pool, storeId: string): Promise<number> {
  const started = performance.now();
  const ordersInsert = await cloneSql(pool, 'orders', {
    id: 'gen_random_uuid()',
    number: 'g + 1',
    tracking_token: 'gen_random_uuid()',
    cart_id: 'NULL',
    checkout_key: 'NULL',
    status: `CASE WHEN g % 20 = 0 THEN 'cancelled' WHEN g % 50 = 1 THEN 'rejected' ELSE 'delivered' END`,
    customer: `jsonb_set(t.customer, '{phone}', to_jsonb('+9198' || lpad((g % 200000)::text, 8, '0')))`,
    seen_at: 'now()',
    // Spread over the past year, newest last (g grows with time, as order numbers do).
    created_at: `now() - ((${ORDERS} - g)::float8 / ${ORDERS} * 365) * interval '1 day'`,
    updated_at: 'now()',
  });
  const linesInsert = await cloneSql(pool, 'order_lines', {
    order_id: 'o.id',
    variant_id: 'v.variant_id',
    product_id: 'v.product_id',
    name: 'v.name',
    unit_price: 'v.price',
    quantity: '1 + o.number % 3',
    line_total: 'v.price * (1 + o.number % 3)',
  });
  const { rows: products } = await pool.query<{ variant_id: string; product_id: string; name: string; price: number }>(
    `SELECT v.id AS variant_id, p.id AS product_id, p.name, v.price
       FROM variants v JOIN products p ON p.id = v.product_id WHERE p.store_id = $1 ORDER BY p.name`,
    [storeId],
  );
  const client = await pool.connect();
  try {
    await client.query(
      'CREATE TEMP TABLE bench_variants (k int, variant_id uuid, product_id uuid, name text, price int8)',
    );
    for (const [k, p] of products.entries())
      await client.query('INSERT INTO bench_variants VALUES ($1, $2, $3, $4, $5)', [
        k,
        p.variant_id,
        p.product_id,
        p.name,
        p.price,
      ]);
    const batch = 100_000;
    for (let from = 1; from < ORDERS; from += batch) {
      const to = Math.min(ORDERS - 1, from + batch - 1);
      await client.query('BEGIN');
      await client.query(
        `${ordersInsert} FROM orders t, generate_series($2::int, $3::int) g WHERE t.store_id = $1 AND t.number = 1`,
        [storeId, from, to],
      );
      await client.query(
        `${linesInsert}
           FROM orders o
           JOIN bench_variants v ON v.k = o.number % ${products.length}
           JOIN order_lines t ON t.order_id = (SELECT id FROM orders WHERE store_id = $1 AND number = 1)
          WHERE o.store_id = $1 AND o.number BETWEEN $2::int + 1 AND $3::int + 1`,
        [storeId, from, to],
      );
      await client.query('COMMIT');
      process.stdout.write(`\r  seeded ${to + 1} orders`);
    }
    process.stdout.write('\n');
    // What autovacuum would have done by now on a live store: statistics, and the visibility map that lets the
    // report's index answer without visiting the table.
    await client.query('VACUUM (ANALYZE) orders, order_lines');
  } finally {
    client.release();
  }
  return performance.now() - started;
}

function summary(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  const f = (n: number) => n.toFixed(1);
  return `min ${f(s[0]!)} ms · median ${f(at(0.5))} ms · p95 ${f(at(0.95))} ms · max ${f(s.at(-1)!)} ms`;
}

function isoDay(d: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Kolkata' }).format(d);
}

/** A transaction that prints `EXPLAIN (ANALYZE, BUFFERS)` of each statement, then runs it (SET too, unexplained). */
function explaining(client: pg.PoolClient, plans: string[]): Tx {
  return {
    async query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      if (!sql.startsWith('SET ')) {
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, [
          ...(params ?? []),
        ]);
        plans.push(`${sql.replace(/\s+/g, ' ').trim()}\n${rows.map((r) => r['QUERY PLAN']).join('\n')}`);
      }
      const result = await client.query(sql, [...(params ?? [])]);
      return { rows: result.rows as T[], rowCount: result.rowCount ?? 0 } as QueryResult<T>;
    },
    async exec(sql: string): Promise<void> {
      await client.query(sql);
    },
  };
}

async function main(): Promise<void> {
  const fresh = await freshDatabase();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const config = {
    ...loadConfig({
      DATABASE_URL,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: base,
      OTP_TEST_NUMBERS: `${PHONE}:${CODE}`,
      OTP_CONSOLE: '1',
      DUKAAN_DEMO: '0',
      LOG_LEVEL: 'warn',
    }),
    demo: false,
  };
  const server = await startServer(config);
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  try {
    const { token, storeId } = await template(base);
    if (fresh) {
      console.log(`seeding ${ORDERS} orders…`);
      const ms = await seedOrders(pool, storeId);
      console.log(`  seeded in ${(ms / 1000).toFixed(0)} s`);
    }
    const { rows } = await pool.query<{ n: string; lines: string }>(
      `SELECT (SELECT count(*) FROM orders WHERE store_id = $1) AS n,
              (SELECT count(*) FROM order_lines WHERE store_id = $1) AS lines`,
      [storeId],
    );
    console.log(`store ${storeId}: ${rows[0]!.n} orders, ${rows[0]!.lines} lines`);

    const today = new Date();
    for (const days of [7, 30]) {
      const from = isoDay(new Date(today.getTime() - (days - 1) * 86_400_000));
      const url = `${base}/api/v1/stores/${storeId}/reports/sales?from=${from}&to=${isoDay(today)}`;
      const times: number[] = [];
      let report: Json = {};
      for (let i = 0; i < REQUESTS + 3; i++) {
        const t0 = performance.now();
        report = await api(url, 'GET', undefined, token);
        if (i >= 3) times.push(performance.now() - t0);
      }
      const totals = report.totals as Json;
      console.log(
        `GET …/reports/sales ${days} days (${totals.orders} orders, ${report.topProducts.length} top products): ` +
          summary(times),
      );
    }

    const plans: string[] = [];
    const from = isoDay(new Date(today.getTime() - 29 * 86_400_000));
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await salesReport(explaining(client, plans), { id: storeId, currency: 'INR' }, { from, to: isoDay(today) });
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    console.log(`\nEXPLAIN (ANALYZE, BUFFERS) of the 30-day report's statements:\n`);
    for (const plan of plans) console.log(`${plan}\n`);
    const indexes = new Set(plans.flatMap((p) => [...p.matchAll(/(?:using|Index Scan on) (\w+)/g)].map((m) => m[1])));
    console.log(`indexes used: ${[...indexes].join(', ')}`);
  } finally {
    await pool.end();
    await server.close(2_000);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
