/** Small reads the pages need that no service offers. SQL here stays read-only and store-scoped. */
import type { Queryable } from '../../db/db.js';
import { isUuid } from '../../shared/ids.js';

/** The tracking token of the order a cart became (a second "Place order" press lands on that order). */
export async function orderTokenForCart(q: Queryable, storeId: string, cartId: string): Promise<string | null> {
  if (!isUuid(cartId)) return null;
  const { rows } = await q.query<{ tracking_token: string }>(
    `SELECT o.tracking_token FROM carts c JOIN orders o ON o.id = c.order_id WHERE c.id = $1 AND c.store_id = $2 AND o.store_id = $2`,
    [cartId, storeId],
  );
  return rows[0]?.tracking_token ?? null;
}
