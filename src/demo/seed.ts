/**
 * The demo store `npm start` opens on an empty database: a small Indian kirana with a realistic catalog, so the
 * storefront, the cart and the dashboard have something to show. Signs in as DEMO_PHONE with DEMO_CODE.
 */
import { inTx, type Db, type Queryable } from '../db/db.js';
import { newId } from '../shared/ids.js';
import { createCategory } from '../catalog/categories.service.js';
import { createProduct } from '../catalog/products.service.js';
import type { CreateProductInput } from '../catalog/catalog.schema.js';

export const DEMO_PHONE = '+919000000000';
export const DEMO_CODE = '123456';
export const DEMO_SLUG = 'demo';

type DemoProduct = Omit<CreateProductInput, 'categoryId'>;

// Prices in paise (₹62.00 = 6200). stock omitted = not tracked.
const CATALOG: { category: string; products: DemoProduct[] }[] = [
  {
    category: 'Atta, Rice & Dal',
    products: [
      {
        name: 'Aashirvaad Shudh Chakki Atta',
        description: 'Whole wheat flour, stone-ground for soft rotis.',
        variants: [
          { name: '1 kg', price: 6200, mrp: 6800, stock: 40 },
          { name: '5 kg', price: 28500, mrp: 31000, stock: 25 },
          { name: '10 kg', price: 54500, mrp: 59000, stock: 10 },
        ],
      },
      {
        name: 'India Gate Basmati Rice Classic',
        description: 'Long-grain aged basmati for biryani and pulao.',
        variants: [
          { name: '1 kg', price: 19900, mrp: 22500, stock: 30 },
          { name: '5 kg', price: 92500, mrp: 105000, stock: 8 },
        ],
      },
      {
        name: 'Tata Sampann Toor Dal',
        description: 'Unpolished arhar dal.',
        variants: [
          { name: '500 g', price: 8900, mrp: 9900, stock: 20 },
          { name: '1 kg', price: 16900, mrp: 18900, stock: 12 },
        ],
      },
      {
        name: 'Moong Dal (loose)',
        description: 'Yellow split moong, weighed at the counter.',
        unit: '1 kg',
        price: 13000,
      },
      {
        name: 'Kabuli Chana',
        description: 'Large white chickpeas for chole.',
        unit: '500 g',
        price: 8500,
        mrp: 9500,
        stock: 0,
      },
      { name: 'Tata Salt', description: 'Vacuum-evaporated iodised salt.', unit: '1 kg', price: 2800, mrp: 2800 },
    ],
  },
  {
    category: 'Oil, Ghee & Masala',
    products: [
      { name: 'Fortune Sunlite Refined Sunflower Oil', unit: '1 L pouch', price: 14500, mrp: 16500, stock: 35 },
      {
        name: 'Amul Pure Ghee',
        description: 'Made from fresh cream.',
        variants: [
          { name: '500 ml', price: 32500, mrp: 34000, stock: 12 },
          { name: '1 L', price: 63000, mrp: 66000, stock: 6 },
        ],
      },
      { name: 'Saffola Gold Blended Oil', unit: '1 L', price: 18900, mrp: 21000, stock: 18 },
      { name: 'MDH Garam Masala', unit: '100 g', price: 8200, mrp: 8700, stock: 16 },
      { name: 'Everest Haldi Powder', unit: '200 g', price: 6400, mrp: 7000 },
    ],
  },
  {
    category: 'Dairy & Bread',
    products: [
      { name: 'Amul Taaza Toned Milk', description: 'Delivered fresh every morning.', unit: '500 ml', price: 2900 },
      {
        name: 'Amul Butter',
        description: 'Pasteurised, salted.',
        variants: [
          { name: '100 g', price: 5800, mrp: 6000, stock: 24 },
          { name: '500 g', price: 28500, mrp: 29000, stock: 9 },
        ],
      },
      { name: 'Britannia Brown Bread', unit: '400 g', price: 5000, mrp: 5500, stock: 15 },
      { name: 'Mother Dairy Classic Dahi', unit: '400 g cup', price: 4000 },
      { name: 'Amul Malai Paneer', unit: '200 g', price: 9000, mrp: 9500, stock: 10 },
    ],
  },
  {
    category: 'Snacks & Drinks',
    products: [
      {
        name: 'Parle-G Biscuits',
        variants: [
          { name: '250 g', price: 2500, stock: 60 },
          { name: '800 g', price: 8000, stock: 20 },
        ],
      },
      { name: "Haldiram's Aloo Bhujia", unit: '400 g', price: 11000, mrp: 12000, stock: 14 },
      {
        name: 'Tata Tea Premium',
        description: 'Strong chai, the way it should be.',
        variants: [
          { name: '250 g', price: 14500, mrp: 16000, stock: 20 },
          { name: '500 g', price: 28000, mrp: 31000, stock: 10 },
          { name: '1 kg', price: 54000, mrp: 60000, stock: 4 },
        ],
      },
      {
        name: 'Maggi 2-Minute Masala Noodles',
        variants: [
          { name: 'Pack of 4 (280 g)', price: 5600, mrp: 5600, stock: 40 },
          { name: 'Pack of 12 (840 g)', price: 16800, mrp: 16800, stock: 10 },
        ],
      },
      { name: 'Bru Instant Coffee', unit: '100 g jar', price: 29500, mrp: 32000, stock: 7 },
      // Seasonal: kept in the catalog but hidden from the storefront.
      { name: 'Diwali Dry Fruit Gift Box', unit: '500 g', price: 79900, mrp: 99900, stock: 5, isActive: false },
    ],
  },
];

async function createDemoMerchantAndStore(tx: Queryable): Promise<string> {
  const merchant = await tx.query<{ id: string }>(
    `INSERT INTO merchants (id, phone, name) VALUES ($1, $2, 'Demo Merchant')
     ON CONFLICT (phone) DO UPDATE SET phone = EXCLUDED.phone RETURNING id`,
    [newId(), DEMO_PHONE],
  );
  const storeId = newId();
  await tx.query(
    // The WhatsApp number is the owner's own phone: verified (migration 083).
    `INSERT INTO stores (id, slug, name, currency, whatsapp, whatsapp_verified_at, delivery_fee, free_above, pickup,
                         cod, upi_vpa)
     VALUES ($1, $2, 'Demo Kirana', 'INR', $3, now(), 3000, 50000, true, true, 'demo@upi')`,
    [storeId, DEMO_SLUG, DEMO_PHONE],
  );
  await tx.query(`INSERT INTO store_members (store_id, merchant_id, role) VALUES ($1, $2, 'owner')`, [
    storeId,
    merchant.rows[0]!.id,
  ]);
  return storeId;
}

/**
 * Creates the demo merchant, store (slug `demo`) and catalog in one transaction when no store has that slug.
 * Idempotent, and safe when several processes start at once (an advisory lock, then a second look).
 */
export async function ensureDemoStore(db: Db): Promise<void> {
  const existing = await db.query(`SELECT 1 FROM stores WHERE slug = $1`, [DEMO_SLUG]);
  if (existing.rows.length) return;
  await inTx(db, async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('dukaan:demo-seed'))`);
    const again = await tx.query(`SELECT 1 FROM stores WHERE slug = $1`, [DEMO_SLUG]);
    if (again.rows.length) return;
    const storeId = await createDemoMerchantAndStore(tx);
    for (const { category, products } of CATALOG) {
      const { id: categoryId } = await createCategory(tx, storeId, { name: category });
      for (const product of products) await createProduct(tx, storeId, { ...product, categoryId });
    }
  });
}
