/** SQL of merchants (their sign-in codes: otp.repo.ts). The services hold the rules; everything here takes a Queryable.
 * */
import type { Queryable } from '../db/db.js';
import type { Merchant } from '../auth/session.js';

/** The merchant with this phone, created on first sign-in. */
export async function upsertMerchant(q: Queryable, id: string, phone: string): Promise<Merchant> {
  const { rows } = await q.query<Merchant>(
    `INSERT INTO merchants (id, phone) VALUES ($1, $2)
     ON CONFLICT (phone) DO UPDATE SET phone = EXCLUDED.phone
     RETURNING id, phone, name`,
    [id, phone],
  );
  return rows[0]!;
}

/** The merchant's own dashboard language (`merchants.lang`), or null when they never chose one. */
export async function selectMerchantLang(q: Queryable, merchantId: string): Promise<string | null> {
  const { rows } = await q.query<{ lang: string | null }>('SELECT lang FROM merchants WHERE id = $1', [merchantId]);
  return rows[0]?.lang ?? null;
}

export async function updateMerchantLang(q: Queryable, merchantId: string, lang: string): Promise<void> {
  await q.query('UPDATE merchants SET lang = $2 WHERE id = $1 AND lang IS DISTINCT FROM $2', [merchantId, lang]);
}
