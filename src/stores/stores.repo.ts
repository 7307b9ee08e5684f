/** SQL of stores and their members. The services hold the rules; everything here takes a Queryable. */
import type { Queryable } from '../db/db.js';
import type { DeliveryArea, OpeningHours } from './profile.js';

export interface StoreRow {
  id: string;
  slug: string;
  name: string;
  currency: string;
  whatsapp: string | null;
  /** when the store's WhatsApp number was verified (migration 083); null: messages go to the owner's phone */
  whatsapp_verified_at: Date | null;
  is_open: boolean;
  delivery_fee: number;
  free_above: number | null;
  min_order: number | null;
  pickup: boolean;
  cod: boolean;
  upi_vpa: string | null;
  /** Bumped at commit on every change a shopper could see in the catalog (migration 061). */
  catalog_version: number;
  default_language: string;
  gstin: string | null;
  description: string;
  logo: string | null;
  banner: string | null;
  address: StoreAddress | null;
  hours: OpeningHours | null;
  time_zone: string;
  delivery_areas: DeliveryArea[];
  /** The store's own WhatsApp Business number in the Cloud API (migration 131), or null: the shared number. */
  whatsapp_phone_number_id: string | null;
  /** false: chat messages go unanswered by the bot (the owner's own app handles them). */
  whatsapp_bot: boolean;
}

export type StoreAddress = { line1: string; line2?: string | null; city: string; pincode: string };

export const STORE_COLUMNS =
  'id, slug, name, currency, whatsapp, is_open, delivery_fee, free_above, min_order, pickup, cod, upi_vpa, ' +
  'catalog_version, ' +
  'default_language, gstin, description, logo, banner, address, hours, time_zone, delivery_areas, ' +
  'whatsapp_phone_number_id, whatsapp_bot, whatsapp_verified_at';

/** The stores columns as `alias.column`, for statements that join stores to something else. */
export const storeColumnsOf = (alias: string): string =>
  STORE_COLUMNS.split(', ')
    .map((c) => `${alias}.${c}`)
    .join(', ');

export async function findStoreBySlug(q: Queryable, slug: string): Promise<StoreRow | null> {
  const { rows } = await q.query<StoreRow>(`SELECT ${STORE_COLUMNS} FROM stores WHERE slug = $1`, [slug]);
  return rows[0] ?? null;
}

export async function selectStoreById(q: Queryable, storeId: string): Promise<StoreRow | null> {
  const { rows } = await q.query<StoreRow>(`SELECT ${STORE_COLUMNS} FROM stores WHERE id = $1`, [storeId]);
  return rows[0] ?? null;
}

/** The slugs `base` and `base-N` already taken. */
export async function selectSlugsLike(q: Queryable, base: string): Promise<string[]> {
  const { rows } = await q.query<{ slug: string }>(
    `SELECT slug FROM stores WHERE slug = $1 OR slug ~ ('^' || $1 || '-[0-9]+$')`,
    [base],
  );
  return rows.map((r) => r.slug);
}

/** Inserts a store; null when the slug is taken. */
export async function insertStore(
  q: Queryable,
  s: { id: string; slug: string; name: string; whatsapp: string | null; currency: string },
): Promise<StoreRow | null> {
  const { rows } = await q.query<StoreRow>(
    `INSERT INTO stores (id, slug, name, whatsapp, currency) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (slug) DO NOTHING RETURNING ${STORE_COLUMNS}`,
    [s.id, s.slug, s.name, s.whatsapp, s.currency],
  );
  return rows[0] ?? null;
}

export type StoreRole = 'owner' | 'staff';

export async function selectMemberRole(q: Queryable, storeId: string, merchantId: string): Promise<StoreRole | null> {
  const { rows } = await q.query<{ role: StoreRole }>(
    `SELECT role FROM store_members WHERE store_id = $1 AND merchant_id = $2`,
    [storeId, merchantId],
  );
  return rows[0]?.role ?? null;
}

export async function insertStoreMember(
  q: Queryable,
  storeId: string,
  merchantId: string,
  role: StoreRole,
): Promise<void> {
  await q.query(`INSERT INTO store_members (store_id, merchant_id, role) VALUES ($1, $2, $3)`, [
    storeId,
    merchantId,
    role,
  ]);
}

export async function selectStoresOfMerchant(q: Queryable, merchantId: string): Promise<StoreRow[]> {
  const { rows } = await q.query<StoreRow>(
    `SELECT ${storeColumnsOf('s')}
       FROM stores s JOIN store_members m ON m.store_id = s.id WHERE m.merchant_id = $1 ORDER BY s.created_at, s.id`,
    [merchantId],
  );
  return rows;
}

/** The columns a store update may change; an absent (undefined) field stays as it is. */
export type StoreChanges = Partial<Record<Exclude<keyof StoreRow, 'id' | 'slug' | 'catalog_version'>, unknown>>;

/** Writes the given changes and stamps updated_at; null when the store does not exist. */
export async function updateStoreRow(q: Queryable, storeId: string, changes: StoreChanges): Promise<StoreRow | null> {
  const sets: string[] = [];
  const params: unknown[] = [storeId];
  for (const [column, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  }
  const { rows } = await q.query<StoreRow>(
    `UPDATE stores SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1 RETURNING ${STORE_COLUMNS}`,
    params,
  );
  return rows[0] ?? null;
}

/** Marks the store's number verified when it is `phone` (the owner's own, or the one a code was confirmed for). */
export async function markWhatsappVerified(q: Queryable, storeId: string, phone: string): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE stores SET whatsapp_verified_at = now(), updated_at = now() WHERE id = $1 AND whatsapp = $2`,
    [storeId, phone],
  );
  return rowCount === 1;
}

/** The phone of the store's owner when it is `merchantId`, else null. */
export async function ownerPhone(q: Queryable, storeId: string, merchantId: string): Promise<string | null> {
  const { rows } = await q.query<{ phone: string }>(
    `SELECT m.phone FROM store_members sm JOIN merchants m ON m.id = sm.merchant_id
      WHERE sm.store_id = $1 AND sm.merchant_id = $2 AND sm.role = 'owner'`,
    [storeId, merchantId],
  );
  return rows[0]?.phone ?? null;
}

export interface WhatsappCodeRow {
  phone: string;
  salt: string;
  code_hash: string;
  attempts: number;
  live: boolean;
  age_seconds: number;
}

/** The store's current verification code, locked. */
export async function lockWhatsappCode(q: Queryable, storeId: string): Promise<WhatsappCodeRow | null> {
  const { rows } = await q.query<WhatsappCodeRow>(
    `SELECT phone, salt, code_hash, attempts, expires_at > now() AS live,
            extract(epoch FROM now() - created_at)::float8 AS age_seconds
       FROM store_whatsapp_codes WHERE store_id = $1 FOR UPDATE`,
    [storeId],
  );
  return rows[0] ?? null;
}

export async function putWhatsappCode(
  q: Queryable,
  c: { storeId: string; phone: string; salt: string; codeHash: string; ttlMinutes: number },
): Promise<void> {
  await q.query(
    `INSERT INTO store_whatsapp_codes (store_id, phone, salt, code_hash, expires_at)
     VALUES ($1, $2, $3, $4, now() + make_interval(mins => $5))
     ON CONFLICT (store_id) DO UPDATE SET phone = EXCLUDED.phone, salt = EXCLUDED.salt, code_hash = EXCLUDED.code_hash,
       attempts = 0, expires_at = EXCLUDED.expires_at, created_at = now()`,
    [c.storeId, c.phone, c.salt, c.codeHash, c.ttlMinutes],
  );
}

export async function countWhatsappCodeTry(q: Queryable, storeId: string): Promise<void> {
  await q.query(`UPDATE store_whatsapp_codes SET attempts = attempts + 1 WHERE store_id = $1`, [storeId]);
}

export async function deleteWhatsappCode(q: Queryable, storeId: string): Promise<void> {
  await q.query(`DELETE FROM store_whatsapp_codes WHERE store_id = $1`, [storeId]);
}
