/**
 * A line put is one statement whose reads come from a snapshot taken before it waits for the cart's lock; when
 * another change to the same cart commits during that wait it must notice and look again, never write on stale
 * reads. On PostgreSQL these puts really overlap; on PGlite they interleave through its one connection.
 */
import { describe, expect } from 'vitest';
import { client, merchantWithStore, type Client, type TestContext } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import { createProduct } from '../helpers/fixtures.js';
import { MAX_CART_LINES } from '../../src/cart/cart.schema.js';

const it = appTest();
let shop: Client;
let storeId: string;
let slug: string;
it.beforeAll(async ({ ctx }) => {
  const m = await merchantWithStore(ctx);
  storeId = m.store.id;
  slug = m.store.slug;
  shop = client(ctx.app);
});

async function variants(ctx: TestContext, n: number): Promise<string[]> {
  const p = await createProduct(ctx.testDb.db, storeId, {
    variants: Array.from({ length: n }, (_, i) => ({ name: `V${i}`, price: 100 + i, stock: 50 })),
  });
  return p.variants.map((v) => v.id);
}
async function newCart(): Promise<string> {
  const res = await shop.post(`/api/v1/storefront/${slug}/carts`);
  expect(res.status).toBe(201);
  return res.body.id;
}
const put = (cartId: string, variantId: string, quantity: number) =>
  shop.put(`/api/v1/storefront/${slug}/carts/${cartId}/lines/${variantId}`, { quantity });
const linesIn = async (ctx: TestContext, cartId: string) =>
  (
    await ctx.testDb.db.query<{ variant_id: string; quantity: number }>(
      `SELECT variant_id, quantity FROM cart_lines WHERE cart_id = $1`,
      [cartId],
    )
  ).rows;

describe('concurrent line puts on one cart', () => {
  it('30 different lines put at once: every put lands, the cart holds all 30', async ({ ctx }) => {
    const ids = await variants(ctx, 30);
    const cartId = await newCart();
    const results = await Promise.all(ids.map((id, i) => put(cartId, id, i + 1)));
    expect(results.map((r) => r.status)).toEqual(ids.map(() => 200));
    const lines = await linesIn(ctx, cartId);
    expect(lines).toHaveLength(30);
    for (const [i, id] of ids.entries()) expect(lines.find((l) => l.variant_id === id)?.quantity).toBe(i + 1);
  });

  it(`the ${MAX_CART_LINES}-line cap holds when new lines race for the last place: exactly one gets it`, async ({
    ctx,
  }) => {
    const ids = await variants(ctx, MAX_CART_LINES + 5);
    const cartId = await newCart();
    for (const id of ids.slice(0, MAX_CART_LINES - 1)) expect((await put(cartId, id, 1)).status).toBe(200);
    const racing = await Promise.all(ids.slice(MAX_CART_LINES - 1).map((id) => put(cartId, id, 1)));
    expect(racing.filter((r) => r.status === 200)).toHaveLength(1);
    const refused = racing.filter((r) => r.status !== 200);
    expect(refused).toHaveLength(5);
    for (const r of refused) expect(r.body.errors[0].code).toBe('too_many_lines');
    expect(await linesIn(ctx, cartId)).toHaveLength(MAX_CART_LINES);
  });

  it('a put racing the checkout of its cart either lands before the order (and is in it) or is refused', async ({
    ctx,
  }) => {
    const [a, b] = await variants(ctx, 2);
    const cartId = await newCart();
    expect((await put(cartId, a!, 1)).status).toBe(200);
    const [order, change] = await Promise.all([
      shop.post(`/api/v1/storefront/${slug}/carts/${cartId}/checkout`, {
        customer: {
          name: 'Ravi',
          phone: '+919812345678',
          address: { line1: '1 Main Rd', city: 'Pune', pincode: '411001' },
        },
        paymentMethod: 'cod',
      }),
      put(cartId, b!, 2),
    ]);
    expect(order.status).toBe(201);
    if (change.status === 200)
      expect(order.body.lines.map((l: { variantId: string }) => l.variantId).sort()).toEqual([a, b].sort());
    else {
      expect(change.status).toBe(409);
      expect(change.body.code).toBe('cart_already_ordered');
      expect(order.body.lines.map((l: { variantId: string }) => l.variantId)).toEqual([a]);
    }
  });
});
