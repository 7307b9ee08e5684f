/**
 * Flash sale: --flash-customers (500) customers, each with a cart holding one unit of the same variant, check out
 * at the same moment on their own connections; --flash-stock (100) units exist. Exactly that many orders must be
 * placed (counted in the database, not from the answers), every other customer refused with a 409, nothing else.
 */
import { runLoad } from '../lib/load.js';
import { fmtRate } from '../lib/stats.js';
import {
  countDbWork,
  cycler,
  notRunnable,
  workPerFlow,
  type DbTotal,
  prepareCarts,
  probe,
  type FlashRound,
  type Scenario,
} from '../lib/scenario.js';
import { mergeProfiles } from '../lib/dbprofile.js';
import { runAlone } from '../run-alone.js';
import { checkoutBody } from './checkout.js';

export const TITLE = 'Flash sale (one variant, everyone at once)';

async function unitsSold(env: Parameters<Scenario>[0], variantId: string): Promise<number | null> {
  // Embedded: the orders are out of reach, the stock is not (what was sold is what the stock lost).
  if (!env.pool) return null;
  const { rows } = await env.pool.query<{ sold: number }>(
    `SELECT coalesce(sum(ol.quantity), 0)::int AS sold FROM order_lines ol JOIN orders o ON o.id = ol.order_id
      WHERE ol.variant_id = $1 AND o.status NOT IN ('rejected', 'cancelled')`,
    [variantId],
  );
  return rows[0]!.sold;
}

async function setStock(env: Parameters<Scenario>[0], variantId: string, stock: number): Promise<void> {
  if (env.pool) await env.pool.query(`UPDATE variants SET stock = $2 WHERE id = $1`, [variantId, stock]);
  else await env.stockApi!.setStock(variantId, stock);
}

async function stockOf(env: Parameters<Scenario>[0], variantId: string): Promise<number | null> {
  if (!env.pool) return env.stockApi!.stockOf(variantId);
  const { rows } = await env.pool.query<{ stock: number | null }>(`SELECT stock FROM variants WHERE id = $1`, [
    variantId,
  ]);
  return rows[0]?.stock ?? null;
}

function sumTotals(all: readonly DbTotal[]): DbTotal {
  const sum = (pick: (t: DbTotal['total']) => number) => all.reduce((acc, t) => acc + pick(t.total), 0);
  const statements = all.every((t) => t.total.statements !== null) ? sum((t) => t.statements ?? 0) : null;
  return {
    total: {
      commits: sum((t) => t.commits),
      rollbacks: sum((t) => t.rollbacks),
      walRecords: sum((t) => t.walRecords),
      walBytes: sum((t) => t.walBytes),
      walWrites: sum((t) => t.walWrites),
      walFlushes: sum((t) => t.walFlushes),
      statements,
    },
    statementsNote: all.find((t) => t.statementsNote)?.statementsNote,
    ...(all.every((t) => t.profile) ? { profile: mergeProfiles(all.map((t) => t.profile!)) } : {}),
  };
}

export const flash: Scenario = async (env) => {
  const { slug, flashVariantId } = env.store;
  const customers = env.opts.flashCustomers;
  const stock = env.opts.flashStock;

  // Is there a checkout at all? Probe with a plentiful variant, so the sale's own stock is untouched.
  let probeCart: string;
  try {
    [probeCart] = (await prepareCarts(env, 1, () => [{ variantId: env.store.variantIds[0]!, quantity: 1 }])) as [
      string,
    ];
  } catch (err) {
    return {
      name: 'flash',
      title: TITLE,
      ceiling: null,
      state: 'failed',
      note: `preparing a cart failed: ${(err as Error).message}`,
    };
  }
  const p = await probe(env.baseUrl, 'POST', `/api/v1/storefront/${slug}/carts/${probeCart}/checkout`, checkoutBody(), {
    'idempotency-key': crypto.randomUUID(),
  });
  if (p.status !== 201)
    return notRunnable('flash', TITLE, null, `POST /api/v1/storefront/${slug}/carts/{id}/checkout`, p);

  const rounds: FlashRound[] = [];
  const dbTotals: DbTotal[] = [];
  let last: Awaited<ReturnType<typeof runLoad>> | undefined;
  for (let round = 0; round < env.opts.flashRounds; round++) {
    await setStock(env, flashVariantId, stock);
    const before = await unitsSold(env, flashVariantId);
    const carts = await prepareCarts(env, customers, () => [{ variantId: flashVariantId, quantity: 1 }], 32);
    const nextCart = cycler(carts);
    const { result: load, db } = await countDbWork(env, () =>
      runLoad({
        url: env.baseUrl,
        connections: customers,
        amount: customers,
        serverPid: env.serverPid,
        timeoutSeconds: 30,
        steps: [
          {
            name: 'checkout',
            method: 'POST',
            path: () => `/api/v1/storefront/${slug}/carts/${nextCart()}/checkout`,
            headers: () => ({ 'idempotency-key': crypto.randomUUID() }),
            body: checkoutBody,
            expected: (status) => status === 409,
          },
        ],
      }),
    );
    if (db) dbTotals.push(db);
    const stockLeft = await stockOf(env, flashVariantId);
    const after = await unitsSold(env, flashVariantId);
    const sold = after !== null && before !== null ? after - before : stock - (stockLeft ?? stock);
    const step = load.steps.get('checkout')!;
    rounds.push({
      customers,
      sold,
      okAnswers: step.ok,
      refused: step.expected,
      errors: step.errors + load.socketErrors + load.timeouts,
      stockLeft,
      burstSeconds: load.seconds,
      sellOutSeconds: step.lastOkAt ? (step.lastOkAt - load.startedAt) / 1000 : NaN,
      statuses:
        step.statuses.toString() +
        (load.socketErrors ? `, ${load.socketErrors} socket errors` : '') +
        (load.timeouts ? `, ${load.timeouts} timeouts` : ''),
    });
    last = load;
  }
  // The ceiling of this measure on this machine: the same burst of fresh connections, each sending one request that
  // does no work (GET /healthz), timed the same way. Opening 500 connections through the pool is part of "all
  // answered", so no sale can sell `stock` units faster than stock ÷ this.
  const noopSeconds: number[] = [];
  for (let round = 0; round < env.opts.flashRounds; round++) {
    const noop = await runLoad({
      url: env.baseUrl,
      serverPid: env.serverPid,
      connections: customers,
      amount: customers,
      timeoutSeconds: 30,
      steps: [{ name: 'healthz', method: 'GET', path: () => '/healthz' }],
    });
    noopSeconds.push(noop.seconds);
  }
  const bestNoop = Math.min(...noopSeconds);
  const exact = rounds.every((r) => r.sold === stock && r.stockLeft === 0);
  const clean = rounds.every((r) => r.okAnswers === r.sold && r.errors === 0);
  const ordersPerSecond = Math.min(...rounds.map((r) => r.sold / r.burstSeconds));
  const problems: string[] = [];
  for (const [i, r] of rounds.entries()) {
    if (r.sold !== stock || r.stockLeft !== 0)
      problems.push(`round ${i + 1}: ${r.sold} sold in the database (expected ${stock}), stock left ${r.stockLeft}`);
    if (r.okAnswers !== r.sold)
      problems.push(`round ${i + 1}: ${r.sold} orders placed but ${r.okAnswers} customers told so (201)`);
    if (r.errors) problems.push(`round ${i + 1}: ${r.errors} error answers (${r.statuses})`);
  }
  return {
    name: 'flash',
    title: TITLE,
    state: 'ok',
    ceiling: null,
    headline: { label: 'orders/s', value: ordersPerSecond },
    load: last,
    focus: last?.steps.get('checkout'),
    flash: rounds,
    db: workPerFlow(
      dbTotals.length ? sumTotals(dbTotals) : null,
      customers * rounds.length,
      'flash-sale customer (all rounds)',
    ),
    flashCeiling: { seconds: bestNoop, ordersPerSecond: stock / bestNoop },
    note:
      exact && clean
        ? undefined
        : `${exact ? `exactly ${stock} sold every round, but ` : 'NOT EXACT: '}${problems.join('; ')}`,
    details: [
      ...rounds.map(
        (r, i) =>
          `round ${i + 1}: ${r.customers} customers, ${r.sold} sold (database), answers ${r.statuses}, ` +
          `stock left ${r.stockLeft}; all answered in ${r.burstSeconds.toFixed(2)} s, ` +
          `sold out after ${r.sellOutSeconds.toFixed(2)} s`,
      ),
      `ceiling of this measure: the same burst of ${customers} fresh connections to GET /healthz (no work) ` +
        `was all answered in ${noopSeconds.map((x) => x.toFixed(2)).join(' / ')} s, ` +
        `so ${stock} units cannot sell faster than ${fmtRate(stock / bestNoop)} orders/s here`,
    ],
  };
};

await runAlone(import.meta.url, 'flash', flash);
