/** The SQL of the demo seed: whether the demo store exists, the seed's lock, its merchant and store rows. */
import type { Queryable } from '../db/db.js';
import { newId } from '../shared/ids.js';

export async function storeSlugTaken(q: Queryable, slug: string): Promise<boolean> {
  const { rows } = await q.query(`SELECT 1 FROM stores WHERE slug = $1`, [slug]);
  return rows.length > 0;
}

/** Several processes starting at once seed one at a time (held to the end of the transaction). */
export async function lockDemoSeed(q: Queryable): Promise<void> {
  await q.query(`SELECT pg_advisory_xact_lock(hashtext('dukaan:demo-seed'))`);
}

/** The demo merchant (kept if the phone exists) owning a new demo store; returns the store's id. */
export async function insertDemoMerchantAndStore(q: Queryable, slug: string, phone: string): Promise<string> {
  const merchant = await q.query<{ id: string }>(
    `INSERT INTO merchants (id, phone, name) VALUES ($1, $2, 'Demo Merchant')
     ON CONFLICT (phone) DO UPDATE SET phone = EXCLUDED.phone RETURNING id`,
    [newId(), phone],
  );
  const storeId = newId();
  await q.query(
    // The WhatsApp number is the owner's own phone: verified (migration 083).
    `INSERT INTO stores (id, slug, name, currency, whatsapp, whatsapp_verified_at, delivery_fee, free_above, pickup,
                         cod, upi_vpa)
     VALUES ($1, $2, 'Demo Kirana', 'INR', $3, now(), 3000, 50000, true, true, 'demo@upi')`,
    [storeId, slug, phone],
  );
  await q.query(`INSERT INTO store_members (store_id, merchant_id, role) VALUES ($1, $2, 'owner')`, [
    storeId,
    merchant.rows[0]!.id,
  ]);
  return storeId;
}
