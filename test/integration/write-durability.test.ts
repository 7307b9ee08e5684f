/**
 * Which writes wait for their WAL flush. Cart edits commit with synchronous_commit off (a crash may lose the last
 * fraction of a second of them); orders, stock, coupon uses, idempotency records and merchants' writes always
 * commit durably. Each written table gets a statement trigger (test-only) that records the setting in force in the
 * writing transaction — the one its commit obeys.
 */
import { describe, expect } from 'vitest';
import { type Res, type TestContext, uniquePhone } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import {
  addProduct,
  checkoutBody,
  checkoutCart,
  multipart,
  newCart,
  openShop,
  PNG_1PX,
  type Shop,
} from '../helpers/order-fixtures.js';

const it = appTest({ publicUrl: 'https://dukaan.test' });

const WATCHED = [
  'carts',
  'cart_lines',
  'orders',
  'order_lines',
  'order_history',
  'variants',
  'products',
  'coupons',
  'idempotency_keys',
  'store_order_counters',
  'stores',
  'outbox',
  'categories',
  'merchants',
  'store_members',
  'store_whatsapp_codes',
  'order_payments',
  'payment_proofs',
];
let shop: Shop;

it.beforeAll(async ({ ctx, db }) => {
  shop = await openShop(ctx, {
    create: { name: 'Durable Dukaan', whatsapp: '+919876543210' },
    patch: { delivery: { fee: 0, pickup: true }, payments: { cod: true, upiVpa: 'durable@okhdfc' } },
  });
  await db.exec(`
    CREATE TABLE test_write_durability (
      seq bigserial PRIMARY KEY, tbl text NOT NULL, op text NOT NULL, setting text NOT NULL, xid bigint NOT NULL);
    CREATE FUNCTION test_log_durability() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO test_write_durability (tbl, op, setting, xid)
      VALUES (TG_TABLE_NAME, TG_OP, current_setting('synchronous_commit'), txid_current());
      RETURN NULL;
    END $$;
    ${WATCHED.map(
      (t) =>
        `CREATE TRIGGER test_durability AFTER INSERT OR UPDATE OR DELETE ON ${t}
           FOR EACH STATEMENT EXECUTE FUNCTION test_log_durability();`,
    ).join('\n')}`);
});

it.beforeEach(async ({ db }) => {
  await db.query('DELETE FROM test_write_durability');
});

interface Logged {
  tbl: string;
  op: string;
  setting: string;
  xid: number;
}

async function logged(ctx: TestContext): Promise<Logged[]> {
  return (await ctx.testDb.db.query<Logged>('SELECT tbl, op, setting, xid FROM test_write_durability ORDER BY seq'))
    .rows;
}

const tables = (rows: Logged[]) => [...new Set(rows.map((r) => r.tbl))].sort();
const cartUrl = (cartId: string) => `/api/v1/storefront/${shop.slug}/carts/${cartId}`;

describe('write durability', () => {
  it('cart writes (create, with lines too, line put and removal, fulfillment, coupon) commit without a flush', async ({
    db,
    ctx,
  }) => {
    const tea = await addProduct(shop, 'Tea', 5000, 50);
    const rusk = await addProduct(shop, 'Rusk', 3000);
    const coupon = await shop.api.post(`${shop.base}/coupons`, { code: 'CHAI10', type: 'percent', value: 10 });
    expect(coupon.status).toBe(201);
    await db.query('DELETE FROM test_write_durability');

    const created = await shop.customer.post(`/api/v1/storefront/${shop.slug}/carts`);
    expect(created.status).toBe(201);
    const cartId = created.body.id as string;
    expect((await shop.customer.put(`${cartUrl(cartId)}/lines/${tea}`, { quantity: 2 })).status).toBe(200);
    expect((await shop.customer.put(`${cartUrl(cartId)}/lines/${rusk}`, { quantity: 1 })).status).toBe(200);
    expect((await shop.customer.put(`${cartUrl(cartId)}/lines/${rusk}`, { quantity: 0 })).status).toBe(200);
    expect((await shop.customer.put(`${cartUrl(cartId)}/lines/${rusk}`, { quantity: 3 })).status).toBe(200);
    expect((await shop.customer.delete(`${cartUrl(cartId)}/lines/${rusk}`)).status).toBe(200);
    expect((await shop.customer.patch(cartUrl(cartId), { fulfillment: 'pickup' })).status).toBe(200);
    expect((await shop.customer.put(`${cartUrl(cartId)}/coupon`, { code: 'chai10' })).status).toBe(200);
    expect((await shop.customer.delete(`${cartUrl(cartId)}/coupon`)).status).toBe(200);
    const withLines = await shop.customer.post(`/api/v1/storefront/${shop.slug}/carts`, {
      lines: [
        { variantId: tea, quantity: 1 },
        { variantId: rusk, quantity: 2 },
      ],
    });
    expect(withLines.status).toBe(201);

    const rows = await logged(ctx);
    expect(tables(rows)).toEqual(['cart_lines', 'carts']);
    expect(rows.filter((r) => r.tbl === 'cart_lines').map((r) => r.op)).toEqual(
      expect.arrayContaining(['INSERT', 'DELETE']),
    );
    expect(rows.filter((r) => r.setting !== 'off')).toEqual([]);
    // The setting is the transaction's own: the connections the cart writes used are durable again afterwards.
    for (let i = 0; i < 25; i++) {
      const { rows: s } = await db.query<{ s: string }>(`SELECT current_setting('synchronous_commit') AS s`);
      expect(s[0]!.s).toBe('on');
    }
  });

  it('a keyed checkout is ONE durable commit: order, stock, coupon, counter, idempotency record', async ({
    db,
    ctx,
  }) => {
    const tea = await addProduct(shop, 'Kulhad Tea', 5000, 40);
    const coupon = await shop.api.post(`${shop.base}/coupons`, {
      code: 'ONCE',
      type: 'flat',
      value: 500,
      usageLimit: 5,
    });
    expect(coupon.status).toBe(201);
    // Cart writes first, on the same pool, so a setting leaking from them would show below.
    const carts: string[] = [];
    for (let i = 0; i < 3; i++) carts.push(await newCart(shop, [[tea, 1 + i]]));
    expect((await shop.customer.put(`${cartUrl(carts[0]!)}/coupon`, { code: 'ONCE' })).status).toBe(200);
    await db.query('DELETE FROM test_write_durability');

    const sent: string[] = [];
    for (const [i, cartId] of carts.entries()) {
      const res = await checkoutCart(shop, cartId, checkoutBody({ fulfillment: 'pickup' }), {
        'idempotency-key': `durable-key-${i}`,
      });
      expect(res.status).toBe(201);
      sent.push(res.text);
    }
    const rows = await logged(ctx);
    const durable = rows.filter((r) => r.setting === 'on');
    expect(tables(durable)).toEqual(
      expect.arrayContaining([
        'carts',
        'coupons',
        'idempotency_keys',
        'order_history',
        'order_lines',
        'orders',
        'outbox',
        'store_order_counters',
        'variants',
      ]),
    );
    // One durable transaction per checkout, holding the order and its Idempotency-Key's record together.
    const durableTx = [...new Set(durable.map((r) => r.xid))];
    expect(durableTx).toHaveLength(carts.length);
    for (const xid of durableTx) {
      const inTx = tables(durable.filter((r) => r.xid === xid));
      expect(inTx).toEqual(expect.arrayContaining(['orders', 'idempotency_keys', 'variants']));
    }
    // No other write: the answer itself was stored by the order's statement, the very bytes the customer got.
    expect(rows.filter((r) => r.setting !== 'on')).toEqual([]);
    const { rows: keys } = await db.query<{ key: string; state: string; response_status: number; body: string }>(
      `SELECT key, state, response_status, response_body AS body
         FROM idempotency_keys WHERE key LIKE 'durable-key-%' ORDER BY key`,
    );
    expect(keys).toEqual(
      sent.map((body, i) => ({ key: `durable-key-${i}`, state: 'done', response_status: 201, body })),
    );
    for (const [i, body] of sent.entries()) {
      const order = JSON.parse(body) as { number: number; createdAt: string; history: { at: string }[] };
      expect(order.number).toBeGreaterThan(0);
      expect(order.number).toBeLessThan(1000);
      expect(Date.parse(order.createdAt)).toBeGreaterThan(Date.parse('2020-01-01'));
      // The order as read afterwards has the same number and time.
      const read = await db.query<{ number: number; created_at: Date; at: Date }>(
        `SELECT number, created_at, (SELECT at FROM order_history h WHERE h.order_id = o.id) AS at
           FROM orders o WHERE id = $1`,
        [(JSON.parse(body) as { id: string }).id],
      );
      expect(read.rows[0]!.number).toBe(order.number);
      expect(read.rows[0]!.created_at.toISOString()).toBe(order.createdAt);
      expect(read.rows[0]!.at.toISOString()).toBe(order.history[0]!.at);
      // A repeat replays the same bytes.
      const again = await checkoutCart(shop, carts[i]!, checkoutBody({ fulfillment: 'pickup' }), {
        'idempotency-key': `durable-key-${i}`,
      });
      expect([again.status, again.text, again.headers['idempotent-replayed']]).toEqual([201, body, 'true']);
    }
    const { rows: stock } = await db.query<{ stock: number }>('SELECT stock FROM variants WHERE id = $1', [tea]);
    expect(stock[0]!.stock).toBe(40 - 6);
  });

  it.for([
    ['the number', 'ring 9007199254740991 twice'],
    ['a time', 'deliver after "1970-01-01T00:00:00.000Z'],
  ])(
    "a customer's text holding %s slot's text is answered as written; its answer is stored after",
    async ([slot, note], { ctx }) => {
      const tea = await addProduct(shop, `Slot Tea ${slot}`, 5000, 10);
      const cartId = await newCart(shop, [[tea, 1]]);
      await ctx.testDb.db.query('DELETE FROM test_write_durability');
      const body = checkoutBody({ fulfillment: 'pickup', note });
      const res = await checkoutCart(shop, cartId, body, { 'idempotency-key': `slot-note ${slot}` });
      expect(res.status).toBe(201);
      expect(res.body.note).toBe(note);
      expect(res.body.number).toBeLessThan(1000);
      expect(new Date(res.body.createdAt).getFullYear()).toBeGreaterThan(2000);
      // The fallback: the body is added to the record after the order's commit, without a flush.
      const late = (await logged(ctx)).filter((r) => r.setting !== 'on');
      expect(late.map((r) => [r.tbl, r.op])).toEqual([['idempotency_keys', 'UPDATE']]);
      const again = await checkoutCart(shop, cartId, body, { 'idempotency-key': `slot-note ${slot}` });
      expect([again.status, again.text]).toEqual([201, res.text]);
    },
  );

  it("a merchant's writes (product, stock, store settings, coupon) commit durably", async ({ ctx }) => {
    const created = await shop.api.post(
      `${shop.base}/products`,
      { name: 'Biscuits', price: 2000, stock: 5 },
      { 'idempotency-key': 'merchant-product-1' },
    );
    expect(created.status, created.text).toBe(201);
    const variantId = created.body.variants[0].id as string;
    const productId = created.body.id as string;
    expect((await shop.api.post(`${shop.base}/variants/${variantId}/stock`, { adjust: 4 })).status).toBe(200);
    expect((await shop.api.patch(`${shop.base}/products/${productId}`, { name: 'Butter Biscuits' })).status).toBe(200);
    expect((await shop.api.patch(shop.base, { name: 'Durable Dukaan & Sons' })).status).toBe(200);
    expect((await shop.api.post(`${shop.base}/coupons`, { code: 'M1', type: 'flat', value: 100 })).status).toBe(201);
    const rows = await logged(ctx);
    const durable = rows.filter((r) => r.setting === 'on');
    expect(tables(durable)).toEqual(expect.arrayContaining(['idempotency_keys', 'products', 'stores', 'variants']));
    // The keyed POST's claim (an upsert: INSERT and UPDATE statement triggers) is a lease and does not wait for the
    // flush; its answer is stored durably, in the product's own transaction: one durable commit for the request.
    const lease = rows.filter((r) => r.setting !== 'on');
    expect(lease.map((r) => r.tbl)).toEqual(['idempotency_keys', 'idempotency_keys']);
    expect(lease.map((r) => r.op).sort()).toEqual(['INSERT', 'UPDATE']);
    expect(durable.filter((r) => r.tbl === 'idempotency_keys').map((r) => r.op)).toEqual(['UPDATE']);
    const answerXid = durable.find((r) => r.tbl === 'idempotency_keys')!.xid;
    expect(durable.filter((r) => r.tbl === 'products' && r.op === 'INSERT').map((r) => r.xid)).toEqual([answerXid]);
    const replay = await shop.api.post(
      `${shop.base}/products`,
      { name: 'Biscuits', price: 2000, stock: 5 },
      { 'idempotency-key': 'merchant-product-1' },
    );
    expect([replay.status, replay.headers['idempotent-replayed'], replay.text]).toEqual([201, 'true', created.text]);
  });

  it('a keyed order status change is ONE durable commit with its stored answer', async ({ ctx, db }) => {
    const v = await addProduct(shop, 'Rusk', 3000, 10);
    const cartId = await newCart(shop, [[v, 1]]);
    const order = await checkoutCart(shop, cartId, checkoutBody({ fulfillment: 'pickup' }));
    expect(order.status, order.text).toBe(201);
    await db.query('DELETE FROM test_write_durability');
    const url = `${shop.base}/orders/${order.body.id}/transitions`;
    const accepted = await shop.api.post(url, { to: 'accepted' }, { 'idempotency-key': 'merchant-accept-1' });
    expect(accepted.status, accepted.text).toBe(200);
    const durable = (await logged(ctx)).filter((r) => r.setting === 'on');
    expect(new Set(durable.map((r) => r.xid)).size).toBe(1);
    expect(tables(durable)).toEqual(expect.arrayContaining(['idempotency_keys', 'orders', 'order_history']));
    const replay = await shop.api.post(url, { to: 'accepted' }, { 'idempotency-key': 'merchant-accept-1' });
    expect([replay.status, replay.headers['idempotent-replayed'], replay.text]).toEqual([200, 'true', accepted.text]);
  });
});

type Send = (headers: Record<string, string>) => Promise<Res>;

/**
 * Every other keyed POST that writes (issue 12, item 3), each sent once with an Idempotency-Key and then again:
 * `prepare` makes what the request needs (not logged) and returns the request, its body fixed so the repeat is the
 * same request. `work`: the tables its work writes, all in its stored answer's transaction. `before`: the tables of
 * the one durable commit that must come first (a WhatsApp code commits before it is sent).
 */
interface KeyedPost {
  name: string;
  status: number;
  work: string[];
  before?: string[];
  prepare: (ctx: TestContext) => Promise<Send>;
}

/** A placed order of the shop (one tracked unit), paid as `paymentMethod` says. */
async function placedOrder(paymentMethod = 'cod'): Promise<{ id: string; trackingToken: string }> {
  const v = await addProduct(shop, `Keyed item ${Math.random()}`, 2500, 10);
  const res = await checkoutCart(shop, await newCart(shop, [[v, 1]]), checkoutBody({ paymentMethod }));
  expect(res.status, res.text).toBe(201);
  return res.body;
}

function uploadTo(ctx: TestContext, url: string, token?: string): Send {
  const { payload, headers } = multipart(PNG_1PX, { filename: 'shot.png' });
  return async (key) => {
    const h = { ...headers, ...key, ...(token ? { authorization: `Bearer ${token}` } : {}) };
    const res = await ctx.app.inject({ method: 'POST', url, payload, headers: h });
    return { status: res.statusCode, body: undefined, headers: res.headers, text: res.body };
  };
}

const KEYED_POSTS: KeyedPost[] = [
  {
    name: 'store create',
    status: 201,
    work: ['store_members', 'stores'],
    prepare: async () => (key) => shop.api.post('/api/v1/stores', { name: 'Keyed Second Shop' }, key),
  },
  {
    name: 'store WhatsApp code send',
    status: 202,
    work: ['outbox'],
    before: ['store_whatsapp_codes'],
    prepare: async () => {
      const store = await shop.api.post('/api/v1/stores', { name: 'Keyed Code Shop', whatsapp: '+919811122233' });
      expect(store.status, store.text).toBe(201);
      return (key) => shop.api.post(`/api/v1/stores/${store.body.id}/whatsapp/verification`, {}, key);
    },
  },
  {
    name: 'category create',
    status: 201,
    work: ['categories', 'stores'],
    prepare: async () => (key) => shop.api.post(`${shop.base}/categories`, { name: 'Keyed Snacks' }, key),
  },
  {
    name: 'variant add',
    status: 201,
    work: ['stores', 'variants'],
    prepare: async () => {
      const product = await shop.api.post(`${shop.base}/products`, { name: 'Keyed Namkeen', price: 2000 });
      expect(product.status, product.text).toBe(201);
      const url = `${shop.base}/products/${product.body.id}/variants`;
      return (key) => shop.api.post(url, { name: 'Family pack', price: 6000 }, key);
    },
  },
  {
    name: 'stock change',
    status: 200,
    work: ['variants'],
    prepare: async () => {
      const variantId = await addProduct(shop, 'Keyed Rusk', 3000, 5);
      return (key) => shop.api.post(`${shop.base}/variants/${variantId}/stock`, { adjust: 3 }, key);
    },
  },
  {
    name: 'product import',
    status: 200,
    work: ['products', 'stores', 'variants'],
    prepare: async () => (key) =>
      shop.api.send('POST', `${shop.base}/products/import`, 'name,price,stock\nKeyed Atta,55,10', {
        'content-type': 'text/csv',
        ...key,
      }),
  },
  {
    name: 'image upload (no database work: its stored answer is its one commit)',
    status: 201,
    work: [],
    prepare: async (ctx) => uploadTo(ctx, `${shop.base}/images`, shop.token),
  },
  {
    name: 'coupon create',
    status: 201,
    work: ['coupons'],
    prepare: async () => (key) =>
      shop.api.post(`${shop.base}/coupons`, { code: 'KEYED50', type: 'flat', value: 50 }, key),
  },
  {
    name: 'member invite',
    status: 201,
    work: ['merchants', 'store_members'],
    prepare: async () => {
      const phone = uniquePhone();
      return (key) => shop.api.post(`${shop.base}/members`, { phone, role: 'staff' }, key);
    },
  },
  {
    name: 'payment record',
    status: 200,
    work: ['order_history', 'order_payments', 'orders', 'outbox'],
    prepare: async () => {
      const order = await placedOrder();
      return (key) => shop.api.post(`${shop.base}/orders/${order.id}/payment`, { status: 'paid' }, key);
    },
  },
  {
    name: "customer's cancel",
    status: 200,
    work: ['order_history', 'orders', 'outbox', 'variants'],
    prepare: async () => {
      const order = await placedOrder();
      return (key) => shop.customer.post(`/api/v1/orders/${order.trackingToken}/cancel`, {}, key);
    },
  },
  {
    name: "customer's payment proof upload",
    status: 200,
    work: ['order_history', 'orders', 'outbox', 'payment_proofs'],
    prepare: async (ctx) => {
      const order = await placedOrder('upi');
      return uploadTo(ctx, `/api/v1/orders/${order.trackingToken}/payment-proof`);
    },
  },
];

describe('every other keyed POST that writes', () => {
  it.for(KEYED_POSTS)('$name: ONE durable commit holds its work and its stored answer', async (post, { ctx, db }) => {
    const send = await post.prepare(ctx);
    await db.query('DELETE FROM test_write_durability');
    const key = { 'idempotency-key': `keyed-${post.name}` };
    const first = await send(key);
    expect(first.status, first.text).toBe(post.status);

    const rows = await logged(ctx);
    // The claim (an upsert: INSERT and UPDATE statement triggers) is a lease: it does not wait for the flush.
    const lease = rows.filter((r) => r.setting !== 'on');
    expect(lease.map((r) => `${r.tbl} ${r.op}`).sort()).toEqual(['idempotency_keys INSERT', 'idempotency_keys UPDATE']);
    // The answer is stored once, durably, in the transaction that holds all of the work.
    const durable = rows.filter((r) => r.setting === 'on');
    const answers = durable.filter((r) => r.tbl === 'idempotency_keys');
    expect(answers.map((r) => r.op)).toEqual(['UPDATE']);
    const answerXid = answers[0]!.xid;
    expect(tables(durable.filter((r) => r.xid === answerXid))).toEqual(
      [...new Set([...post.work, 'idempotency_keys'])].sort(),
    );
    // Nothing else waited for a flush but what must commit first.
    const others = durable.filter((r) => r.xid !== answerXid);
    expect(tables(others)).toEqual(post.before ?? []);
    expect(new Set(others.map((r) => r.xid)).size).toBe(post.before ? 1 : 0);

    const again = await send(key);
    expect([again.status, again.headers['idempotent-replayed'], again.text]).toEqual([post.status, 'true', first.text]);
  });
});
