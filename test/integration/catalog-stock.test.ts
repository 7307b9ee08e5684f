import { describe, expect } from 'vitest';
import { merchantWithStore, type TestContext } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';

const it = appTest();

type Owner = Awaited<ReturnType<typeof merchantWithStore>>;
let owner: Owner;
let other: Owner;

it.beforeAll(async ({ ctx }) => {
  owner = await merchantWithStore(ctx);
  other = await merchantWithStore(ctx);
});

const base = (m: Owner = owner) => `/api/v1/stores/${m.store.id}`;
const UNKNOWN_ID = '0195f4c2-0000-7000-8000-00000000abcd';
const MAX_STOCK = 1_000_000_000;

async function variantWithStock(
  stock: number | null,
  m: Owner = owner,
): Promise<{ productId: string; variantId: string }> {
  const res = await m.api.post(`${base(m)}/products`, {
    name: `Stocked ${Math.random().toString(36).slice(2, 8)}`,
    price: 1000,
    stock,
  });
  expect(res.status).toBe(201);
  return { productId: res.body.id, variantId: res.body.variants[0].id };
}

const stockOf = async (ctx: TestContext, variantId: string): Promise<number | null> =>
  (await ctx.testDb.db.query<{ stock: number | null }>(`SELECT stock FROM variants WHERE id = $1`, [variantId]))
    .rows[0]!.stock;

const change = (variantId: string, body: unknown, m: Owner = owner, headers?: Record<string, string>) =>
  m.api.post(`${base(m)}/variants/${variantId}/stock`, body, headers);

describe('stock', () => {
  it('sets and adjusts stock, answering the new value', async ({ ctx }) => {
    const { variantId } = await variantWithStock(5);
    let res = await change(variantId, { set: 10 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ stock: 10 });
    res = await change(variantId, { adjust: 5 });
    expect(res.body).toEqual({ stock: 15 });
    res = await change(variantId, { adjust: -15 });
    expect(res.body).toEqual({ stock: 0 });
    res = await change(variantId, { adjust: 0 });
    expect(res.body).toEqual({ stock: 0 });
    expect(await stockOf(ctx, variantId)).toBe(0);
  });

  it('refuses to go below zero with 409 insufficient_stock and says how many are left', async ({ ctx }) => {
    const { variantId } = await variantWithStock(3);
    const res = await change(variantId, { adjust: -4 });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('insufficient_stock');
    expect(res.body.errors).toEqual([expect.objectContaining({ code: 'insufficient_stock', variantId, available: 3 })]);
    expect(await stockOf(ctx, variantId)).toBe(3);
  });

  it('adjusting untracked stock is a 409 conflict; set starts and stops tracking', async ({ ctx }) => {
    const { variantId, productId } = await variantWithStock(null);
    const res = await change(variantId, { adjust: -1 });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('conflict');
    expect(res.body.detail).toMatch(/not tracked/);
    expect(await stockOf(ctx, variantId)).toBeNull();
    expect((await change(variantId, { set: 7 })).body).toEqual({ stock: 7 });
    expect((await change(variantId, { adjust: -2 })).body).toEqual({ stock: 5 });
    expect((await change(variantId, { set: null })).body).toEqual({ stock: null });
    const product = await owner.api.get(`${base()}/products/${productId}`);
    expect(product.body.variants[0].stock).toBeNull();
  });

  it('keeps stock within 0..1e9', async () => {
    const { variantId } = await variantWithStock(MAX_STOCK - 1);
    expect((await change(variantId, { adjust: 1 })).body).toEqual({ stock: MAX_STOCK });
    const over = await change(variantId, { adjust: 1 });
    expect(over.status).toBe(422);
    expect(over.body.code).toBe('validation_failed');
    expect((await change(variantId, { adjust: -MAX_STOCK })).body).toEqual({ stock: 0 });
    expect((await change(variantId, { set: MAX_STOCK })).body).toEqual({ stock: MAX_STOCK });
  });

  it('rejects a malformed body with 400 validation_failed and changes nothing', async ({ ctx }) => {
    const { variantId } = await variantWithStock(5);
    for (const body of [
      {},
      { set: 1, adjust: 1 },
      { set: -1 },
      { set: 1.5 },
      { set: '5' },
      { set: MAX_STOCK + 1 },
      { adjust: 1.5 },
      { adjust: '-1' },
      { adjust: null },
      { adjust: MAX_STOCK + 1 },
      { adjust: -MAX_STOCK - 1 },
      { stock: 5 },
      { set: 5, note: 'x'.repeat(10_240) },
      [],
      null,
    ]) {
      const res = await change(variantId, body);
      expect(res.status, JSON.stringify(body)?.slice(0, 80)).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    expect(await stockOf(ctx, variantId)).toBe(5);
  });

  it("answers 404 for unknown, archived, and other stores' variants", async ({ ctx }) => {
    for (const id of [UNKNOWN_ID, 'not-a-uuid']) {
      const res = await change(id, { set: 1 });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
    const archivedProduct = await variantWithStock(5);
    await owner.api.delete(`${base()}/products/${archivedProduct.productId}`);
    expect((await change(archivedProduct.variantId, { adjust: -1 })).status).toBe(404);
    expect((await change(archivedProduct.variantId, { set: 1 })).status).toBe(404);
    expect(await stockOf(ctx, archivedProduct.variantId)).toBe(5);

    const twoVariants = await owner.api.post(`${base()}/products`, {
      name: 'Two sizes',
      variants: [
        { name: 'S', price: 1, stock: 2 },
        { name: 'L', price: 2, stock: 2 },
      ],
    });
    const archivedVariant = twoVariants.body.variants[0].id;
    await owner.api.delete(`${base()}/products/${twoVariants.body.id}/variants/${archivedVariant}`);
    expect((await change(archivedVariant, { adjust: -1 })).status).toBe(404);

    const mine = await variantWithStock(5);
    for (const body of [{ set: 0 }, { adjust: -5 }]) {
      const asOther = await change(mine.variantId, body, other);
      expect(asOther.status).toBe(404);
      // Their own store path with this store's variant: not theirs either.
      const viaOwnStore = await other.api.post(`${base(other)}/variants/${mine.variantId}/stock`, body);
      expect(viaOwnStore.status).toBe(404);
      expect(viaOwnStore.body.code).toBe('not_found');
    }
    expect(await stockOf(ctx, mine.variantId)).toBe(5);
  });

  it('50 parallel adjust -1 on a stock of 20: exactly 20 succeed and the stock ends at 0', async ({ ctx }) => {
    const { variantId } = await variantWithStock(20);
    const results = await Promise.all(Array.from({ length: 50 }, () => change(variantId, { adjust: -1 })));
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 409);
    expect(ok).toHaveLength(20);
    expect(refused).toHaveLength(30);
    expect(refused.every((r) => r.body.code === 'insufficient_stock')).toBe(true);
    // Every success saw a distinct remaining count: 19, 18, …, 0.
    expect(ok.map((r) => r.body.stock).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(await stockOf(ctx, variantId)).toBe(0);
  });

  it('parallel +1 and -1 adjustments never lose an update', async ({ ctx }) => {
    const { variantId } = await variantWithStock(100);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => change(variantId, { adjust: i % 2 === 0 ? 3 : -1 })),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(await stockOf(ctx, variantId)).toBe(100 + 20 * 3 - 20);
  });

  it('a retried adjustment with the same Idempotency-Key is applied once', async ({ ctx }) => {
    const { variantId } = await variantWithStock(10);
    const headers = { 'idempotency-key': `stock-${variantId}` };
    const first = await change(variantId, { adjust: -3 }, owner, headers);
    const again = await change(variantId, { adjust: -3 }, owner, headers);
    expect(first.body).toEqual({ stock: 7 });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ stock: 7 });
    expect(await stockOf(ctx, variantId)).toBe(7);
  });
});
