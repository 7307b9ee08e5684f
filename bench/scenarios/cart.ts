/**
 * Cart update: put a line (a write transaction under the cart's row lock), then read the bill. Each customer works
 * on carts of its own from a pool made beforehand; a cart never passes 30 lines.
 */
import {
  cycler,
  measureCounted,
  notRunnable,
  workPerFlow,
  prepareCarts,
  probe,
  type Scenario,
} from '../lib/scenario.js';
import { runAlone } from '../run-alone.js';

export const TITLE = 'Cart: put a line + read the bill';

export const cart: Scenario = async (env) => {
  const slug = env.store.slug;
  const first = await probe(env.baseUrl, 'POST', `/api/v1/storefront/${slug}/carts`);
  if (first.status !== 201) return notRunnable('cart', TITLE, 'tpcb', `POST /api/v1/storefront/${slug}/carts`, first);
  const firstId = (JSON.parse(first.text) as { id: string }).id;
  const line = await probe(
    env.baseUrl,
    'PUT',
    `/api/v1/storefront/${slug}/carts/${firstId}/lines/${env.store.variantIds[0]}`,
    { quantity: 1 },
  );
  if (line.status !== 200) return notRunnable('cart', TITLE, 'tpcb', 'PUT .../carts/{id}/lines/{variantId}', line);

  const variants = [...env.store.variantIds].sort(() => Math.random() - 0.5).slice(0, 30);
  const carts = await prepareCarts(env, env.opts.connections * 2, () => []);
  const nextCart = cycler(carts);
  const { load, db } = await measureCounted(env, [
    {
      name: 'put line',
      method: 'PUT',
      path: (ctx) => {
        ctx.cart = nextCart();
        return `/api/v1/storefront/${slug}/carts/${ctx.cart as string}/lines/${variants[Math.floor(Math.random() * variants.length)]}`;
      },
      body: () => ({ quantity: 1 + Math.floor(Math.random() * 5) }),
    },
    { name: 'get cart', method: 'GET', path: (ctx) => `/api/v1/storefront/${slug}/carts/${ctx.cart as string}` },
  ]);
  const put = load.steps.get('put line')!;
  const get = load.steps.get('get cart')!;
  const bad = load.errors + load.socketErrors + load.timeouts;
  return {
    name: 'cart',
    title: TITLE,
    state: 'ok',
    ceiling: 'tpcb',
    headline: { label: 'line puts/s', value: put.ok / load.seconds },
    load,
    focus: put,
    db: workPerFlow(db, put.ok, 'line put + bill'),
    note: bad ? `${bad} failed answers (${load.statuses.toString()})` : undefined,
    details: [
      `put line: ${put.rate.toFixed(0)}/s, p50 ${put.latency.p50.toFixed(2)} ms, p99 ${put.latency.p99.toFixed(2)} ms; ` +
        `get cart: ${get.rate.toFixed(0)}/s, p50 ${get.latency.p50.toFixed(2)} ms, p99 ${get.latency.p99.toFixed(2)} ms`,
      `${carts.length} carts in rotation, 30 different variants`,
    ],
  };
};

await runAlone(import.meta.url, 'cart', cart);
