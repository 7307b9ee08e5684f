import type { Db, Queryable } from '../db/db.js';
import type { Config } from '../config.js';
import { AppError, notFound, validationFailed } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { normalizeE164 } from '../shared/phone.js';
import { CoalescedReads } from '../shared/coalesced-reads.js';
import { RESERVED_SLUGS, slugFromStoreName } from './slug.js';
import type { CreateStoreInput, Store, UpdateStoreInput } from './stores.schema.js';
import { hoursProblems, storeIsOpen, type DeliveryArea, type OpeningHours } from './profile.js';

export interface StoreRow {
  id: string;
  slug: string;
  name: string;
  currency: string;
  whatsapp: string | null;
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
}

export type StoreAddress = { line1: string; line2?: string | null; city: string; pincode: string };

export const STORE_COLUMNS =
  'id, slug, name, currency, whatsapp, is_open, delivery_fee, free_above, min_order, pickup, cod, upi_vpa, catalog_version, ' +
  'default_language, gstin, description, logo, banner, address, hours, time_zone, delivery_areas';

/** Open now: the manual switch, and the opening hours when set (in the store's time zone). */
export const storeOpenNow = (row: StoreRow, now = new Date()): boolean =>
  storeIsOpen(row.is_open, row.hours, now, row.time_zone);

/** The profile fields of Store and the public store. */
export function storeProfile(
  row: StoreRow,
): Pick<Store, 'description' | 'logo' | 'banner' | 'address' | 'hours' | 'defaultLanguage' | 'gstin'> {
  return {
    description: row.description,
    logo: row.logo,
    banner: row.banner,
    address: row.address,
    hours: row.hours,
    defaultLanguage: row.default_language === 'hi' ? 'hi' : 'en',
    gstin: row.gstin,
  };
}

export const storeDelivery = (row: StoreRow): Store['delivery'] => ({
  fee: row.delivery_fee,
  freeAbove: row.free_above,
  minOrder: row.min_order,
  pickup: row.pickup,
  areas: row.delivery_areas,
});

export function storeUrl(config: Pick<Config, 'publicUrl'>, slug: string): string {
  return `${config.publicUrl}/${slug}`;
}

export function toStore(row: StoreRow, config: Pick<Config, 'publicUrl'>): Store {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    currency: row.currency,
    whatsapp: row.whatsapp,
    isOpen: row.is_open,
    url: storeUrl(config, row.slug),
    delivery: storeDelivery(row),
    payments: { cod: row.cod, upiVpa: row.upi_vpa },
    openNow: storeOpenNow(row),
    ...storeProfile(row),
  };
}

function whatsappOrFail(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const phone = normalizeE164(value);
  if (!phone)
    throw validationFailed('whatsapp must be a valid number in E.164', [
      { code: 'invalid', path: '/whatsapp', message: 'not a valid E.164 phone number' },
    ]);
  return phone;
}

export async function createStore(
  db: Db,
  merchantId: string,
  input: CreateStoreInput,
  config: Pick<Config, 'publicUrl'>,
): Promise<Store> {
  const whatsapp = whatsappOrFail(input.whatsapp) ?? null;
  if (input.slug !== undefined && RESERVED_SLUGS.has(input.slug)) {
    throw validationFailed(`"${input.slug}" is reserved`, [
      { code: 'reserved', path: '/slug', message: 'is a reserved word' },
    ]);
  }
  return db.tx(async (tx) => {
    let slug = input.slug;
    if (slug === undefined) {
      // A derived slug that is taken gets the first free numeric suffix.
      const base = slugFromStoreName(input.name);
      const { rows } = await tx.query<{ slug: string }>(
        `SELECT slug FROM stores WHERE slug = $1 OR slug ~ ('^' || $1 || '-[0-9]+$')`,
        [base],
      );
      const taken = new Set(rows.map((r) => r.slug));
      slug = base;
      for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
    }
    const id = newId();
    const { rows } = await tx.query<StoreRow>(
      `INSERT INTO stores (id, slug, name, whatsapp, currency) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (slug) DO NOTHING RETURNING ${STORE_COLUMNS}`,
      [id, slug, input.name, whatsapp, input.currency ?? 'INR'],
    );
    if (!rows[0]) throw new AppError(409, 'slug_taken', `The link "${slug}" is taken; choose another`);
    await tx.query(`INSERT INTO store_members (store_id, merchant_id, role) VALUES ($1, $2, 'owner')`, [
      id,
      merchantId,
    ]);
    return toStore(rows[0], config);
  });
}

export async function getStoreRow(q: Queryable, storeId: string): Promise<StoreRow> {
  const { rows } = await q.query<StoreRow>(`SELECT ${STORE_COLUMNS} FROM stores WHERE id = $1`, [storeId]);
  if (!rows[0]) throw notFound('Store not found');
  return rows[0];
}

/** The stores columns as `alias.column`, for statements that join stores to something else. */
export const storeColumnsOf = (alias: string): string =>
  STORE_COLUMNS.split(', ')
    .map((c) => `${alias}.${c}`)
    .join(', ');

async function findStoreBySlug(q: Queryable, slug: string): Promise<StoreRow | null> {
  const { rows } = await q.query<StoreRow>(`SELECT ${STORE_COLUMNS} FROM stores WHERE slug = $1`, [slug]);
  return rows[0] ?? null;
}

export async function getStoreBySlug(q: Queryable, slug: string): Promise<StoreRow> {
  const row = await findStoreBySlug(q, slug);
  if (!row) throw notFound('Store not found');
  return row;
}

const sharedStoreReads = new WeakMap<Queryable, CoalescedReads<string, StoreRow | null>>();

/**
 * The store a storefront URL names (the JSON storefront and the pages): the slug is case-insensitive, and one that
 * cannot be a slug is 404 without a query. Concurrent requests for one store in this process share a read that
 * began after each of them arrived (CoalescedReads), so it is exactly as fresh as a read of its own — every
 * storefront request starts here, for the row's catalog_version. The row is shared: callers must not change it.
 */
export async function getStorefrontStoreRow(db: Queryable, slug: string): Promise<StoreRow> {
  const normalised = slug.toLowerCase();
  if (!/^[a-z0-9-]{1,40}$/.test(normalised)) throw notFound('Store not found');
  let reads = sharedStoreReads.get(db);
  if (!reads) {
    reads = new CoalescedReads();
    sharedStoreReads.set(db, reads);
  }
  const row = await reads.read(normalised, () => findStoreBySlug(db, normalised));
  if (!row) throw notFound('Store not found');
  return row;
}

export async function listStoresOfMerchant(
  q: Queryable,
  merchantId: string,
  config: Pick<Config, 'publicUrl'>,
): Promise<Store[]> {
  const { rows } = await q.query<StoreRow>(
    `SELECT ${storeColumnsOf('s')}
       FROM stores s JOIN store_members m ON m.store_id = s.id WHERE m.merchant_id = $1 ORDER BY s.created_at, s.id`,
    [merchantId],
  );
  return rows.map((r) => toStore(r, config));
}

/** PATCH semantics: absent fields stay; `delivery` and `payments` merge field by field. */
export async function updateStore(
  db: Db,
  storeId: string,
  input: UpdateStoreInput,
  config: Pick<Config, 'publicUrl'>,
): Promise<Store> {
  const whatsapp = whatsappOrFail(input.whatsapp);
  const badHours = input.hours ? hoursProblems(input.hours as OpeningHours) : [];
  if (badHours.length)
    throw validationFailed(
      'Opening hours are spans of "HH:MM" times, each opening before it closes',
      badHours.map((path) => ({ code: 'invalid', path, message: 'from "HH:MM" to a later "HH:MM"' })),
    );
  const sets: string[] = [];
  const params: unknown[] = [storeId];
  const set = (column: string, value: unknown) => {
    if (value === undefined) return;
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  };
  set('name', input.name);
  set('whatsapp', whatsapp);
  set('is_open', input.isOpen);
  set('delivery_fee', input.delivery?.fee);
  set('free_above', input.delivery?.freeAbove);
  set('min_order', input.delivery?.minOrder);
  set('pickup', input.delivery?.pickup);
  set('cod', input.payments?.cod);
  set('upi_vpa', input.payments?.upiVpa);
  set('delivery_areas', input.delivery?.areas === undefined ? undefined : JSON.stringify(input.delivery.areas));
  set('description', input.description);
  set('logo', input.logo);
  set('banner', input.banner);
  set('address', input.address === undefined ? undefined : input.address && JSON.stringify(input.address));
  set('hours', input.hours === undefined ? undefined : input.hours && JSON.stringify(input.hours));
  set('default_language', input.defaultLanguage);
  set('gstin', input.gstin);
  const { rows } = await db.query<StoreRow>(
    `UPDATE stores SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1 RETURNING ${STORE_COLUMNS}`,
    params,
  );
  if (!rows[0]) throw notFound('Store not found');
  return toStore(rows[0], config);
}
