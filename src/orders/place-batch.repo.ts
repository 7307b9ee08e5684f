import type { Queryable } from '../db/db.js';
import { KeptTexts, SqlParams, type SqlType } from '../db/params.js';
import { CART_STAMP_SQL } from '../cart/cart.repo.js';
import { newId } from '../shared/ids.js';
import {
  fillAnswerSlotsSql,
  type NewOrderLine,
  type PlacedOrderMessage,
  type PlacedOrderRecord,
  type PlaceOrderResult,
  type UnnumberedOrder,
} from './orders.repo.js';

/**
 * One checkout of a batch: what `placeOrder` takes after the handle (its store is the order's). Orders with a
 * coupon are placed alone.
 */
export interface BatchOrder {
  order: UnnumberedOrder;
  cartStamp: number;
  lines: readonly NewOrderLine[];
  moves: readonly { variantId: string; quantity: number }[];
  messages: readonly { message: PlacedOrderMessage; audience: 'store' | 'customer' }[];
  record: PlacedOrderRecord | null;
}

/**
 * What the batch statement did with one order: `retry` — neither placed nor refused; place it alone. `skipped` —
 * (skipLocked only) a row of its store was held by another transaction: its store's orders were left as they were.
 */
export type BatchOutcome = PlaceOrderResult | 'retry' | 'skipped';

interface OutcomeRow {
  ord: number;
  outcome: 'placed' | 'short' | 'changed' | 'retry' | 'skipped';
  number: number | null;
  created_at: Date | null;
  at: Date | null;
  answer: string | null;
  short: { id: string; qty: number; available: number }[] | null;
}

/** The batch's two texts (waiting for held rows, or skipping them): the same for any batch, built once each. */
const batchTexts = new KeptTexts();

/**
 * Places a batch of checkouts, of one store or of several, in ONE autocommit statement: one hold of the hot rows (the
 * variants, each store's order counter) and one durable commit for all of them, with no round trip while they are
 * held. Each store's orders are judged among themselves (stores share no variant and no counter); every row is
 * locked in the order every writer uses — variants by id, then carts by id, then the stores' counters by store id —
 * so two batches, or a batch and a single `placeOrder`, never wait for each other in a circle.
 *
 * Per store, in arrival order (`ord`):
 * 1. an order short in the statement's snapshot (committed stock, no lock) is refused at once, as `placeOrder`'s
 *    fast refusal does — it was short at that moment;
 * 2. the others' variants are locked (id order), then their carts (id order): the order every writer uses;
 * 3. an order whose cart changed since it was read, or was ordered, or is a second checkout of a cart already in the
 *    batch, or whose Idempotency-Key already has a record (a refusal stored a moment ago), is not placed
 *    (`changed`: read again, and answer as a repeat);
 * 4. the rest take stock first come, first served: an order is placed when, for each of its variants, what it and
 *    every earlier eligible order of its store ask for fits in the locked stock. The first that does not fit ends its
 *    store's run of placed orders; each later one is refused when its own wants do not fit in what the placed ones left
 *    (`short`, with what is left), or else placed alone afterwards (`retry`): never refused for stock that is there;
 * 5. a store's placed orders are numbered `counter + 1 …` in arrival order (its counter moves once, by their
 *    count), and each gets its lines, first history entry, messages and Idempotency-Key record (answer slots
 *    filled), its cart marked ordered; the stock is taken once per variant.
 *
 * With `skipLocked` the statement waits for no row: a store whose variant, cart or order counter another transaction
 * holds is skipped whole (`skipped`; nothing of it written) and the rest placed, so stores that share a statement
 * never wait for each other's rows. Without it, a held row is waited for, as a single checkout waits.
 */
export async function placeOrderBatch(
  q: Queryable,
  batch: readonly BatchOrder[],
  { skipLocked = false }: { skipLocked?: boolean } = {},
): Promise<BatchOutcome[]> {
  const p = new SqlParams();
  const col = <T>(pick: (b: BatchOrder, i: number) => T, type: SqlType) => p.add(batch.map(pick), type);
  const orders = `unnest(${[
    col((b) => b.order.id, 'uuid[]'),
    col((b) => b.order.storeId, 'uuid[]'),
    col((b) => b.order.cartId, 'uuid[]'),
    col((b) => b.cartStamp, 'bigint[]'),
    col((b) => b.order.paymentMethod, 'text[]'),
    col((b) => b.order.fulfillment, 'text[]'),
    col((b) => b.order.subtotal, 'bigint[]'),
    col((b) => b.order.discount, 'bigint[]'),
    col((b) => b.order.deliveryFee, 'bigint[]'),
    col((b) => b.order.total, 'bigint[]'),
    col((b) => JSON.stringify(b.order.customer), 'text[]'),
    col((b) => b.order.note, 'text[]'),
    col((b) => b.order.trackingToken, 'uuid[]'),
    col((b) => b.order.checkoutKey, 'text[]'),
    col((b) => JSON.stringify(b.order.billRules), 'text[]'),
    col((b) => b.order.lang, 'text[]'),
    col((b) => b.order.source ?? 'web', 'text[]'),
    col(() => newId(), 'uuid[]'),
  ].join(', ')}) WITH ORDINALITY
      AS o(id, store_id, cart_id, stamp, payment_method, fulfillment, subtotal, discount, delivery_fee, total,
           customer, note, tracking_token, checkout_key, bill_rules, lang, source, history_id, ord)`;
  // A per-order list flattened into parallel arrays, each row carrying its order's `ord` (1-based, as WITH
  // ORDINALITY counts): `unnest(ords, col1, col2, …) AS alias(ord, name1, name2, …)`.
  const listRows = <T>(
    pick: (b: BatchOrder) => readonly T[],
    alias: string,
    columns: Record<string, [value: (x: T, i: number) => unknown, type: SqlType]>,
  ) => {
    const ords = p.add(
      batch.flatMap((b, i) => pick(b).map(() => i + 1)),
      'int[]',
    );
    const arrays = Object.values(columns).map(([value, type]) =>
      p.add(
        batch.flatMap((b) => pick(b).map(value)),
        type,
      ),
    );
    return `unnest(${[ords, ...arrays].join(', ')}) AS ${alias}(ord, ${Object.keys(columns).join(', ')})`;
  };
  const wants = listRows((b) => b.moves.filter((m) => m.quantity > 0), 'w', {
    variant_id: [(m) => m.variantId, 'uuid[]'],
    qty: [(m) => m.quantity, 'int[]'],
  });
  const lineRows = listRows((b) => b.lines, 'l', {
    variant_id: [(l) => l.variantId, 'uuid[]'],
    product_id: [(l) => l.productId, 'uuid[]'],
    name: [(l) => l.name, 'text[]'],
    variant_name: [(l) => l.variantName, 'text[]'],
    unit_price: [(l) => l.unitPrice, 'bigint[]'],
    quantity: [(l) => l.quantity, 'int[]'],
    position: [(_, i) => i, 'int[]'],
  });
  const messageRows = listRows((b) => b.messages, 'g', {
    id: [(m) => m.message.id, 'uuid[]'],
    topic: [(m) => m.message.topic, 'text[]'],
    recipient: [(m) => m.message.recipient, 'text[]'],
    before: [(m) => m.message.textBeforeNumber, 'text[]'],
    after: [(m) => m.message.textAfterNumber, 'text[]'],
    audience: [(m) => m.audience, 'text[]'],
    data: [(m) => JSON.stringify(m.message.data), 'text[]'],
  });
  const recordRows = listRows((b) => (b.record ? [b.record] : []), 'k', {
    scope: [(r) => r.scope, 'text[]'],
    key: [(r) => r.key, 'text[]'],
    request_hash: [(r) => r.requestHash, 'text[]'],
    answer: [(r) => r.answer ?? null, 'text[]'],
  });

  const filledAnswer = fillAnswerSlotsSql('k.answer', {
    number: 'pd.number',
    createdAt: 'pd.created_at',
    placedAt: 'h.at',
  });

  const skip = skipLocked ? ' SKIP LOCKED' : '';
  // A store is skipped when a row of it that the snapshot has could not be locked: a variant of a candidate order,
  // a candidate's cart, or its order counter (locked here, ahead of the INSERT that moves it, so it can be skipped).
  const skippedStores = skipLocked
    ? `counter_locked AS (SELECT sc.store_id FROM store_order_counters sc
                           WHERE sc.store_id IN (SELECT store_id FROM cand)
                             AND (SELECT count(*) FROM cart_locked) >= 0
                           ORDER BY sc.store_id FOR UPDATE SKIP LOCKED),
     skipped_store AS MATERIALIZED (
       SELECT w.store_id FROM want w JOIN cand ON cand.ord = w.ord
        WHERE w.variant_id NOT IN (SELECT id FROM stock_locked)
       UNION SELECT cand.store_id FROM cand WHERE cand.cart_id NOT IN (SELECT id FROM cart_locked)
       UNION SELECT sc.store_id FROM store_order_counters sc
              WHERE sc.store_id IN (SELECT store_id FROM cand)
                AND sc.store_id NOT IN (SELECT store_id FROM counter_locked))`
    : `skipped_store AS (SELECT NULL::uuid AS store_id WHERE false)`;
  const { rows } = await q.query<OutcomeRow>(
    batchTexts.text(
      skip,
      `WITH o AS MATERIALIZED (SELECT * FROM ${orders}),
     want AS MATERIALIZED (SELECT w.*, o.store_id FROM ${wants} JOIN o ON o.ord = w.ord),
     rec AS MATERIALIZED (SELECT * FROM ${recordRows}),
     seen_short AS (SELECT w.ord, w.variant_id AS id, w.qty, coalesce(v.stock, 0) AS available
                      FROM want w LEFT JOIN variants v ON v.id = w.variant_id AND v.store_id = w.store_id
                     WHERE v.id IS NULL OR v.stock < w.qty),
     cand AS (SELECT o.ord, o.store_id, o.cart_id, o.stamp FROM o WHERE o.ord NOT IN (SELECT ord FROM seen_short)),
     stock_locked AS (SELECT v.id, v.stock FROM variants v
                        JOIN (SELECT DISTINCT w.variant_id, w.store_id FROM want w JOIN cand ON cand.ord = w.ord) x
                          ON v.id = x.variant_id AND v.store_id = x.store_id
                       ORDER BY v.id FOR NO KEY UPDATE OF v${skip}),
     cart_locked AS (SELECT c.id, c.store_id, ${CART_STAMP_SQL('c')} AS stamp, c.order_id FROM carts c
                      WHERE c.id IN (SELECT cart_id FROM cand)
                        AND (SELECT count(*) FROM stock_locked) >= 0
                      ORDER BY c.id FOR UPDATE${skip}),
     ${skippedStores},
     keyed_before AS (SELECT k.ord FROM rec k
                        JOIN idempotency_keys ik ON ik.scope = k.scope AND ik.key = k.key),
     elig AS (SELECT DISTINCT ON (cand.cart_id) cand.ord, cand.store_id FROM cand
                JOIN cart_locked cl ON cl.id = cand.cart_id AND cl.store_id = cand.store_id AND cl.order_id IS NULL
                                   AND cl.stamp = cand.stamp
               WHERE cand.ord NOT IN (SELECT ord FROM keyed_before)
                 AND cand.store_id NOT IN (SELECT store_id FROM skipped_store)
               ORDER BY cand.cart_id, cand.ord),
     cum AS (SELECT w.ord, w.store_id, w.variant_id,
                    sum(w.qty) OVER (PARTITION BY w.variant_id ORDER BY w.ord) AS upto
               FROM want w JOIN elig ON elig.ord = w.ord),
     -- The locked stock as a map looked up by key: as a join, the planner's one-row estimates of these CTEs make it a
     -- nested loop of every want against every variant. '{}' when no variant could be locked: every want misfits.
     locked_stock AS MATERIALIZED (SELECT coalesce(jsonb_object_agg(id, stock), '{}') AS m FROM stock_locked),
     -- Per store: its first order that does not fit ends its run (a variant belongs to one store).
     first_misfit AS MATERIALIZED (SELECT c.store_id, min(c.ord) AS ord FROM cum c, locked_stock ls
                                    WHERE NOT ls.m ? c.variant_id::text
                                       OR (ls.m ->> c.variant_id::text)::int < c.upto
                                    GROUP BY c.store_id),
     placed_ord AS (SELECT e.ord, e.store_id, row_number() OVER (PARTITION BY e.store_id ORDER BY e.ord) AS rn
                      FROM elig e LEFT JOIN first_misfit f ON f.store_id = e.store_id
                     WHERE f.ord IS NULL OR e.ord < f.ord),
     taken AS (SELECT w.variant_id, w.store_id, sum(w.qty) AS qty FROM want w JOIN placed_ord po ON po.ord = w.ord
                GROUP BY w.variant_id, w.store_id),
     placed_count AS (SELECT store_id, count(*)::int AS n FROM placed_ord GROUP BY store_id),
     -- The counters last, in store id order (the order every writer takes them in).
     numbered AS (INSERT INTO store_order_counters AS sc (store_id, next_order_number)
                  SELECT store_id, 1 + n FROM placed_count ORDER BY store_id
                  ON CONFLICT (store_id) DO UPDATE
                    SET next_order_number = sc.next_order_number + excluded.next_order_number - 1
                  RETURNING sc.store_id, sc.next_order_number AS next),
     placed_order AS (INSERT INTO orders (id, store_id, number, status, payment_method, fulfillment, subtotal,
                                         discount, delivery_fee, total, coupon_id, coupon_code, customer, note,
                                         tracking_token, cart_id, checkout_key, bill_rules, lang, source)
                      SELECT o.id, o.store_id, nb.next - pc.n + po.rn - 1, 'placed', o.payment_method,
                             o.fulfillment, o.subtotal, o.discount, o.delivery_fee, o.total, NULL, NULL,
                             o.customer::jsonb, o.note, o.tracking_token, o.cart_id, o.checkout_key,
                             o.bill_rules::jsonb, o.lang, o.source
                        FROM placed_ord po JOIN o ON o.ord = po.ord
                        JOIN numbered nb ON nb.store_id = po.store_id
                        JOIN placed_count pc ON pc.store_id = po.store_id
                      RETURNING id, store_id, number, created_at),
     stock_taken AS (UPDATE variants v SET stock = v.stock - t.qty
                       FROM taken t
                      WHERE v.id = t.variant_id AND v.store_id = t.store_id AND v.stock IS NOT NULL
                        AND EXISTS (SELECT 1 FROM placed_order)),
     cart_ordered AS (UPDATE carts SET order_id = o.id, fulfillment = o.fulfillment, updated_at = now()
                        FROM placed_ord po JOIN o ON o.ord = po.ord
                       WHERE carts.id = o.cart_id AND EXISTS (SELECT 1 FROM placed_order)),
     lines_written AS (INSERT INTO order_lines (order_id, store_id, variant_id, product_id, name, variant_name,
                                                unit_price, quantity, line_total, position)
                       SELECT pd.id, pd.store_id, l.variant_id, l.product_id, l.name, l.variant_name, l.unit_price,
                              l.quantity, l.unit_price * l.quantity, l.position
                         FROM ${lineRows} JOIN o ON o.ord = l.ord JOIN placed_order pd ON pd.id = o.id),
     first_history AS (INSERT INTO order_history (id, order_id, store_id, status, actor)
                       SELECT o.history_id, pd.id, pd.store_id, 'placed', 'customer'
                         FROM placed_order pd JOIN o ON o.id = pd.id
                       RETURNING order_id, at),
     messages AS (INSERT INTO outbox (id, topic, recipient, payload, audience, store_id)
                  SELECT g.id, g.topic, g.recipient,
                         jsonb_build_object('text', g.before || pd.number || g.after, 'data', g.data::jsonb),
                         g.audience, pd.store_id
                    FROM ${messageRows} JOIN o ON o.ord = g.ord JOIN placed_order pd ON pd.id = o.id),
     records AS (INSERT INTO idempotency_keys (scope, key, request_hash, state, locked_until, response_status,
                                              response_type, response_body)
                 SELECT k.scope, k.key, k.request_hash, 'done', now(), 201, 'application/json; charset=utf-8',
                        ${filledAnswer}
                   FROM rec k JOIN o ON o.ord = k.ord JOIN placed_order pd ON pd.id = o.id
                   JOIN first_history h ON h.order_id = pd.id
                 ON CONFLICT (scope, key) DO NOTHING
                 RETURNING scope, key, response_body),
     answers AS (SELECT k.ord, r.response_body FROM records r JOIN rec k ON r.scope = k.scope AND r.key = k.key)
     SELECT o.ord::int AS ord,
            CASE WHEN pd.id IS NOT NULL THEN 'placed'
                 WHEN o.ord IN (SELECT ord FROM seen_short) THEN 'short'
                 WHEN o.store_id IN (SELECT store_id FROM skipped_store) THEN 'skipped'
                 WHEN o.ord NOT IN (SELECT ord FROM elig) THEN 'changed'
                 WHEN left_short.short IS NOT NULL THEN 'short'
                 ELSE 'retry' END AS outcome,
            pd.number, pd.created_at, h.at,
            ans.response_body AS answer,
            coalesce((SELECT json_agg(json_build_object('id', s.id, 'qty', s.qty, 'available', s.available))
                        FROM seen_short s WHERE s.ord = o.ord), left_short.short) AS short
       FROM o LEFT JOIN placed_order pd ON pd.id = o.id LEFT JOIN first_history h ON h.order_id = o.id
       LEFT JOIN answers ans ON ans.ord = o.ord
       LEFT JOIN LATERAL (
         SELECT json_agg(json_build_object('id', w.variant_id, 'qty', w.qty,
                                           'available', coalesce(l.stock - coalesce(t.qty, 0), 0))) AS short
           FROM want w LEFT JOIN stock_locked l ON l.id = w.variant_id LEFT JOIN taken t ON t.variant_id = w.variant_id
          WHERE w.ord = o.ord AND o.ord IN (SELECT ord FROM elig) AND pd.id IS NULL
            AND (l.id IS NULL OR l.stock - coalesce(t.qty, 0) < w.qty)
         HAVING count(*) > 0) left_short ON true
      ORDER BY o.ord`,
    ),
    p.values,
  );
  return rows.map((row): BatchOutcome => {
    if (row.outcome === 'retry' || row.outcome === 'skipped') return row.outcome;
    if (row.outcome === 'placed')
      return { placed: true, number: row.number!, createdAt: row.created_at!, placedAt: row.at!, answer: row.answer };
    const shortages = (row.short ?? []).map((s) => ({
      variantId: s.id,
      requested: s.qty,
      available: Math.max(0, s.available),
    }));
    return { placed: false, shortages, cartCurrent: row.outcome !== 'changed', couponUsable: true };
  });
}
