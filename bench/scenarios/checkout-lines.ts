/**
 * Checkout with the cart created with its lines: each virtual customer creates a cart holding 3 different lines in
 * ONE request (`POST .../carts` with `lines`), then checks out as in `checkout` (cash on delivery, pickup, an
 * Idempotency-Key). Two requests per customer instead of five: what a client that knows the whole list up front (a
 * shared list, a reorder, a chat order) pays. Unique carts, plentiful stock: every checkout must succeed.
 */
import { unlessBroken } from '../lib/load.js';
import { checkoutFlowResult, measureCounted, notRunnable, probe, type Scenario } from '../lib/scenario.js';
import { runAlone } from '../run-alone.js';
import { checkoutBody, lineQuantity, threeVariants } from './checkout.js';

export const TITLE = 'Checkout, cart created with its lines (2 requests)';

const linesBody = (variants: readonly string[]) => ({
  lines: threeVariants(variants).map((variantId) => ({ variantId, quantity: lineQuantity() })),
});

export const checkoutLines: Scenario = async (env) => {
  const slug = env.store.slug;
  const created = await probe(env.baseUrl, 'POST', `/api/v1/storefront/${slug}/carts`, linesBody(env.store.variantIds));
  if (created.status !== 201)
    return notRunnable('checkout-lines', TITLE, 'tpcb', `POST /api/v1/storefront/${slug}/carts with lines`, created);
  const cartId = (JSON.parse(created.text) as { id: string }).id;
  const p = await probe(env.baseUrl, 'POST', `/api/v1/storefront/${slug}/carts/${cartId}/checkout`, checkoutBody(), {
    'idempotency-key': crypto.randomUUID(),
  });
  if (p.status !== 201)
    return notRunnable('checkout-lines', TITLE, 'tpcb', `POST /api/v1/storefront/${slug}/carts/{id}/checkout`, p);

  const measured = await measureCounted(env, [
    {
      name: 'create cart with 3 lines',
      method: 'POST',
      path: () => `/api/v1/storefront/${slug}/carts`,
      body: () => linesBody(env.store.variantIds),
      read: (body, ctx) => {
        ctx.cart = (JSON.parse(body) as { id: string }).id;
      },
    },
    {
      name: 'checkout',
      method: 'POST',
      path: unlessBroken((ctx) => `/api/v1/storefront/${slug}/carts/${ctx.cart as string}/checkout`),
      headers: () => ({ 'idempotency-key': crypto.randomUUID() }),
      body: checkoutBody,
    },
  ]);
  return checkoutFlowResult('checkout-lines', TITLE, measured, 'customer (cart with 3 lines, checkout)');
};

await runAlone(import.meta.url, 'checkout-lines', checkoutLines);
