/**
 * Shard-ready (docs/scaling.md): sharding by store with Citus needs every store-scoped row to carry its store and
 * every hot-path statement to name the store. This test reads the schema, then captures every statement the
 * services send during a storefront → cart → checkout → orders run (a wrapped Db) and checks each one that touches
 * a store-scoped table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, QueryResult, Tx } from '../../src/db/db.js';
import type { TestContext } from '../helpers/app.js';
import { appOnDb } from '../helpers/app-on-db.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { addProduct, checkoutBody, checkoutCart, newCart, openShop } from '../helpers/order-fixtures.js';

/**
 * Rows of one store that hang off a store-scoped parent. They carry the parent's `store_id` too (migration 090), so
 * under Citus they are co-located with it; the copy must agree with the parent's.
 */
const CHILD_TABLES: Record<string, { column: string; parent: string }> = {
  cart_lines: { column: 'cart_id', parent: 'carts' },
  order_lines: { column: 'order_id', parent: 'orders' },
  order_history: { column: 'order_id', parent: 'orders' },
  payment_proofs: { column: 'order_id', parent: 'orders' },
  // money entries (migration 082)
  order_payments: { column: 'order_id', parent: 'orders' },
};
/** Tables whose rows belong to one store and carry a non-null `store_id` (the distribution column). */
const STORE_SCOPED = [
  'carts',
  'categories',
  'coupons',
  'orders',
  'products',
  'store_members',
  'store_order_counters',
  'variants',
  'whatsapp_carts',
  // the code sent to verify a store's WhatsApp number (migration 083)
  'store_whatsapp_codes',
  // a member's Web Push subscription for one store (migration 150)
  'push_subscriptions',
  // each phone's first counted order in a store, for new vs returning customers (migration 160)
  'store_customers',
  ...Object.keys(CHILD_TABLES),
];
/** Global tables: not per store (reference tables under Citus, or the store table itself keyed by id). */
const GLOBAL_TABLES = [
  'stores',
  'merchants',
  'sessions',
  'otp_codes',
  'idempotency_keys',
  'rate_limit_counters',
  'outbox',
  'schemaversion',
  'whatsapp_inbox',
  'whatsapp_customers',
  'whatsapp_chats',
  // when each daily retention job last ran (migration 084)
  'retention_runs',
  // the server's one VAPID key pair for Web Push (migration 150)
  'push_vapid_keys',
];
/** Global tables that point at a store without belonging to it (a WhatsApp chat's current shop, null before one). */
// …and the outbox row's store (null for sign-in codes), which the daily message caps count by (migration 083).
const GLOBAL_WITH_STORE_REFERENCE = ['whatsapp_chats', 'outbox'];

/** A Db that records every SQL text sent, inside transactions too. */
function capturing(db: Db, seen: string[]): Db {
  const wrapTx = (tx: Tx): Tx => ({
    query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      seen.push(sql);
      return tx.query<T>(sql, params);
    },
    exec(sql: string) {
      seen.push(sql);
      return tx.exec(sql);
    },
  });
  return {
    ...db,
    kind: db.kind,
    query<T>(sql: string, params?: readonly unknown[]) {
      seen.push(sql);
      return db.query<T>(sql, params);
    },
    tx: (fn) => db.tx((tx) => fn(wrapTx(tx))),
    exec: (sql) => db.exec(sql),
    ping: (ms) => db.ping(ms),
    stats: () => db.stats(),
    close: () => db.close(),
  };
}

/** The tables a statement reads or writes (FROM / JOIN / UPDATE / INSERT INTO / DELETE FROM). */
function tablesOf(sql: string): string[] {
  const found = new Set<string>();
  for (const m of sql.matchAll(/\b(?:from|join|update|into)\s+([a-z_][a-z0-9_]*)/gi)) found.add(m[1]!.toLowerCase());
  return [...found];
}

let ctx: TestContext;
let testDb: TestDb;
const seen: string[] = [];

beforeAll(async () => {
  testDb = await createTestDb();
  ctx = await appOnDb(capturing(testDb.db, seen), testDb.url);
}, 180_000);

afterAll(async () => {
  await ctx?.app.close();
  await testDb?.dispose();
});

describe('shard-ready by store_id', () => {
  it('every store-scoped table has a non-null store_id, child tables too (their parent key as well)', async () => {
    const { rows } = await ctx.testDb.db.query<{ table_name: string; column_name: string; is_nullable: string }>(
      `SELECT c.table_name, c.column_name, c.is_nullable
         FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'`,
    );
    const tables = new Map<string, Map<string, string>>();
    for (const r of rows) {
      if (!tables.has(r.table_name)) tables.set(r.table_name, new Map());
      tables.get(r.table_name)!.set(r.column_name, r.is_nullable);
    }
    // Every table is classified, so a new table must be placed in one of the lists (and thought about).
    const unclassified = [...tables.keys()].filter((t) => !STORE_SCOPED.includes(t) && !GLOBAL_TABLES.includes(t));
    expect(unclassified).toEqual([]);
    for (const t of STORE_SCOPED) expect({ t, storeId: tables.get(t)?.get('store_id') }).toEqual({ t, storeId: 'NO' });
    // Any other table with a store_id column is store-scoped and must say so.
    const withStoreId = [...tables.entries()].filter(([, cols]) => cols.has('store_id')).map(([t]) => t);
    expect(withStoreId.sort()).toEqual([...STORE_SCOPED, ...GLOBAL_WITH_STORE_REFERENCE].sort());
    for (const [t, { column, parent }] of Object.entries(CHILD_TABLES)) {
      expect({ t, column: tables.get(t)?.get(column) }).toEqual({ t, column: 'NO' });
      expect(STORE_SCOPED).toContain(parent);
    }
  });

  it('every hot-path statement on a store-scoped table filters by store_id', async () => {
    const shop = await openShop(ctx);
    const rice = await addProduct(shop, 'Sona masoori rice 10 kg', 72_000, 40);
    const tea = await addProduct(shop, 'Assam tea 500 g', 24_000, 40);
    const merchantOrders = `${shop.base}/orders`;
    const anon = shop.customer;
    seen.length = 0;

    // Storefront: the store, its categories, product list, search, detail, the store page.
    const storefront = `/api/v1/storefront/${shop.slug}`;
    for (const url of [
      storefront,
      `${storefront}/categories`,
      `${storefront}/products`,
      `${storefront}/products?q=tea`,
    ])
      expect((await anon.get(url)).status).toBe(200);
    const list = await anon.get(`${storefront}/products`);
    expect((await anon.get(`${storefront}/products/${list.body.items[0].slug}`)).status).toBe(200);
    expect((await ctx.app.inject({ method: 'GET', url: `/${shop.slug}` })).statusCode).toBe(200);
    // Cart and checkout.
    const cartId = await newCart(shop, [
      [rice, 2],
      [tea, 1],
    ]);
    expect((await anon.get(`${storefront}/carts/${cartId}`)).status).toBe(200);
    const placed = await checkoutCart(shop, cartId, checkoutBody(), { 'idempotency-key': 'shard-ready-1' });
    expect(placed.status).toBe(201);
    // Orders: the customer's tracking page, the merchant's list, detail and a transition.
    expect((await anon.get(`/api/v1/orders/${placed.body.trackingToken}`)).status).toBe(200);
    expect((await shop.api.get(merchantOrders)).status).toBe(200);
    expect((await shop.api.get(`${merchantOrders}/${placed.body.id}`)).status).toBe(200);
    expect((await shop.api.post(`${merchantOrders}/${placed.body.id}/transitions`, { to: 'accepted' })).status).toBe(
      200,
    );
    // The money record: a payment entry (order_payments, migration 082).
    expect((await shop.api.post(`${merchantOrders}/${placed.body.id}/payment`, { status: 'paid' })).status).toBe(200);

    const checked = seen.filter((sql) => tablesOf(sql).some((t) => STORE_SCOPED.includes(t)));
    expect(checked.length).toBeGreaterThan(20);
    expect(checked.filter((sql) => tablesOf(sql).some((t) => t in CHILD_TABLES)).length).toBeGreaterThan(5);
    const missing = [...new Set(checked.filter((sql) => !/\bstore_id\b/.test(sql)))].map((sql) =>
      sql.replace(/\s+/g, ' ').trim(),
    );
    expect(missing).toEqual([]);
    // Each child row carries its parent's store.
    for (const [t, { column, parent }] of Object.entries(CHILD_TABLES)) {
      const { rows } = await ctx.testDb.db.query<{ rows: number; wrong: number }>(
        `SELECT count(*)::int AS rows, count(*) FILTER (WHERE c.store_id IS DISTINCT FROM p.store_id)::int AS wrong
           FROM ${t} c LEFT JOIN ${parent} p ON p.id = c.${column}`,
      );
      expect({ t, wrong: rows[0]!.wrong }).toEqual({ t, wrong: 0 });
      if (t !== 'payment_proofs') expect({ t, some: rows[0]!.rows > 0 }).toEqual({ t, some: true });
    }
  });
});
