/** SQL of merchants (their sign-in codes: otp.repo.ts). The services hold the rules; everything here takes a Queryable. */
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
