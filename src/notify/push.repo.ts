/** SQL of Web Push: the subscriptions (per member and store) and the server's VAPID key pair. */
import type { Queryable } from '../db/db.js';

export interface NewSubscription {
  id: string;
  storeId: string;
  merchantId: string;
  endpoint: string;
  p256dh: string;
  auth: string;
}

/**
 * Saves a browser's subscription for a store. The same browser subscribing again (same endpoint) keeps its row id
 * and takes the new keys and the member now signed in on it. Returns the row's id.
 */
export async function upsertSubscription(q: Queryable, s: NewSubscription): Promise<string> {
  const { rows } = await q.query<{ id: string }>(
    `INSERT INTO push_subscriptions (id, store_id, merchant_id, endpoint, p256dh, auth)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (store_id, endpoint) DO UPDATE
        SET merchant_id = EXCLUDED.merchant_id, p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth
     RETURNING id`,
    [s.id, s.storeId, s.merchantId, s.endpoint, s.p256dh, s.auth],
  );
  return rows[0]!.id;
}

/** Removes a browser's subscription for a store (signed-in member's "stop notifying me"). True when one went. */
export async function deleteSubscriptionByEndpoint(q: Queryable, storeId: string, endpoint: string): Promise<boolean> {
  const { rowCount } = await q.query('DELETE FROM push_subscriptions WHERE store_id = $1 AND endpoint = $2', [
    storeId,
    endpoint,
  ]);
  return rowCount > 0;
}

/** The push service said the subscription is gone (404/410). */
export async function forgetSubscription(q: Queryable, id: string): Promise<void> {
  await q.query('DELETE FROM push_subscriptions WHERE id = $1', [id]);
}

/** Whether this browser (endpoint) is subscribed for the store, for the dashboard's button. */
export async function subscriptionExists(q: Queryable, storeId: string, endpoint: string): Promise<boolean> {
  const { rows } = await q.query('SELECT 1 FROM push_subscriptions WHERE store_id = $1 AND endpoint = $2', [
    storeId,
    endpoint,
  ]);
  return rows.length > 0;
}

export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
  lang: string | null;
  storeName: string;
  currency: string;
  number: number;
  customerName: string | null;
  total: number;
  items: number;
}

/**
 * Everything one push needs, in one read: the subscription (only while its merchant is still a member of the
 * store) and the order it announces. Null when either is gone.
 */
export async function pushTarget(q: Queryable, subscriptionId: string, orderId: string): Promise<PushTarget | null> {
  const { rows } = await q.query<{
    endpoint: string;
    p256dh: string;
    auth: string;
    lang: string | null;
    store_name: string;
    currency: string;
    number: number;
    customer_name: string | null;
    total: string | number;
    items: number;
  }>(
    `SELECT ps.endpoint, ps.p256dh, ps.auth, m.lang, s.name AS store_name, s.currency, o.number,
            o.customer ->> 'name' AS customer_name, o.total,
            (SELECT count(*)::int FROM order_lines l WHERE l.order_id = o.id) AS items
       FROM push_subscriptions ps
       JOIN store_members sm ON sm.store_id = ps.store_id AND sm.merchant_id = ps.merchant_id
       JOIN merchants m ON m.id = ps.merchant_id
       JOIN stores s ON s.id = ps.store_id
       JOIN orders o ON o.id = $2 AND o.store_id = ps.store_id
      WHERE ps.id = $1`,
    [subscriptionId, orderId],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    endpoint: r.endpoint,
    p256dh: r.p256dh,
    auth: r.auth,
    lang: r.lang,
    storeName: r.store_name,
    currency: r.currency,
    number: r.number,
    customerName: r.customer_name,
    total: Number(r.total),
    items: r.items,
  };
}

/** The stored VAPID key pair, if one was made. */
export async function readVapidKeys(q: Queryable): Promise<{ publicKey: string; privateKey: string } | null> {
  const { rows } = await q.query<{ public_key: string; private_key: string }>(
    'SELECT public_key, private_key FROM push_vapid_keys WHERE id = 1',
  );
  const r = rows[0];
  return r ? { publicKey: r.public_key, privateKey: r.private_key } : null;
}

/** Stores a pair unless another process stored one first; returns the pair that is stored. */
export async function storeVapidKeys(
  q: Queryable,
  keys: { publicKey: string; privateKey: string },
): Promise<{ publicKey: string; privateKey: string }> {
  await q.query(
    `INSERT INTO push_vapid_keys (id, public_key, private_key) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING`,
    [keys.publicKey, keys.privateKey],
  );
  return (await readVapidKeys(q))!;
}
