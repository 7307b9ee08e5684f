import { inTx, serverKeyOf, type DbOrTx, type Queryable } from '../db/db.js';
import type { Config } from '../config.js';
import { AppError, conflict, notFound, validationFailed, type ProblemItem } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { normalizeE164 } from '../shared/phone.js';
import { CoalescedReads } from '../shared/coalesced-reads.js';
import { RESERVED_SLUGS, slugFromStoreName } from './slug.js';
import type { CreateStoreInput, Store, UpdateStoreInput } from './stores.schema.js';
import {
  findStoreBySlug,
  insertStore,
  insertStoreMember,
  selectSlugsLike,
  selectStoreById,
  selectStoresOfMerchant,
  updateStoreRow,
  deleteWhatsappCode,
  markWhatsappVerified,
  ownerPhone,
  type StoreChanges,
  type StoreRow,
} from './stores.repo.js';

export type { StoreRow } from './stores.repo.js';
import {
  deliveryAreaProblems,
  deliveryTo,
  hoursProblems,
  pincodeShapeOk,
  storeIsOpen,
  type OpeningHours,
} from './profile.js';

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
    whatsappVerified: row.whatsapp !== null && row.whatsapp_verified_at !== null,
    isOpen: row.is_open,
    url: storeUrl(config, row.slug),
    delivery: storeDelivery(row),
    payments: { cod: row.cod, upiVpa: row.upi_vpa },
    openNow: storeOpenNow(row),
    ...storeProfile(row),
    whatsappPhoneNumberId: row.whatsapp_phone_number_id,
    whatsappBot: row.whatsapp_bot,
  };
}

/** A WhatsApp number connected to another store is a unique violation: 409, not 500. */
async function updateStoreRowOr409(db: Queryable, storeId: string, changes: StoreChanges): Promise<StoreRow | null> {
  try {
    return await updateStoreRow(db, storeId, changes);
  } catch (err) {
    if ((err as { code?: string }).code === '23505')
      throw conflict('This WhatsApp number is connected to another store');
    throw err;
  }
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
  db: DbOrTx,
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
  return inTx(db, async (tx) => {
    let slug = input.slug;
    if (slug === undefined) {
      // A derived slug that is taken gets the first free numeric suffix.
      const base = slugFromStoreName(input.name);
      const taken = new Set(await selectSlugsLike(tx, base));
      slug = base;
      for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
    }
    const id = newId();
    const row = await insertStore(tx, { id, slug, name: input.name, whatsapp, currency: input.currency ?? 'INR' });
    if (!row) throw new AppError('slug_taken', `The link "${slug}" is taken; choose another`);
    await insertStoreMember(tx, id, merchantId, 'owner');
    // The owner's own signed-in phone needs no code; any other number waits for one (src/stores/whatsapp-verify.ts).
    if (whatsapp && (await ownerPhone(tx, id, merchantId)) === whatsapp) {
      await markWhatsappVerified(tx, id, whatsapp);
      return toStore((await selectStoreById(tx, id))!, config);
    }
    return toStore(row, config);
  });
}

export async function getStoreRow(q: Queryable, storeId: string): Promise<StoreRow> {
  const row = await selectStoreById(q, storeId);
  if (!row) throw notFound('Store not found');
  return row;
}

export async function getStoreBySlug(q: Queryable, slug: string): Promise<StoreRow> {
  const row = await findStoreBySlug(q, slug);
  if (!row) throw notFound('Store not found');
  return row;
}

const sharedStoreReads = new WeakMap<object, CoalescedReads<string, StoreRow | null>>();

/**
 * The store a storefront URL names (the JSON storefront and the pages): the slug is case-insensitive, and one that
 * cannot be a slug is 404 without a query. Concurrent requests for one store in this process share a read that
 * began after each of them arrived (CoalescedReads), so it is exactly as fresh as a read of its own — every
 * storefront request starts here, for the row's catalog_version. The row is shared: callers must not change it.
 */
export async function getStorefrontStoreRow(db: Queryable, slug: string): Promise<StoreRow> {
  const normalised = slug.toLowerCase();
  if (!/^[a-z0-9-]{1,40}$/.test(normalised)) throw notFound('Store not found');
  // Shared per server: requests on one replica share its reads, never a read of the primary or another replica.
  const server = serverKeyOf(db);
  let reads = sharedStoreReads.get(server);
  if (!reads) {
    reads = new CoalescedReads();
    sharedStoreReads.set(server, reads);
  }
  const row = await reads.read(normalised, () => findStoreBySlug(db, normalised));
  if (!row) throw notFound('Store not found');
  return row;
}

/**
 * `GET /storefront/{slug}/delivery?pincode=`: whether the store delivers there, and the fee. A PIN that checkout
 * would refuse (an INR store's PIN is 6 digits) is `422`, not a "yes" the customer's order would then be refused on.
 */
export function deliveryCheck(row: StoreRow, pincode: string): { delivers: boolean; fee: number } {
  if (!pincodeShapeOk(row.currency, pincode))
    throw validationFailed(
      'A PIN code is 6 digits',
      [{ code: 'invalid', path: 'querystring/pincode', message: 'a PIN code is 6 digits' }],
      422,
    );
  return deliveryTo(row.delivery_areas, row.delivery_fee, pincode);
}

export async function listStoresOfMerchant(
  q: Queryable,
  merchantId: string,
  config: Pick<Config, 'publicUrl'>,
): Promise<Store[]> {
  return (await selectStoresOfMerchant(q, merchantId)).map((r) => toStore(r, config));
}

/** PATCH semantics: absent fields stay; `delivery` and `payments` merge field by field. */
export async function updateStore(
  db: DbOrTx,
  storeId: string,
  input: UpdateStoreInput,
  config: Pick<Config, 'publicUrl'>,
  /** the signed-in merchant: a number that is the owner's own phone is verified at once */
  merchantId: string | null = null,
): Promise<Store> {
  const whatsapp = whatsappOrFail(input.whatsapp);
  const badHours = input.hours ? hoursProblems(input.hours as OpeningHours) : [];
  if (badHours.length)
    throw validationFailed(
      'Opening hours are spans of "HH:MM" times, each opening before it closes',
      badHours.map((path) => ({ code: 'invalid', path, message: 'from "HH:MM" to a later "HH:MM"' })),
    );
  return inTx(db, (tx) => updateStoreIn(tx, storeId, input, whatsapp, config, merchantId));
}

/**
 * What the schema cannot see: an address PIN of the wrong shape for the store's currency (checkout would refuse
 * the same PIN from a customer), and a PIN prefix listed twice in the delivery areas.
 */
function profileValueProblems(input: UpdateStoreInput, currency: string): ProblemItem[] {
  const problems: ProblemItem[] = [];
  if (input.address && !pincodeShapeOk(currency, input.address.pincode))
    problems.push({ code: 'invalid', path: '/address/pincode', message: 'a PIN code is 6 digits' });
  for (const path of deliveryAreaProblems(input.delivery?.areas ?? []))
    problems.push({ code: 'duplicate', path, message: 'this PIN prefix is listed already' });
  return problems;
}

async function updateStoreIn(
  tx: Queryable,
  storeId: string,
  input: UpdateStoreInput,
  whatsapp: string | null | undefined,
  config: Pick<Config, 'publicUrl'>,
  merchantId: string | null,
): Promise<Store> {
  const before = await selectStoreById(tx, storeId);
  if (!before) throw notFound('Store not found');
  const problems = profileValueProblems(input, before.currency);
  if (problems.length) throw validationFailed('Some store settings cannot work as given', problems, 422);
  // A new number is unverified until a code sent to it comes back, or it is the owner's own signed-in phone.
  const numberChanged = whatsapp !== undefined && whatsapp !== before.whatsapp;
  const ownPhone = numberChanged && merchantId && whatsapp ? await ownerPhone(tx, storeId, merchantId) : null;
  const row = await updateStoreRowOr409(tx, storeId, {
    whatsapp_verified_at: numberChanged ? (ownPhone !== null && ownPhone === whatsapp ? new Date() : null) : undefined,
    name: input.name,
    whatsapp,
    is_open: input.isOpen,
    delivery_fee: input.delivery?.fee,
    free_above: input.delivery?.freeAbove,
    min_order: input.delivery?.minOrder,
    pickup: input.delivery?.pickup,
    cod: input.payments?.cod,
    upi_vpa: input.payments?.upiVpa,
    delivery_areas: input.delivery?.areas === undefined ? undefined : JSON.stringify(input.delivery.areas),
    description: input.description,
    logo: input.logo,
    banner: input.banner,
    address: input.address === undefined ? undefined : input.address && JSON.stringify(input.address),
    hours: input.hours === undefined ? undefined : input.hours && JSON.stringify(input.hours),
    default_language: input.defaultLanguage,
    gstin: input.gstin,
    whatsapp_phone_number_id: input.whatsappPhoneNumberId,
    whatsapp_bot: input.whatsappBot,
  });
  if (!row) throw notFound('Store not found');
  if (numberChanged) await deleteWhatsappCode(tx, storeId);
  return toStore(row, config);
}
