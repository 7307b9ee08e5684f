/** SQL of carts and cart lines. The services hold the rules; everything here takes a Queryable (a Db or a Tx). */
import { NON_DURABLE_COMMIT_SQL, type Queryable } from '../db/db.js';
import { KeptTexts } from '../db/params.js';
import { STORE_COLUMNS, storeColumnsOf, type StoreRow } from '../stores/stores.repo.js';
import { COUPON_COLUMNS, couponExpiredSql, type CouponRow } from '../coupons/coupons.repo.js';
import { SELLABLE_SQL } from '../catalog/catalog.repo.js';
import type { Fulfillment } from './cart.schema.js';

export type CartCouponJoinRow = {
  id: string;
  store_id: string;
  fulfillment: Fulfillment;
  coupon_code: string | null;
  order_id: string | null;
} & { [K in keyof CouponRow as `cp_${K}`]: CouponRow[K] | null } & { cp_expired: boolean | null };

export interface LineRow {
  variant_id: string;
  product_id: string;
  product_name: string;
  variant_name: string;
  price: number;
  quantity: number;
  stock: number | null;
  sellable: boolean;
  /** the line's replacement suggestions (LINE_SUGGESTIONS_SQL); null for a line that can still be bought */
  suggestions: SuggestionRow[] | null;
}

/** One replacement suggestion, as LINE_SUGGESTIONS_SQL builds it. */
export interface SuggestionRow {
  variant_id: string;
  product_slug: string;
  name: string;
  variant_name: string;
  price: number;
}

/** SQL: a cart row's version — `updated_at` in microseconds; every change to a cart stamps it (lockOpenCart, putLine).
 * */
export const CART_STAMP_SQL = (alias: string): string => `(extract(epoch FROM ${alias}.updated_at) * 1000000)::bigint`;

/** The columns of CartCouponJoinRow, in its order; `cartCouponColumnsOf` reads them from a relation that has them. */
const CART_COUPON_NAMES = [
  'id',
  'store_id',
  'fulfillment',
  'coupon_code',
  'order_id',
  ...COUPON_COLUMNS.split(', ').map((c) => `cp_${c}`),
  'cp_expired',
];
const cartCouponColumnsOf = (alias: string): string => CART_COUPON_NAMES.map((c) => `${alias}.${c}`).join(', ');

/** CartCouponJoinRow's columns over the cart `c` and CART_COUPON_JOIN's `co`. */
const CART_COUPON_COLUMNS = `c.id, c.store_id, c.fulfillment, c.coupon_code, c.order_id, ${COUPON_COLUMNS.split(', ')
  .map((c) => `co.${c} AS cp_${c}`)
  .join(', ')}, ${couponExpiredSql('co')} AS cp_expired`;

/** The applied coupon rides along with the cart row `c`: a coupon deleted since leaves the coupon columns null. */
const CART_COUPON_JOIN = `LEFT JOIN coupons co ON c.coupon_code IS NOT NULL AND co.store_id = c.store_id
                                AND lower(co.code) = lower(c.coupon_code) AND co.deleted_at IS NULL`;

const CART_QUERY = `SELECT ${CART_COUPON_COLUMNS}
                      FROM carts c
                      ${CART_COUPON_JOIN}
                     WHERE c.id = $1 AND c.store_id = $2`;

/**
 * A cart's lines with their variant and product, each looked up by primary key. The lookup is a LATERAL subquery
 * with LIMIT 1 so the planner cannot flatten it into a join it may then run as a scan of all the store's variants
 * (it did, at 1M products, when stale statistics made it expect ~100 lines per cart: 5 ms instead of 0.1 ms). A cart
 * holds at most 100 lines; one index probe each is always the right plan.
 */
const LINE_VARIANT_SQL = (storeIdSql: string) => `
    CROSS JOIN LATERAL (
      SELECT v.product_id, v.name, v.price, v.stock, p.name AS product_name, p.category_id,
             ${SELLABLE_SQL} AS sellable
        FROM variants v JOIN products p ON p.id = v.product_id
       WHERE v.id = cl.variant_id AND v.store_id = ${storeIdSql}
       LIMIT 1) v`;

/** Where a cart's lines are: the cart and its store, as SQL, and the variants its lines hold beyond those, if any. */
interface LinesOf {
  storeId: string;
  cartId: string;
  /**
   * SQL of a uuid[]: variants the statement adds to the cart, which its snapshot cannot show (the line put's, a new
   * cart's)
   */
  also?: string;
  /** false: no suggestions at all (a reader that never shows them: the checkout's 409 names only the errors) */
  suggestions?: boolean;
}

/**
 * The replacement suggestions of the cart line `v` (a row of LINE_VARIANT_SQL), as a JSON array, for a line nothing
 * of which can be bought (the seed's "replace item" step): up to 3 in-stock variants of active products, nearest
 * price first, never one already in the cart (so never the line's own): the other variants of the line's own product
 * and the variants of the other products of its category; a product without a category gets its own other variants
 * only. The rule is the function `cart_line_suggestions_except` (migrations 180, 181; the line's own product since
 * 190); this is the one place that calls it. The line needs them exactly when the bill (src/cart/bill.ts,
 * `lineError`) says `unavailable` (not sellable) or `out_of_stock` (tracked stock <= 0); an `insufficient_stock` line
 * gets none. Any other line gets null and pays nothing for it: a CASE calls the function only for a line that takes
 * that branch, and a function call, unlike a subquery, adds no plan nodes that every execution of the statement sets
 * up.
 */
const LINE_SUGGESTIONS_SQL = (at: LinesOf) => `
    CASE WHEN v.sellable IS NOT TRUE OR v.stock <= 0
         THEN cart_line_suggestions_except(${at.storeId}, ${at.cartId}, ${at.also ?? 'NULL'}, v.category_id,\
 v.product_id, v.price)
    END`;

/**
 * A cart's lines, each joined to its variant, with its suggestions, as one JSON array column in display order
 * (added_at, variant_id). `source` is a relation of the cart's (variant_id, quantity, added_at): the lines of the
 * cart `at` as the statement's snapshot shows them, plus `at.also`'s when given.
 */
const linesJsonOver = (source: string, at: LinesOf) => `
  (SELECT coalesce(json_agg(json_build_object(
            'variant_id', cl.variant_id, 'product_id', v.product_id, 'product_name', v.product_name, 'variant_name',\
 v.name,
            'price', v.price, 'quantity', cl.quantity, 'stock', v.stock, 'sellable', v.sellable,
            'suggestions', ${at.suggestions === false ? 'NULL' : LINE_SUGGESTIONS_SQL(at)})
          ORDER BY cl.added_at, cl.variant_id), '[]'::json)
     FROM ${source} cl${LINE_VARIANT_SQL(at.storeId)})`;

/** The lines of the cart row `c` (any alias with id and store_id), as linesJsonOver answers them. */
const linesJsonSql = (c: string, suggestions = true) =>
  linesJsonOver(
    `(SELECT variant_id, quantity, added_at FROM cart_lines WHERE cart_id = ${c}.id AND store_id = ${c}.store_id)`,
    { storeId: `${c}.store_id`, cartId: `${c}.id`, suggestions },
  );

const LOCK_OPEN_CART_SQL = `
  UPDATE carts c SET updated_at = now()
    FROM stores s
   WHERE s.slug = $1 AND c.store_id = s.id AND c.id = $2
  RETURNING c.order_id AS cart_order_id, ${storeColumnsOf('s')}`;

/** What the one-statement line put found; see `putLine`. The cart columns are null when there is no such cart. */
export type PutLineRow = {
  store: StoreRow;
  cart_found: boolean;
  cart_order_id: string | null;
  /** false too when the variant is not this store's */
  sellable: boolean;
  in_cart: boolean;
  line_count: number;
  /** false: the cart changed while this statement waited for its lock; nothing was written */
  current: boolean;
  put: boolean;
  /** the cart's lines as the put leaves them (only when `put`) */
  lines: LineRow[];
} & CartCouponJoinRow;

/**
 * Puts a line (quantity > 0) in ONE autocommit statement: finds the store by slug, locks the cart row, checks the
 * variant (sold here, or already in the cart) and the line cap, and only then writes the line and stamps the cart.
 * Its reads use the statement's snapshot, taken before any wait for the cart lock; if a change to this cart
 * committed during that wait (the locked row is newer than the one the snapshot shows), it writes nothing and says
 * so, and the caller runs it again with a fresh snapshot — as strict as the transaction it replaces, in one round
 * trip instead of four (BEGIN, lock, check, write, COMMIT). Its commit does not wait for the WAL flush
 * (NON_DURABLE_COMMIT_SQL): a crash may lose the last cart edits, never an order.
 *
 * It also answers the cart as the put leaves it — the cart row, its coupon and its lines — so the Cart the customer
 * gets back costs no second statement. A statement does not see its own writes, so the lines are the snapshot's
 * others plus the row the put returned; the snapshot's lines are the cart's current ones whenever the put happened,
 * since it happens only when no change to the cart committed after the snapshot (`current`).
 *
 * Each part is read once (its backend CPU is mostly setting up and running plan nodes): the snapshot's cart row
 * (`seen`) carries the cart and coupon columns answered, and the snapshot's lines (`had`) are read once for the
 * line check (in the cart? how many?) and for the answer.
 */
const PUT_LINE_SQL = `
  WITH s AS (SELECT ${STORE_COLUMNS} FROM stores WHERE slug = $1),
       seen AS (SELECT c.updated_at, ${CART_COUPON_COLUMNS}
                  FROM carts c JOIN s ON c.store_id = s.id
                  ${CART_COUPON_JOIN}
                 WHERE c.id = $2),
       locked AS (SELECT c.updated_at, c.order_id FROM carts c JOIN s ON c.store_id = s.id WHERE c.id = $2 FOR UPDATE\
 OF c),
       had AS (SELECT cl.variant_id, cl.quantity, cl.added_at FROM cart_lines cl JOIN s ON cl.store_id = s.id
                WHERE cl.cart_id = $2),
       v AS (SELECT ${SELLABLE_SQL} AS sellable, n.in_cart, n.line_count
               FROM variants v JOIN products p ON p.id = v.product_id JOIN s ON v.store_id = s.id
              CROSS JOIN LATERAL (SELECT coalesce(bool_or(had.variant_id = v.id), false) AS in_cart,
                                         count(*)::int AS line_count FROM had) n
              WHERE v.id = $3),
       ok AS (SELECT 1 FROM locked, seen, v
               WHERE locked.updated_at = seen.updated_at AND locked.order_id IS NULL
                 AND (v.in_cart OR (v.sellable AND v.line_count < $5))),
       put AS (INSERT INTO cart_lines (cart_id, store_id, variant_id, quantity) SELECT $2, s.id, $3, $4 FROM ok, s
               ON CONFLICT (cart_id, variant_id) DO UPDATE SET quantity = EXCLUDED.quantity RETURNING added_at),
       stamp AS (UPDATE carts SET updated_at = now() FROM ok WHERE carts.id = $2)
  SELECT row_to_json(s.*) AS store, locked.updated_at IS NOT NULL AS cart_found, locked.order_id AS cart_order_id,
         coalesce(v.sellable, false) AS sellable, coalesce(v.in_cart, false) AS in_cart,
         coalesce(v.line_count, 0) AS line_count,
         (locked.updated_at IS NULL OR seen.updated_at IS NOT DISTINCT FROM locked.updated_at) AS current,
         EXISTS (SELECT 1 FROM put) AS put,
         ${linesJsonOver(
           `(SELECT variant_id, quantity, added_at FROM had WHERE variant_id <> $3
             UNION ALL SELECT $3::uuid, $4::int, added_at FROM put)`,
           { storeId: 's.id', cartId: '$2', also: 'ARRAY[$3::uuid]' },
         )} AS lines,
         ${cartCouponColumnsOf('seen')}
    FROM s LEFT JOIN locked ON true LEFT JOIN seen ON true LEFT JOIN v ON true
   WHERE ${NON_DURABLE_COMMIT_SQL} IS NOT NULL`;

const CART_WITH_LINES_SQL = `SELECT cc.*, ${linesJsonSql('cc')} AS lines FROM (${CART_QUERY}) cc`;

/** The cart row, its coupon and its lines (a JSON column) in one statement. */
export async function selectCartWithLines(
  q: Queryable,
  storeId: string,
  cartId: string,
): Promise<(CartCouponJoinRow & { lines: LineRow[] }) | null> {
  const { rows } = await q.query<CartCouponJoinRow & { lines: LineRow[] }>(CART_WITH_LINES_SQL, [cartId, storeId]);
  return rows[0] ?? null;
}

/** selectStoreAndCart's texts, one per (suggestions, extra columns): a few per process, each built once. */
const storeAndCartTexts = new KeptTexts();

/**
 * The store (by slug), the cart row, its coupon and lines in ONE statement. `extraColumns` adds columns over `s`
 * (stores) and `c` (carts), and may bind `extraParams` as `$3`, `$4`, …; `suggestions: false` leaves the lines'
 * replacement suggestions out. The store comes back as one JSON column (its fields are all JSON-safe: text, numbers,
 * booleans); the cart and coupon columns as themselves, so their timestamps stay Dates.
 */
export async function selectStoreAndCart(
  q: Queryable,
  slug: string,
  cartId: string,
  {
    extraColumns,
    extraParams = [],
    suggestions = true,
  }: { extraColumns?: string; extraParams?: readonly unknown[]; suggestions?: boolean } = {},
): Promise<({ store: StoreRow; lines: LineRow[] } & CartCouponJoinRow & Record<string, unknown>) | null> {
  // The cart row is read once: `c` gives the store-checked cart, its coupon, its lines and the extra columns.
  const { rows } = await q.query<{ store: StoreRow; lines: LineRow[] } & CartCouponJoinRow & Record<string, unknown>>(
    storeAndCartTexts.text(
      `${suggestions} ${extraColumns ?? ''}`,
      `SELECT row_to_json(s.*) AS store, ${linesJsonSql('c', suggestions)} AS lines, ${CART_COUPON_COLUMNS}\
${extraColumns ? `, ${extraColumns}` : ''}
       FROM (SELECT ${STORE_COLUMNS} FROM stores WHERE slug = $1) s
       JOIN carts c ON c.store_id = s.id AND c.id = $2
       ${CART_COUPON_JOIN}`,
    ),
    [slug, cartId, ...extraParams],
  );
  return rows[0] ?? null;
}

const INSERT_CART_OF_SLUG_SQL = `WITH s AS (SELECT ${STORE_COLUMNS} FROM stores WHERE slug = $1),
          ins AS (INSERT INTO carts (id, store_id) SELECT $2, s.id FROM s)
     SELECT * FROM s WHERE ${NON_DURABLE_COMMIT_SQL} IS NOT NULL`;

/** One statement: the store by slug and a new empty cart in it (no store, no cart: null). */
export async function insertCartOfSlug(q: Queryable, slug: string, cartId: string): Promise<StoreRow | null> {
  const { rows } = await q.query<StoreRow>(INSERT_CART_OF_SLUG_SQL, [slug, cartId]);
  return rows[0] ?? null;
}

/** What `insertCartWithLines` found and wrote; see CREATE_WITH_LINES_SQL. */
export type NewCartRow = {
  store: StoreRow;
  /** the positions (0-based) of the lines asked for whose variant this store does not sell; nothing written then */
  refused: number[];
  /** the new cart's lines (only when nothing was refused) */
  lines: LineRow[];
} & CartCouponJoinRow;

/**
 * A new cart with its lines, in ONE autocommit statement whose commit does not wait for the WAL flush: finds the
 * store by slug, checks that it sells every variant asked for (the line put's rule, SELLABLE_SQL), and only then
 * writes the cart and its lines, in the order given (`added_at` one microsecond apart). It answers the cart as
 * written: a statement does not see its own writes, so the lines are the inserted rows' RETURNING and the cart row
 * the INSERT's; the suggestions leave out every variant of the new cart (`also`). No row: no such store.
 */
const CREATE_WITH_LINES_SQL = `
  WITH s AS (SELECT ${STORE_COLUMNS} FROM stores WHERE slug = $1),
       want AS (SELECT w.variant_id, w.quantity, w.ord - 1 AS position
                  FROM unnest($3::uuid[], $4::int[]) WITH ORDINALITY AS w(variant_id, quantity, ord)),
       refused AS (SELECT want.position FROM want
                    WHERE NOT EXISTS (SELECT 1 FROM variants v JOIN products p ON p.id = v.product_id JOIN s
                                          ON v.store_id = s.id
                                       WHERE v.id = want.variant_id AND ${SELLABLE_SQL})),
       ok AS (SELECT s.id AS store_id FROM s WHERE NOT EXISTS (SELECT 1 FROM refused)),
       cart AS (INSERT INTO carts (id, store_id) SELECT $2, ok.store_id FROM ok
                RETURNING id, store_id, fulfillment, coupon_code, order_id),
       put AS (INSERT INTO cart_lines (cart_id, store_id, variant_id, quantity, added_at)
               SELECT $2, ok.store_id, want.variant_id, want.quantity,
                      statement_timestamp() + want.position * interval '1 microsecond'
                 FROM ok, want
               RETURNING variant_id, quantity, added_at)
  SELECT row_to_json(s.*) AS store,
         ARRAY(SELECT position FROM refused ORDER BY position) AS refused,
         ${linesJsonOver('put', { storeId: 's.id', cartId: '$2', also: '$3::uuid[]' })} AS lines,
         ${cartCouponColumnsOf('cc')}
    FROM s LEFT JOIN (SELECT ${CART_COUPON_COLUMNS} FROM cart c ${CART_COUPON_JOIN}) cc ON true
   WHERE ${NON_DURABLE_COMMIT_SQL} IS NOT NULL`;

/**
 * The store by slug and a new cart in it holding these lines (distinct variants, quantities 1..999), or nothing
 * when the store does not sell one of them (`refused`); null when there is no such store.
 */
export async function insertCartWithLines(
  q: Queryable,
  slug: string,
  cartId: string,
  lines: readonly { variantId: string; quantity: number }[],
): Promise<NewCartRow | null> {
  const { rows } = await q.query<NewCartRow>(CREATE_WITH_LINES_SQL, [
    slug,
    cartId,
    lines.map((l) => l.variantId),
    lines.map((l) => l.quantity),
  ]);
  return rows[0] ?? null;
}

/** Locks and stamps the cart of the store with this slug; null when either is unknown. */
export async function lockCartOfSlug(
  q: Queryable,
  slug: string,
  cartId: string,
): Promise<(StoreRow & { cart_order_id: string | null }) | null> {
  const { rows } = await q.query<StoreRow & { cart_order_id: string | null }>(LOCK_OPEN_CART_SQL, [slug, cartId]);
  return rows[0] ?? null;
}

export interface VariantState {
  sellable: boolean;
  in_cart: boolean;
  /** lines in the cart now (read under the cart's lock) */
  line_count: number;
}

export async function selectVariantState(
  q: Queryable,
  storeId: string,
  cartId: string,
  variantId: string,
): Promise<VariantState | null> {
  const { rows } = await q.query<VariantState>(
    `SELECT ${SELLABLE_SQL} AS sellable,
            EXISTS (SELECT 1 FROM cart_lines cl WHERE cl.cart_id = $3 AND cl.store_id = $2 AND cl.variant_id = v.id)
              AS in_cart,
            (SELECT count(*)::int FROM cart_lines cl WHERE cl.cart_id = $3 AND cl.store_id = $2) AS line_count
       FROM variants v JOIN products p ON p.id = v.product_id
      WHERE v.id = $1 AND v.store_id = $2`,
    [variantId, storeId, cartId],
  );
  return rows[0] ?? null;
}

export async function putLineRow(
  q: Queryable,
  slug: string,
  cartId: string,
  variantId: string,
  quantity: number,
  maxLines: number,
): Promise<PutLineRow | null> {
  const { rows } = await q.query<PutLineRow>(PUT_LINE_SQL, [slug, cartId, variantId, quantity, maxLines]);
  return rows[0] ?? null;
}

/** Deletes these variants' lines of the cart in one statement; a variant without a line is no error. */
export async function deleteCartLines(
  q: Queryable,
  storeId: string,
  cartId: string,
  variantIds: readonly string[],
): Promise<void> {
  await q.query(`DELETE FROM cart_lines WHERE cart_id = $1 AND store_id = $2 AND variant_id = ANY($3::uuid[])`, [
    cartId,
    storeId,
    variantIds,
  ]);
}

export async function upsertCartLine(
  q: Queryable,
  storeId: string,
  cartId: string,
  variantId: string,
  quantity: number,
): Promise<void> {
  await q.query(
    `INSERT INTO cart_lines (cart_id, store_id, variant_id, quantity) VALUES ($1, $2, $3, $4)
     ON CONFLICT (cart_id, variant_id) DO UPDATE SET quantity = EXCLUDED.quantity`,
    [cartId, storeId, variantId, quantity],
  );
}

export async function updateCartFulfillment(q: Queryable, cartId: string, fulfillment: Fulfillment): Promise<void> {
  await q.query(`UPDATE carts SET fulfillment = $2 WHERE id = $1`, [cartId, fulfillment]);
}

export async function updateCartCoupon(q: Queryable, cartId: string, code: string | null): Promise<void> {
  await q.query(`UPDATE carts SET coupon_code = $2 WHERE id = $1`, [cartId, code]);
}
