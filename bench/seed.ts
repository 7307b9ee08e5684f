/**
 * `npm run bench:seed -- --stores 1000 --products 200000`: a platform-sized catalog in a PostgreSQL database made
 * for benchmarks (default `dukaan_bench`, dropped and created anew), migrated with the app's own migrations.
 *
 * Shapes: store sizes follow a long tail; each product has 1–5 variants from one family (sizes, weights, packs…);
 * most products are in a category; some are out of stock, untracked, inactive or archived; names are built from
 * word lists so trigram search meets shared and rare words. One store, `bench`, always has --bench-products
 * products (the scenarios hit it, so the scale curve compares the same store at every platform size), with
 * plentiful stock and one product `flash-sale` for the flash-sale scenario.
 *
 * Speed: the secondary indexes and foreign keys of the catalog tables are dropped (their definitions read back
 * from the catalog first), the rows are streamed with COPY on two connections at once, then everything is
 * rebuilt from the saved definitions and the tables vacuumed and analysed: the schema afterwards is exactly the
 * migrated one.
 */
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createPgDb } from '../src/db/pg.js';
import { migrate } from '../src/db/migrate.js';
import { slugify } from '../src/stores/slug.js';
import { ArgError, databaseName, formatCount, parseSeedArgs, withDatabase, type SeedOptions } from './lib/args.js';
import { Rng, longTail, uuidv7At } from './lib/random.js';
import {
  ADJECTIVES,
  BRANDS,
  CATEGORY_NAMES,
  DESCRIPTION_WORDS,
  NOUNS,
  QUALIFIERS,
  STORE_WORDS,
  VARIANT_FAMILIES,
} from './lib/words.js';

export const BENCH_SLUG = 'bench';
export const FLASH_PRODUCT_SLUG = 'flash-sale';
/** Stock of the bench store's in-stock variants: checkouts for minutes never run it out. */
export const PLENTIFUL_STOCK = 1_000_000;
/** Bumped when the generated shapes change, so a database seeded by an older generator is not reused. */
export const SEED_VERSION = 1;

export interface SeedInfo {
  version: number;
  products: number;
  stores: number;
  benchProducts: number;
  seed: number;
  variants: number;
  seconds: number;
}

export interface SeedResult extends SeedInfo {
  phases: Record<string, number>;
}

const CATALOG_TABLES = ['categories', 'products', 'variants'];
const DAY = 24 * 3600 * 1000;

type Log = (line: string) => void;

function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name))
    throw new ArgError(`database name "${name}" must be lower-case letters, digits and _`);
  return `"${name}"`;
}

/** COPY text format: backslash, tab and newlines escaped; null is \N. */
function cell(value: string | number | boolean | null): string {
  if (value === null) return '\\N';
  if (typeof value !== 'string') return String(value);
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'))
    : value;
}

const row = (values: (string | number | boolean | null)[]): string => values.map(cell).join('\t') + '\n';

/** The seed record of a database, or null when it was never (completely) seeded. */
export async function readSeedInfo(databaseUrl: string): Promise<SeedInfo | null> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
  } catch {
    return null;
  }
  try {
    const exists = await client.query(`SELECT to_regclass('bench_seed') IS NOT NULL AS ok`);
    if (!exists.rows[0]?.ok) return null;
    const { rows } = await client.query<{ info: SeedInfo }>(
      `SELECT info FROM bench_seed ORDER BY finished_at DESC LIMIT 1`,
    );
    return rows[0]?.info ?? null;
  } finally {
    await client.end();
  }
}

async function recreateDatabase(opts: SeedOptions, log: Log): Promise<void> {
  const name = databaseName(opts.databaseUrl);
  if (!name.startsWith('dukaan_bench') && !opts.force) {
    throw new ArgError(
      `refusing to drop database "${name}": benchmark databases are named dukaan_bench*, or pass --force`,
    );
  }
  const admin = new pg.Client({ connectionString: withDatabase(opts.databaseUrl, 'postgres') });
  await admin.connect();
  try {
    log(`dropping and creating database ${name}`);
    await admin.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${ident(name)}`);
  } finally {
    await admin.end();
  }
}

interface SavedSchema {
  indexes: string[];
  uniques: string[];
  foreignKeys: string[];
}

/** Reads back, then drops, the catalog tables' secondary indexes, unique constraints and foreign keys. */
async function dropSecondary(client: pg.Client): Promise<SavedSchema> {
  const constraints = await client.query<{ tbl: string; name: string; type: string; def: string }>(
    `SELECT conrelid::regclass::text AS tbl, conname AS name, contype AS type, pg_get_constraintdef(oid) AS def
       FROM pg_constraint WHERE conrelid = ANY($1::regclass[]) AND contype IN ('u', 'f')`,
    [CATALOG_TABLES],
  );
  const indexes = await client.query<{ name: string; def: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
       FROM pg_index i
      WHERE i.indrelid = ANY($1::regclass[]) AND NOT i.indisprimary
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
    [CATALOG_TABLES],
  );
  const saved: SavedSchema = { indexes: [], uniques: [], foreignKeys: [] };
  for (const c of constraints.rows) {
    const add = `ALTER TABLE ${c.tbl} ADD CONSTRAINT ${c.name} ${c.def}`;
    (c.type === 'u' ? saved.uniques : saved.foreignKeys).push(add);
    await client.query(`ALTER TABLE ${c.tbl} DROP CONSTRAINT ${c.name}`);
  }
  for (const i of indexes.rows) {
    saved.indexes.push(i.def);
    await client.query(`DROP INDEX ${i.name}`);
  }
  return saved;
}

/** Runs statements on two connections at once (the machine has two cores; index builds are CPU-bound). */
async function runParallel(clients: pg.Client[], statements: string[], log: Log): Promise<void> {
  const queue = [...statements];
  await Promise.all(
    clients.map(async (client) => {
      for (let sql = queue.shift(); sql !== undefined; sql = queue.shift()) {
        const started = Date.now();
        await client.query(sql);
        log(`  ${((Date.now() - started) / 1000).toFixed(1)} s  ${sql.length > 110 ? sql.slice(0, 107) + '...' : sql}`);
      }
    }),
  );
}

async function write(stream: NodeJS.WritableStream, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

class CopyWriter {
  private parts: string[] = [];
  private size = 0;
  readonly stream: NodeJS.WritableStream;

  constructor(client: pg.Client, table: string, columns: string[]) {
    this.stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  }

  async add(line: string): Promise<void> {
    this.parts.push(line);
    this.size += line.length;
    if (this.size >= 256 * 1024) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.parts.length) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    await write(this.stream, chunk);
  }

  async end(): Promise<void> {
    await this.flush();
    this.stream.end();
    await finished(this.stream);
  }
}

interface StorePlan {
  id: string;
  slug: string;
  size: number;
  categoryIds: string[];
  isBench: boolean;
}

function productName(rng: Rng): string {
  const parts = [rng.pick(BRANDS), rng.pick(ADJECTIVES), rng.pick(NOUNS)];
  if (rng.chance(0.4)) parts.push(rng.pick(NOUNS));
  if (rng.chance(0.5)) parts.push(rng.pick(QUALIFIERS));
  return parts.join(' ');
}

function description(rng: Rng): string {
  const n = rng.int(6, 18);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(rng.pick(DESCRIPTION_WORDS));
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1) + '.';
}

/** 1 variant for most products, up to 5 for a few: 45 / 20 / 17 / 10 / 8 %. */
function variantCount(rng: Rng): number {
  const r = rng.next();
  return r < 0.45 ? 1 : r < 0.65 ? 2 : r < 0.82 ? 3 : r < 0.92 ? 4 : 5;
}

/** Prices spread log-uniformly from ₹10 to ₹5,000, in paise. */
function price(rng: Rng): number {
  return Math.round(Math.exp(Math.log(1000) + rng.next() * (Math.log(500_000) - Math.log(1000))) / 100) * 100;
}

function stock(rng: Rng, isBench: boolean): number | null {
  const r = rng.next();
  if (isBench) return r < 0.05 ? 0 : r < 0.1 ? null : PLENTIFUL_STOCK;
  return r < 0.12 ? 0 : r < 0.27 ? null : rng.int(1, 500);
}

export async function seedDatabase(
  opts: SeedOptions,
  log: Log = (l) => process.stdout.write(l + '\n'),
): Promise<SeedResult> {
  const started = Date.now();
  const phases: Record<string, number> = {};
  let mark = Date.now();
  const phase = (name: string) => {
    phases[name] = (Date.now() - mark) / 1000;
    mark = Date.now();
  };

  await recreateDatabase(opts, log);
  const db = createPgDb(opts.databaseUrl, { max: 1 });
  try {
    const { from, to } = await migrate(db);
    log(`migrated ${from} → ${to}`);
  } finally {
    await db.close();
  }
  phase('create + migrate');

  const clients = [
    new pg.Client({ connectionString: opts.databaseUrl }),
    new pg.Client({ connectionString: opts.databaseUrl }),
  ];
  await Promise.all(clients.map((c) => c.connect()));
  const [a, b] = clients as [pg.Client, pg.Client];
  try {
    // replica role: no triggers fire for these sessions' rows. The catalog_version triggers (migration 061) would
    // otherwise queue one deferred store update per loaded product and variant (millions) and run them at commit;
    // a fresh catalog needs no version bumps.
    for (const c of clients)
      await c.query(
        `SET synchronous_commit = off; SET maintenance_work_mem = '512MB'; SET session_replication_role = replica`,
      );
    const saved = await dropSecondary(a);
    log(
      `dropped ${saved.indexes.length} indexes, ${saved.uniques.length} unique constraints, ${saved.foreignKeys.length} foreign keys for the load`,
    );

    const rng = new Rng(opts.seed);
    // The catalog "grew" over the last year: ids and created_at agree, products strictly in time order.
    const now = Date.now();
    const start = now - 365 * DAY;
    const step = Math.max(1, Math.floor((364 * DAY) / opts.products));

    // ---- merchants, stores, members
    const otherSizes = longTail(opts.products - opts.benchProducts, opts.stores - 1);
    const stores: StorePlan[] = [];
    const merchants = new CopyWriter(a, 'merchants', ['id', 'phone', 'name', 'created_at']);
    const storeRows: string[] = [];
    const memberRows: string[] = [];
    for (let i = 0; i < opts.stores; i++) {
      const isBench = i === 0;
      const ms = start - DAY + i;
      const merchantId = uuidv7At(ms, 0, rng);
      const storeId = uuidv7At(ms, 1, rng);
      const created = new Date(ms).toISOString();
      const name = isBench ? 'Bench Bazaar' : `${rng.pick(BRANDS)} ${rng.pick(STORE_WORDS)}`;
      const slug = isBench ? BENCH_SLUG : `s${i}-${slugify(name, 30)}`;
      const size = isBench ? opts.benchProducts : otherSizes[i - 1]!;
      await merchants.add(row([merchantId, `+9170${String(i).padStart(8, '0')}`, `${name} owner`, created]));
      storeRows.push(
        row([
          storeId,
          slug,
          name,
          'INR',
          `+9198${String(i).padStart(8, '0')}`,
          true,
          4000,
          isBench || rng.chance(0.5) ? 50_000 : null,
          null,
          isBench || rng.chance(0.3),
          true,
          isBench || rng.chance(0.6) ? `${slug}@upi` : null,
          created,
          created,
        ]),
      );
      memberRows.push(row([storeId, merchantId, 'owner', created]));
      stores.push({ id: storeId, slug, size, categoryIds: [], isBench });
    }
    await merchants.end();
    const storeCopy = new CopyWriter(a, 'stores', [
      'id',
      'slug',
      'name',
      'currency',
      'whatsapp',
      'is_open',
      'delivery_fee',
      'free_above',
      'min_order',
      'pickup',
      'cod',
      'upi_vpa',
      'created_at',
      'updated_at',
    ]);
    for (const r of storeRows) await storeCopy.add(r);
    await storeCopy.end();
    const memberCopy = new CopyWriter(a, 'store_members', ['store_id', 'merchant_id', 'role', 'created_at']);
    for (const r of memberRows) await memberCopy.add(r);
    await memberCopy.end();

    // ---- categories: about √size / 2 per store, 1..30
    const categories = new CopyWriter(a, 'categories', ['id', 'store_id', 'name', 'slug', 'position', 'created_at']);
    let categoryCount = 0;
    for (const [i, store] of stores.entries()) {
      const n = store.isBench ? 12 : Math.min(30, Math.max(1, Math.round(Math.sqrt(store.size) / 2)));
      const offset = rng.int(0, CATEGORY_NAMES.length - 1);
      for (let c = 0; c < n; c++) {
        const name = CATEGORY_NAMES[(offset + c) % CATEGORY_NAMES.length]!;
        const ms = start - DAY / 2 + i * 40 + c;
        const id = uuidv7At(ms, 2, rng);
        store.categoryIds.push(id);
        await categories.add(row([id, store.id, name, slugify(name, 60), c, new Date(ms).toISOString()]));
        categoryCount++;
      }
    }
    await categories.end();
    phase('stores + categories');

    // ---- products and variants, interleaved across stores in time order, on two connections at once
    const owner = new Int32Array(opts.products);
    let k = 0;
    for (const [i, store] of stores.entries()) {
      owner.fill(i, k, k + store.size);
      k += store.size;
    }
    for (let i = owner.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      const t = owner[i]!;
      owner[i] = owner[j]!;
      owner[j] = t;
    }
    const products = new CopyWriter(a, 'products', [
      'id',
      'store_id',
      'category_id',
      'slug',
      'name',
      'description',
      'unit',
      'images',
      'is_active',
      'archived_at',
      'created_at',
      'updated_at',
    ]);
    const variants = new CopyWriter(b, 'variants', [
      'id',
      'product_id',
      'store_id',
      'name',
      'price',
      'mrp',
      'stock',
      'sku',
      'position',
      'created_at',
    ]);
    const slugsTaken = new Set<string>();
    let variantTotal = 0;
    let flashPlaced = false;
    const report = Math.max(1, Math.floor(opts.products / 10));
    for (let p = 0; p < opts.products; p++) {
      const storeIndex = owner[p]!;
      const store = stores[storeIndex]!;
      const ms = start + p * step;
      const created = new Date(ms).toISOString();
      const productId = uuidv7At(ms, 0, rng);
      const isFlash: boolean = store.isBench && !flashPlaced;
      flashPlaced ||= isFlash;
      const name = isFlash ? 'Flash Sale Alphonso Mango Box' : productName(rng);
      let slug = isFlash ? FLASH_PRODUCT_SLUG : slugify(name, 80);
      if (slugsTaken.has(`${storeIndex}/${slug}`)) {
        let n = 2;
        while (slugsTaken.has(`${storeIndex}/${slug}-${n}`)) n++;
        slug = `${slug}-${n}`;
      }
      slugsTaken.add(`${storeIndex}/${slug}`);
      const family = rng.pick(VARIANT_FAMILIES);
      const categoryId = rng.chance(0.1) ? null : rng.pick(store.categoryIds);
      const archived = !isFlash && rng.chance(0.02) ? created : null;
      const active = isFlash || rng.chance(0.97);
      await products.add(
        row([
          productId,
          store.id,
          categoryId,
          slug,
          name,
          description(rng),
          family.unit,
          `["/media/bench/${p % 5000}.webp"]`,
          active,
          archived,
          created,
          created,
        ]),
      );
      const n = isFlash ? 1 : variantCount(rng);
      const base = price(rng);
      for (let v = 0; v < n; v++) {
        const unitPrice = base * (v + 1) - (v > 0 ? Math.round((base * v) / 10 / 100) * 100 : 0);
        const mrp = isFlash
          ? 149_900
          : rng.chance(0.7)
            ? Math.round((unitPrice * (1 + rng.next() * 0.4)) / 100) * 100
            : null;
        await variants.add(
          row([
            uuidv7At(ms, v + 1, rng),
            productId,
            store.id,
            isFlash ? 'Box of 12' : family.names[v]!,
            isFlash ? 99_900 : unitPrice,
            mrp,
            isFlash ? 100 : stock(rng, store.isBench),
            rng.chance(0.5) ? `SKU-${p}-${v}` : null,
            v,
            created,
          ]),
        );
      }
      variantTotal += n;
      if ((p + 1) % report === 0)
        log(`  ${formatCount(p + 1)} products, ${variantTotal.toLocaleString('en-US')} variants`);
    }
    await Promise.all([products.end(), variants.end()]);
    phase('copy products + variants');

    log('rebuilding indexes and constraints');
    await runParallel(clients, saved.indexes, log);
    await runParallel(clients, saved.uniques, log);
    await runParallel(clients, saved.foreignKeys, log);
    phase('indexes + constraints');
    await runParallel(
      clients,
      [
        'VACUUM (ANALYZE) products',
        'VACUUM (ANALYZE) variants',
        'VACUUM (ANALYZE) categories, stores, merchants, store_members',
      ],
      log,
    );
    phase('vacuum analyze');

    const info: SeedInfo = {
      version: SEED_VERSION,
      products: opts.products,
      stores: opts.stores,
      benchProducts: opts.benchProducts,
      seed: opts.seed,
      variants: variantTotal,
      seconds: (Date.now() - started) / 1000,
    };
    await a.query(`CREATE TABLE bench_seed (info jsonb NOT NULL, finished_at timestamptz NOT NULL DEFAULT now())`);
    await a.query(`INSERT INTO bench_seed (info) VALUES ($1)`, [JSON.stringify(info)]);
    log(
      `seeded ${opts.stores.toLocaleString('en-US')} stores, ${categoryCount.toLocaleString('en-US')} categories, ` +
        `${opts.products.toLocaleString('en-US')} products, ${variantTotal.toLocaleString('en-US')} variants in ${info.seconds.toFixed(1)} s`,
    );
    return { ...info, phases };
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const opts = parseSeedArgs(process.argv.slice(2), process.env);
    const result = await seedDatabase(opts);
    process.stdout.write(
      `phases: ${Object.entries(result.phases)
        .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
        .join(', ')}\n`,
    );
  } catch (err) {
    if (err instanceof ArgError) {
      process.stderr.write(`bench:seed: ${err.message}\n`);
      process.exitCode = 2;
    } else {
      throw err;
    }
  }
}
