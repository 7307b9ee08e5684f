import type { StoreRow } from './stores.repo.js';

/** A stores row as the database answers it, for unit tests of code that takes one (no database needed). */
export function storeRow(overrides: Partial<StoreRow> = {}): StoreRow {
  return {
    id: 's1',
    slug: 'shop',
    name: 'Shop',
    currency: 'INR',
    whatsapp: null,
    whatsapp_verified_at: null,
    is_open: true,
    delivery_fee: 3000,
    free_above: null,
    min_order: null,
    pickup: false,
    cod: true,
    upi_vpa: null,
    catalog_version: 1,
    default_language: 'en',
    gstin: null,
    description: '',
    logo: null,
    banner: null,
    address: null,
    hours: null,
    time_zone: 'Asia/Kolkata',
    delivery_areas: [],
    whatsapp_phone_number_id: null,
    whatsapp_bot: true,
    ...overrides,
  };
}
