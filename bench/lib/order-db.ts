/**
 * What bench/order-cost.ts and bench/batch-cost.ts share: a fresh migrated database, a seeded store, one session
 * sending named statements as the app's pool does, and a checkout ready to place (its cart inserted).
 */
import pg from 'pg';
import { CART_STAMP_SQL } from '../../src/cart/cart.repo.js';
import { createPgDb } from '../../src/db/pg.js';
import { migrate } from '../../src/db/migrate.js';
import type { Queryable } from '../../src/db/db.js';
import type { BatchOrder } from '../../src/orders/place-batch.repo.js';
import type { NewOrderLine, UnnumberedOrder } from '../../src/orders/orders.repo.js';
import { newId, newSecretId } from '../../src/shared/ids.js';

export interface SeededStore {
  label: string;
  id: string;
  /** one line per variant seeded, 1 unit at 100, stock plentiful */
  lines: NewOrderLine[];
}

/** Drops and creates `database` on the server of `serverUrl`, migrated; its URL. */
export async function freshDatabase(serverUrl: string, database: string): Promise<string> {
  const base = serverUrl.replace(/\/[^/:]*$/, '');
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const dbUrl = `${base}/${database}`;
  const db = createPgDb(dbUrl, { max: 1 });
  await migrate(db);
  await db.close();
  return dbUrl;
}

/** A store owned by `merchantId` with `variants` products of one variant each; `push`: its owner has Web Push. */
export async function seedStore(
  c: pg.Client,
  merchantId: string,
  label: string,
  opts: { push: boolean; variants: number },
): Promise<SeededStore> {
  const id = newId();
  await c.query(`INSERT INTO stores (id, slug, name, pickup) VALUES ($1, $2, $2, true)`, [id, `s-${label}`]);
  await c.query(`INSERT INTO store_members (store_id, merchant_id, role) VALUES ($1, $2, 'owner')`, [id, merchantId]);
  if (opts.push)
    await c.query(
      `INSERT INTO push_subscriptions (id, store_id, merchant_id, endpoint, p256dh, auth)
       VALUES ($1, $2, $3, 'https://push.example/1', 'key', 'auth')`,
      [newId(), id, merchantId],
    );
  const lines: NewOrderLine[] = [];
  for (let i = 0; i < opts.variants; i++) {
    const productId = newId();
    const variantId = newId();
    await c.query(`INSERT INTO products (id, store_id, slug, name) VALUES ($1, $2, $3, $3)`, [productId, id, `p${i}`]);
    await c.query(
      `INSERT INTO variants (id, product_id, store_id, name, price, stock) VALUES ($1, $2, $3, 'one', 100, 100000000)`,
      [variantId, productId, id],
    );
    lines.push({ variantId, productId, name: `p${i}`, variantName: 'one', unitPrice: 100, quantity: 1 });
  }
  return { label, id, lines };
}

/** One connection, named statements as the app's pool sends them. */
export function sessionQueryable(c: pg.Client): Queryable {
  const names = new Map<string, string>();
  return {
    async query<T>(sql: string, params?: readonly unknown[]) {
      const values = params as unknown[] | undefined;
      let name: string | undefined;
      if (values && values.length > 0) {
        name = names.get(sql) ?? `s${names.size}`;
        names.set(sql, name);
      }
      const r = await c.query(name ? { name, text: sql, values } : { text: sql, values });
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    },
  };
}

let phoneSeq = 0;

/**
 * A checkout of `lines` (distinct variants of `store`) ready to place: its cart inserted, the order as the checkout
 * drafts it, the store's and the customer's messages and an Idempotency-Key record. 200 customers, most ordering
 * more than once: both branches of the store_customers upsert.
 */
export async function readyCheckout(
  c: pg.Client,
  store: SeededStore,
  lines: readonly NewOrderLine[],
): Promise<BatchOrder> {
  const cartId = newSecretId();
  const { rows } = await c.query<{ stamp: string }>(
    `INSERT INTO carts (id, store_id, fulfillment) VALUES ($1, $2, 'pickup')
     RETURNING ${CART_STAMP_SQL('carts')} AS stamp`,
    [cartId, store.id],
  );
  const phone = `+9198${String(1_000_000 + (phoneSeq++ % 200)).padStart(8, '0')}`;
  const total = lines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0);
  const order: UnnumberedOrder = {
    id: newId(),
    storeId: store.id,
    paymentMethod: 'cod',
    fulfillment: 'pickup',
    subtotal: total,
    discount: 0,
    deliveryFee: 0,
    total,
    couponId: null,
    couponCode: null,
    customer: { name: 'Asha', phone, address: null },
    note: null,
    trackingToken: newSecretId(),
    cartId,
    checkoutKey: newSecretId(),
    billRules: { coupon: null, deliveryFee: 0, freeAbove: null, minOrder: null },
    lang: 'en',
  };
  const message = (audience: 'store' | 'customer') => ({
    message: {
      id: newId(),
      topic: 'order.placed',
      recipient: audience === 'store' ? '+919000000000' : phone,
      textBeforeNumber: 'Order #',
      textAfterNumber: ' placed',
      data: { orderId: order.id },
    },
    audience,
  });
  return {
    order,
    cartStamp: Number(rows[0]!.stamp),
    lines,
    moves: lines.map((l) => ({ variantId: l.variantId, quantity: l.quantity })),
    messages: [message('store'), message('customer')],
    record: { scope: `bench:${store.id}`, key: newSecretId(), requestHash: 'x' },
  };
}
