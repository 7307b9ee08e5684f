/** GET /stores/{id}/reports/sales: per day in India's time zone, totals, top products, new vs returning. */
import { describe, expect } from 'vitest';
import type { TestContext } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import { addProduct, checkoutBody, openShop, placeOrder, type Shop } from '../helpers/order-fixtures.js';
import { EXPORT_PAGE } from '../../src/reports/reports.service.js';

const it = appTest();
let shop: Shop;
const url = (q: string) => `${shop.base}/reports/sales${q}`;

async function orderAt(ctx: TestContext, lines: [string, number][], phone: string, at: string): Promise<string> {
  const order = await placeOrder(
    shop,
    lines,
    checkoutBody({ customer: { name: 'A', phone, address: { line1: 'x', city: 'Pune', pincode: '411001' } } }),
  );
  await ctx.testDb.db.query(`UPDATE orders SET created_at = $2 WHERE id = $1`, [order.id, at]);
  return order.id as string;
}

it.beforeAll(async ({ ctx }) => {
  shop = await openShop(ctx);
  const rice = await addProduct(shop, 'Rice 5 kg', 10000);
  const dal = await addProduct(shop, 'Toor dal', 2500);
  await orderAt(ctx, [[dal, 1]], '+919812340001', '2026-10-01T06:00:00Z'); // before the range: a returning customer
  await orderAt(ctx, [[rice, 2]], '+919812340001', '2026-11-10T20:00:00Z'); // 01:30 on 11 Nov in India
  await orderAt(ctx, [[dal, 1]], '+919812340002', '2026-11-11T05:00:00Z');
  const cancelled = await orderAt(ctx, [[dal, 4]], '+919812340003', '2026-11-12T06:00:00Z');
  const res = await shop.api.post(`${shop.base}/orders/${cancelled}/transitions`, { to: 'cancelled' });
  expect(res.status).toBe(200);
}, 180_000);

describe('sales report', () => {
  it('counts per day in the store time zone, leaves cancelled orders out of revenue and fills empty days', async () => {
    const res = await shop.api.get(url('?from=2026-11-10&to=2026-11-12'));
    expect(res.status).toBe(200);
    expect(res.body.days).toEqual([
      { date: '2026-11-10', orders: 0, revenue: 0, averageOrder: 0, cancelled: 0 },
      { date: '2026-11-11', orders: 2, revenue: 22500, averageOrder: 11250, cancelled: 0 },
      { date: '2026-11-12', orders: 0, revenue: 0, averageOrder: 0, cancelled: 1 },
    ]);
    expect(res.body.totals).toEqual({ orders: 2, revenue: 22500, averageOrder: 11250, cancelled: 1 });
    expect(res.body).toMatchObject({ from: '2026-11-10', to: '2026-11-12', timeZone: 'Asia/Kolkata', currency: 'INR' });
  });

  it('counts what an order cost its customer: a goodwill refund (waived) is not revenue', async ({ ctx }) => {
    const dal = await addProduct(shop, 'Moong dal', 4000);
    const id = await orderAt(ctx, [[dal, 1]], '+919812340004', '2025-06-15T06:00:00Z');
    expect((await shop.api.post(`${shop.base}/orders/${id}/payment`, { status: 'paid' })).status).toBe(200);
    const refund = await shop.api.post(`${shop.base}/orders/${id}/payment`, { status: 'refunded', amount: 500 });
    expect(refund.body).toMatchObject({ amountWaived: 500, balanceDue: 0, paymentStatus: 'paid' });
    const res = await shop.api.get(url('?from=2025-06-15&to=2025-06-15'));
    expect(res.body.days).toEqual([{ date: '2025-06-15', orders: 1, revenue: 3500, averageOrder: 3500, cancelled: 0 }]);
  });

  it('ranks the top products by revenue and by quantity, from counted orders only', async () => {
    const res = await shop.api.get(url('?from=2026-11-10&to=2026-11-12'));
    expect(
      res.body.topProducts.map((p: { name: string; quantity: number; revenue: number }) => [
        p.name,
        p.quantity,
        p.revenue,
      ]),
    ).toEqual([
      ['Rice 5 kg', 2, 20000],
      ['Toor dal', 1, 2500],
    ]);
    expect(res.body.topProductsByQuantity[0]).toMatchObject({ name: 'Rice 5 kg', quantity: 2 });
    expect(res.body.topProducts[0].productId).toEqual(expect.any(String));
  });

  it('tells new customers from returning ones by phone', async () => {
    const res = await shop.api.get(url('?from=2026-11-10&to=2026-11-12'));
    expect(res.body.customers).toEqual({ new: 1, returning: 1 });
    const october = await shop.api.get(url('?from=2026-10-01&to=2026-10-31'));
    expect(october.body.customers).toEqual({ new: 1, returning: 0 });
    expect(october.body.days).toHaveLength(31);
  });

  it('defaults to the last 30 days and answers bad dates with 400 validation_failed', async () => {
    const res = await shop.api.get(url(''));
    expect(res.status).toBe(200);
    expect(res.body.days).toHaveLength(30);
    for (const q of [
      '?from=2026-02-30',
      '?from=2026-11-12&to=2026-11-10',
      '?from=2020-01-01&to=2026-01-01',
      '?to=today',
      '?from=%00',
    ]) {
      const bad = await shop.api.get(url(q));
      expect.soft([bad.status, bad.body?.code], q).toEqual([400, 'validation_failed']);
    }
  });

  it('answers staff too, and outsiders 404', async ({ ctx }) => {
    const { signIn, uniquePhone } = await import('../helpers/app.js');
    const phone = uniquePhone();
    await shop.api.post(`${shop.base}/members`, { phone, role: 'staff' });
    const staff = await signIn(ctx, phone);
    expect((await staff.api.get(url('?from=2026-11-11&to=2026-11-11'))).body.totals.revenue).toBe(22500);
    const outsider = await signIn(ctx);
    expect((await outsider.api.get(url(''))).status).toBe(404);
  });
});

describe('orders export', () => {
  it('gives one CSV row per order line with the order figures, in local time, cancelled orders included', async () => {
    const res = await shop.api.get(`${shop.base}/orders/export?from=2026-11-10&to=2026-11-12`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toContain('orders-2026-11-10-2026-11-12.csv');
    const lines = res.text.trim().split('\n');
    expect(lines[0]?.replace(/^\ufeff/, '')).toBe(
      'order,placedAt,status,paymentStatus,paymentMethod,fulfillment,source,customerName,customerPhone,address,' +
        'city,pincode,product,size,hsn,unitPrice,quantity,lineTotal,subtotal,discount,deliveryFee,total,amountPaid,' +
        'coupon,currency',
    );
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe(
      '2,2026-11-11 01:30,placed,pending,cod,delivery,api,A,+919812340001,x,Pune,411001,' +
        'Rice 5 kg,Default,,100.00,2,200.00,200.00,0.00,0.00,200.00,0.00,,INR',
    );
    expect(lines[3]).toContain(',cancelled,');
  });

  it('pages through many orders and refuses bad ranges', async () => {
    const all = await shop.api.get(`${shop.base}/orders/export?from=2026-09-01&to=2026-11-30`);
    expect(all.text.trim().split('\n')).toHaveLength(5);
    const bad = await shop.api.get(`${shop.base}/orders/export?from=2026-11-31`);
    expect([bad.status, bad.body?.code]).toEqual([400, 'validation_failed']);
  });
});

describe('orders export across pages', () => {
  it('lists each order once when a page ends inside orders placed in the same microsecond', async ({ ctx }) => {
    const own = await openShop(ctx);
    const sugar = await addProduct(own, 'Sugar 1 kg', 5000);
    const placed = await placeOrder(own, [[sugar, 1]], checkoutBody());
    // Copies of the order, as one batched checkout writes them: one creation time, to the microsecond, beyond
    // the first page of the export (EXPORT_PAGE).
    const copies = EXPORT_PAGE + 20;
    await ctx.testDb.db.query(
      `WITH o AS (
         INSERT INTO orders (id, store_id, number, status, payment_method, fulfillment, subtotal, discount,
                             delivery_fee, total, customer, tracking_token, bill_rules, created_at)
         SELECT gen_random_uuid(), store_id, 1000 + g, status, payment_method, fulfillment, subtotal, discount,
                delivery_fee, total, customer, gen_random_uuid(), bill_rules, '2026-07-01T06:00:00.123456Z'
           FROM orders, generate_series(1, $2::int) g WHERE id = $1
         RETURNING id, store_id)
       INSERT INTO order_lines (order_id, store_id, variant_id, product_id, name, variant_name, unit_price,
                                quantity, line_total, position)
       SELECT o.id, o.store_id, l.variant_id, l.product_id, l.name, l.variant_name, l.unit_price, l.quantity,
              l.line_total, l.position
         FROM o, order_lines l WHERE l.order_id = $1`,
      [placed.id, copies],
    );
    const res = await own.api.get(`${own.base}/orders/export?from=2026-07-01&to=2026-07-01`);
    expect(res.status).toBe(200);
    const numbers = res.text
      .trim()
      .split('\n')
      .slice(1)
      .map((l: string) => l.split(',')[0]);
    expect(numbers).toHaveLength(copies);
    expect(new Set(numbers).size).toBe(copies);
  }, 120_000);
});

describe('new vs returning customers', () => {
  // A shop of its own: its orders must not show in the other tests' ranges.
  let other: Shop;
  let appCtx: TestContext;
  const at = async (phone: string, iso: string, cancel = false): Promise<string> => {
    const order = await placeOrder(
      other,
      [[product, 1]],
      checkoutBody({ customer: { name: 'B', phone, address: { line1: 'x', city: 'Pune', pincode: '411001' } } }),
    );
    await appCtx.testDb.db.query(`UPDATE orders SET created_at = $2 WHERE id = $1`, [order.id, iso]);
    if (cancel) await cancelOrder(order.id as string);
    return order.id as string;
  };
  const cancelOrder = async (id: string) => {
    const res = await other.api.post(`${other.base}/orders/${id}/transitions`, { to: 'cancelled' });
    expect(res.status).toBe(200);
  };
  const customers = async (from: string, to: string) =>
    (await other.api.get(`${other.base}/reports/sales?from=${from}&to=${to}`)).body.customers;
  let product: string;

  it('a customer is new in the period of their first counted order (cancelled ones left out)', async ({ ctx }) => {
    appCtx = ctx;
    other = await openShop(ctx);
    product = await addProduct(other, 'Sugar 1 kg', 5000);
    const early = await at('+919812350001', '2026-08-05T06:00:00Z'); // ordered before September: returning
    await at('+919812350001', '2026-09-10T06:00:00Z');
    await at('+919812350002', '2026-08-06T06:00:00Z', true); // the August order was cancelled: new in September
    await at('+919812350002', '2026-09-11T06:00:00Z');
    await at('+919812350003', '2026-09-12T06:00:00Z', true); // only a cancelled order: no customer at all
    await at('+919812350004', '2026-09-02T06:00:00Z'); // two orders in September: one new customer
    await at('+919812350004', '2026-09-20T06:00:00Z');
    expect(await customers('2026-09-01', '2026-09-30')).toEqual({ new: 2, returning: 1 });
    expect(await customers('2026-08-01', '2026-08-31')).toEqual({ new: 1, returning: 0 });
    expect(await customers('2026-09-15', '2026-09-30')).toEqual({ new: 0, returning: 1 });

    // The August order that made the first customer returning is cancelled: September is now their first.
    await cancelOrder(early);
    expect(await customers('2026-09-01', '2026-09-30')).toEqual({ new: 3, returning: 0 });
    expect(await customers('2026-08-01', '2026-08-31')).toEqual({ new: 0, returning: 0 });

    // What the trigger keeps equals the first counted order of each phone, computed from the orders themselves.
    const { rows } = await ctx.testDb.db.query<{ phone: string; kept: Date | null; computed: Date | null }>(
      `SELECT f.phone, c.first_order_at AS kept, f.first AS computed
         FROM (SELECT customer ->> 'phone' AS phone,
                      min(created_at) FILTER (WHERE status NOT IN ('rejected', 'cancelled')) AS first
                 FROM orders WHERE store_id = $1 GROUP BY 1) f
         LEFT JOIN store_customers c ON c.store_id = $1 AND c.phone = f.phone
        ORDER BY f.phone`,
      [other.storeId],
    );
    expect(rows).toHaveLength(4);
    for (const r of rows) expect(r.kept?.toISOString() ?? null, r.phone).toBe(r.computed?.toISOString() ?? null);
  }, 240_000); // eight checkouts on PGlite
});

describe('store_customers on an order written without the checkout', () => {
  it('an order inserted by hand (an import, a data fix) keeps the first order as the checkout does', async ({
    ctx,
  }) => {
    const own = await openShop(ctx);
    const sugar = await addProduct(own, 'Sugar 1 kg', 5000);
    const placed = await placeOrder(
      own,
      [[sugar, 1]],
      checkoutBody({
        customer: { name: 'C', phone: '+919812360001', address: { line1: 'x', city: 'Pune', pincode: '411001' } },
      }),
    );
    // A copy of the placed order under a new number, with its own status, customer and creation time.
    let number = 100;
    const copy = (status: string, customer: Record<string, unknown>, iso: string) =>
      ctx.testDb.db.query(
        `INSERT INTO orders (id, store_id, number, status, payment_method, fulfillment, subtotal, discount,
                             delivery_fee, total, customer, tracking_token, bill_rules, created_at)
         SELECT gen_random_uuid(), store_id, $2, $3, payment_method, fulfillment, subtotal, discount, delivery_fee,
                total, $4::jsonb, gen_random_uuid(), bill_rules, $5
           FROM orders WHERE id = $1`,
        [placed.id, number++, status, JSON.stringify(customer), iso],
      );
    const kept = async () =>
      (
        await ctx.testDb.db.query<{ phone: string; first_order_at: Date }>(
          `SELECT phone, first_order_at FROM store_customers WHERE store_id = $1 ORDER BY phone`,
          [own.storeId],
        )
      ).rows.map((r) => [r.phone, new Date(r.first_order_at).toISOString()]);
    const { rows } = await ctx.testDb.db.query<{ created_at: Date }>(`SELECT created_at FROM orders WHERE id = $1`, [
      placed.id,
    ]);
    const placedAt = new Date(rows[0]!.created_at).toISOString();
    expect(await kept()).toEqual([['+919812360001', placedAt]]);

    await copy('delivered', { name: 'C', phone: '+919812360001' }, '2026-01-05T06:00:00.000Z'); // earlier: first
    await copy('delivered', { name: 'C', phone: '+919812360001' }, '2099-01-05T06:00:00.000Z'); // later: no change
    await copy('cancelled', { name: 'D', phone: '+919812360002' }, '2026-01-06T06:00:00.000Z'); // not counted
    await copy('rejected', { name: 'E', phone: '+919812360003' }, '2026-01-07T06:00:00.000Z'); // not counted
    await copy('placed', { name: 'F' }, '2026-01-08T06:00:00.000Z'); // no phone: nobody to count
    await copy('accepted', { name: 'G', phone: '+919812360004' }, '2026-01-09T06:00:00.000Z');
    expect(await kept()).toEqual([
      ['+919812360001', '2026-01-05T06:00:00.000Z'],
      ['+919812360004', '2026-01-09T06:00:00.000Z'],
    ]);
  }, 120_000);
});

describe('top products of a renamed product', () => {
  it('are named as the latest order of the range names them, not by the alphabetically last name', async ({ ctx }) => {
    const own = await openShop(ctx);
    const created = await own.api.post(`${own.base}/products`, { name: 'Zeera 100 g', price: 4000 });
    expect(created.status).toBe(201);
    const variant = created.body.variants[0].id as string;
    const dated = async (at: string) => {
      const order = await placeOrder(own, [[variant, 1]], checkoutBody());
      await ctx.testDb.db.query(`UPDATE orders SET created_at = $2 WHERE id = $1`, [order.id, at]);
    };
    await dated('2026-08-01T06:00:00Z');
    const renamed = await own.api.patch(`${own.base}/products/${created.body.id}`, { name: 'Cumin (jeera) 100 g' });
    expect(renamed.status).toBe(200);
    await dated('2026-08-02T06:00:00Z');
    const res = await own.api.get(`${own.base}/reports/sales?from=2026-08-01&to=2026-08-02`);
    expect(res.status).toBe(200);
    expect(res.body.topProducts).toEqual([
      { productId: created.body.id, name: 'Cumin (jeera) 100 g', quantity: 2, revenue: 8000 },
    ]);
  }, 120_000);
});
