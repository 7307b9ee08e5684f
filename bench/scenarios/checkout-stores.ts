/**
 * Checkout across many shops: the same customer flow as `checkout` (new cart, 3 different lines, checkout), spread
 * over up to 200 stores with a hot-store skew — 20 % of customers shop at the `bench` store, the rest at one of the
 * others chosen at random. Nothing should serialise across stores, so the rate should be at least the one-store
 * figure. The chosen stores are made ready for the flow first (open, pickup and cash on delivery offered, no minimum
 * order) and their chosen variants given plentiful stock — bench data only.
 */
import { unlessBroken } from '../lib/load.js';
import { checkoutFlowResult, measureCounted, notRunnable, probe, type Scenario } from '../lib/scenario.js';
import { runAlone } from '../run-alone.js';
import { poolOf } from '../lib/scenario.js';
import { FLASH_PRODUCT_SLUG, PLENTIFUL_STOCK } from '../seed.js';
import { checkoutBody, lineQuantity } from './checkout.js';

export const TITLE = 'Checkout, many stores (200, 20 % on one)';
export const STORES = 200;
export const HOT_SHARE = 0.2;
const VARIANTS_PER_STORE = 20;

interface ShopPick {
  slug: string;
  variants: string[];
}

/** The hot store 20 % of the time, else one of the others uniformly: `r` is a uniform draw in [0, 1). */
export function pickStore<T>(hot: T, others: readonly T[], r: number, hotShare = HOT_SHARE): T {
  if (!others.length || r < hotShare) return hot;
  const i = Math.floor(((r - hotShare) / (1 - hotShare)) * others.length);
  return others[Math.min(i, others.length - 1)]!;
}

export const checkoutStores: Scenario = async (env) => {
  const { rows } = await poolOf(env).query<{ id: string; slug: string; variants: string[] }>(
    `SELECT s.id, s.slug, v.variants
       FROM stores s
       CROSS JOIN LATERAL (
         SELECT array_agg(x.id) AS variants FROM (
           SELECT v.id FROM variants v JOIN products p ON p.id = v.product_id
            WHERE v.store_id = s.id AND v.archived_at IS NULL AND p.archived_at IS NULL AND p.is_active
              AND p.slug <> $4
            ORDER BY v.id LIMIT $2) x) v
      WHERE s.slug <> $3 AND cardinality(v.variants) >= 3
      ORDER BY s.id LIMIT $1`,
    [STORES - 1, VARIANTS_PER_STORE, env.store.slug, FLASH_PRODUCT_SLUG],
  );
  const others: ShopPick[] = rows.map((r) => ({ slug: r.slug, variants: r.variants }));
  const hot: ShopPick = { slug: env.store.slug, variants: env.store.variantIds };
  if (rows.length) {
    await poolOf(env).query(
      `UPDATE stores SET is_open = true, pickup = true, cod = true, min_order = NULL WHERE id = ANY($1::uuid[])`,
      [rows.map((r) => r.id)],
    );
    await poolOf(env).query(`UPDATE variants SET stock = $2 WHERE id = ANY($1::uuid[])`, [
      rows.flatMap((r) => r.variants),
      PLENTIFUL_STOCK,
    ]);
  }
  const storeCount = others.length + 1;

  // Is the flow there at all, in one of the other stores?
  const sample = others[0] ?? hot;
  const created = await probe(env.baseUrl, 'POST', `/api/v1/storefront/${sample.slug}/carts`);
  if (created.status !== 201)
    return notRunnable('checkout-stores', TITLE, 'tpcb', `POST /api/v1/storefront/${sample.slug}/carts`, created);
  const cartId = (JSON.parse(created.text) as { id: string }).id;
  const put = await probe(
    env.baseUrl,
    'PUT',
    `/api/v1/storefront/${sample.slug}/carts/${cartId}/lines/${sample.variants[0]}`,
    { quantity: 1 },
  );
  if (put.status !== 200) return notRunnable('checkout-stores', TITLE, 'tpcb', 'PUT .../lines/{variantId}', put);
  const p = await probe(
    env.baseUrl,
    'POST',
    `/api/v1/storefront/${sample.slug}/carts/${cartId}/checkout`,
    checkoutBody(),
    { 'idempotency-key': crypto.randomUUID() },
  );
  if (p.status !== 201)
    return notRunnable('checkout-stores', TITLE, 'tpcb', `POST /api/v1/storefront/{slug}/carts/{id}/checkout`, p);

  const shopOf = (ctx: Record<string, unknown>) => ctx.shop as ShopPick;
  const line = (i: number) => ({
    name: 'put line',
    method: 'PUT' as const,
    path: unlessBroken((ctx) => {
      if (i === 0) {
        const chosen = new Set<string>();
        const variants = shopOf(ctx).variants;
        while (chosen.size < 3) chosen.add(variants[Math.floor(Math.random() * variants.length)]!);
        ctx.variants = [...chosen];
      }
      const variant = (ctx.variants as string[])[i];
      return `/api/v1/storefront/${shopOf(ctx).slug}/carts/${ctx.cart as string}/lines/${variant}`;
    }),
    body: () => ({ quantity: lineQuantity() }),
  });
  let hotCheckouts = 0;
  const measured = await measureCounted(env, [
    {
      name: 'create cart',
      method: 'POST',
      path: (ctx) => {
        ctx.shop = pickStore(hot, others, Math.random());
        return `/api/v1/storefront/${shopOf(ctx).slug}/carts`;
      },
      read: (body, ctx) => {
        ctx.cart = (JSON.parse(body) as { id: string }).id;
      },
    },
    line(0),
    line(1),
    line(2),
    {
      name: 'checkout',
      method: 'POST',
      path: unlessBroken((ctx) => {
        if (shopOf(ctx) === hot) hotCheckouts++;
        return `/api/v1/storefront/${shopOf(ctx).slug}/carts/${ctx.cart as string}/checkout`;
      }),
      headers: () => ({ 'idempotency-key': crypto.randomUUID() }),
      body: checkoutBody,
    },
  ]);
  const done = measured.load.steps.get('checkout')!;
  return checkoutFlowResult('checkout-stores', TITLE, measured, 'customer (new cart, 3 lines, checkout)', [
    `${storeCount} stores (${others.length} besides \`${hot.slug}\`), ` +
      `${Math.round(HOT_SHARE * 100)} % of customers ` +
      `at \`${hot.slug}\`: ${hotCheckouts} of ${done.ok + done.errors + done.expected} checkouts sent there`,
  ]);
};

await runAlone(import.meta.url, 'checkout-stores', checkoutStores);
