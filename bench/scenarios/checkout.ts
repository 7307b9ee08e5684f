/**
 * Checkout: each virtual customer creates a cart, puts 3 different lines, and checks out (cash on delivery, pickup,
 * an Idempotency-Key as a careful client sends). Every loop is a new customer with a unique cart; stock is
 * plentiful, so every checkout must succeed.
 */
import { unlessBroken } from '../lib/load.js';
import {
  checkoutFlowResult,
  measureCounted,
  notRunnable,
  prepareCarts,
  probe,
  randomPhone,
  type Scenario,
} from '../lib/scenario.js';
import { runAlone } from '../run-alone.js';

export const TITLE = 'Checkout (new cart, 3 lines, order)';

export function checkoutBody(): unknown {
  return { customer: { name: 'Bench Customer', phone: randomPhone() }, fulfillment: 'pickup', paymentMethod: 'cod' };
}

/** The quantity of each line a customer puts: 1 to 3. */
export const lineQuantity = (): number => 1 + Math.floor(Math.random() * 3);

/** Three different variants of these, at random. */
export function threeVariants(variants: readonly string[]): string[] {
  const chosen = new Set<string>();
  while (chosen.size < 3) chosen.add(variants[Math.floor(Math.random() * variants.length)]!);
  return [...chosen];
}

export const checkout: Scenario = async (env) => {
  const slug = env.store.slug;
  const pick3 = () => threeVariants(env.store.variantIds);
  let probeCart: string;
  try {
    [probeCart] = (await prepareCarts(env, 1, () => pick3().map((variantId) => ({ variantId, quantity: 1 })))) as [
      string,
    ];
  } catch (err) {
    return {
      name: 'checkout',
      title: TITLE,
      ceiling: 'tpcb',
      state: 'failed',
      note: `preparing a cart failed: ${(err as Error).message}`,
    };
  }
  const p = await probe(env.baseUrl, 'POST', `/api/v1/storefront/${slug}/carts/${probeCart}/checkout`, checkoutBody(), {
    'idempotency-key': crypto.randomUUID(),
  });
  if (p.status !== 201)
    return notRunnable('checkout', TITLE, 'tpcb', `POST /api/v1/storefront/${slug}/carts/{id}/checkout`, p);

  const line = (i: number) => ({
    name: 'put line',
    method: 'PUT' as const,
    path: unlessBroken((ctx) => {
      if (i === 0) ctx.variants = pick3();
      return `/api/v1/storefront/${slug}/carts/${ctx.cart as string}/lines/${(ctx.variants as string[])[i]}`;
    }),
    body: () => ({ quantity: lineQuantity() }),
  });
  const measured = await measureCounted(env, [
    {
      name: 'create cart',
      method: 'POST',
      path: () => `/api/v1/storefront/${slug}/carts`,
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
      path: unlessBroken((ctx) => `/api/v1/storefront/${slug}/carts/${ctx.cart as string}/checkout`),
      headers: () => ({ 'idempotency-key': crypto.randomUUID() }),
      body: checkoutBody,
    },
  ]);
  return checkoutFlowResult('checkout', TITLE, measured, 'customer (new cart, 3 lines, checkout)');
};

await runAlone(import.meta.url, 'checkout', checkout);
