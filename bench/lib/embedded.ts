/**
 * `--embedded`: the checkout and flash-sale scenarios against the embedded database (PGlite inside the server, one
 * process, as `npm start` runs it), so the report says what one box without PostgreSQL does. The database belongs
 * to the server process, so the bench sets the store up through the API as a merchant would (the demo merchant's
 * fixed sign-in of a test number), and reads and resets the flash sale's stock through it too.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchOptions, ScenarioName } from './args.js';
import type { BenchStore } from './data.js';
import { probe, type Scenario, type ScenarioEnv, type ScenarioResult, type StockApi } from './scenario.js';
import { startDukaan, type ServerHandle } from './server.js';

/** The bench's merchant: a test number with a fixed code (OTP_TEST_NUMBERS), never messaged. */
const DEMO_PHONE = '+919000000000';
const DEMO_CODE = '123456';
/** Plentiful stock for the checkout flow's variants. */
const PLENTY = 1_000_000;
export const EMBEDDED_SCENARIOS: readonly ScenarioName[] = ['checkout', 'checkout-lines', 'flash'];

export interface EmbeddedRun {
  results: ScenarioResult[];
  notes: string[];
}

async function call(baseUrl: string, method: string, url: string, body: unknown, token?: string) {
  const res = await probe(baseUrl, method, url, body, token ? { authorization: `Bearer ${token}` } : {});
  if (res.status >= 300) throw new Error(`${method} ${url} answered ${res.status}: ${res.text.slice(0, 200)}`);
  return JSON.parse(res.text || 'null') as Record<string, unknown>;
}

/** A store of `products` one-variant products with plentiful stock and one flash-sale product, via the API. */
async function setUpStore(baseUrl: string, products: number): Promise<{ store: BenchStore; stockApi: StockApi }> {
  await call(baseUrl, 'POST', '/api/v1/auth/otp', { phone: DEMO_PHONE });
  const { token } = (await call(baseUrl, 'POST', '/api/v1/auth/verify', { phone: DEMO_PHONE, code: DEMO_CODE })) as {
    token: string;
  };
  const created = await call(baseUrl, 'POST', '/api/v1/stores', { name: 'Bench Embedded' }, token);
  const storeId = created.id as string;
  const base = `/api/v1/stores/${storeId}`;
  await call(baseUrl, 'PATCH', base, { delivery: { fee: 0, pickup: true } }, token);
  const productSlugs: string[] = [];
  const variantIds: string[] = [];
  const productOf = new Map<string, string>();
  const add = async (name: string, stock: number) => {
    const p = await call(baseUrl, 'POST', `${base}/products`, { name, price: 10_000, stock }, token);
    const variantId = (p.variants as { id: string }[])[0]!.id;
    productOf.set(variantId, p.id as string);
    return { slug: p.slug as string, variantId };
  };
  for (let i = 0; i < products; i++) {
    const p = await add(`Bench product ${i + 1}`, PLENTY);
    productSlugs.push(p.slug);
    variantIds.push(p.variantId);
  }
  const flash = await add('Flash sale', 0);
  const stockApi: StockApi = {
    async setStock(variantId, stock) {
      await call(baseUrl, 'POST', `${base}/variants/${variantId}/stock`, { set: stock }, token);
    },
    async stockOf(variantId) {
      const p = await call(baseUrl, 'GET', `${base}/products/${productOf.get(variantId)}`, undefined, token);
      return (p.variants as { id: string; stock: number | null }[]).find((v) => v.id === variantId)?.stock ?? null;
    },
  };
  return {
    store: { storeId, slug: created.slug as string, productSlugs, variantIds, flashVariantId: flash.variantId },
    stockApi,
  };
}

export async function runEmbedded(
  opts: BenchOptions,
  scenarios: Partial<Record<ScenarioName, Scenario>>,
  log: (line: string) => void,
): Promise<EmbeddedRun> {
  const names = opts.scenarios.filter((n) => EMBEDDED_SCENARIOS.includes(n) && scenarios[n]);
  const run: EmbeddedRun = { results: [], notes: [] };
  if (!names.length) return run;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dukaan-bench-embedded-'));
  let server: ServerHandle | null = null;
  try {
    server = await startDukaan({
      databaseUrl: null,
      workers: 1,
      port: opts.port,
      env: { DATA_DIR: dataDir, DUKAAN_DEMO: '0', OTP_TEST_NUMBERS: `${DEMO_PHONE}:${DEMO_CODE}` },
    });
    log(`embedded: dukaan serve on PGlite in ${dataDir}, primary ${server.pid}`);
    const { store, stockApi } = await setUpStore(server.url, 200);
    const env: ScenarioEnv = {
      opts,
      baseUrl: server.url,
      serverPid: server.pid,
      pool: null,
      stockApi,
      store,
      scale: store.productSlugs.length + 1,
      log,
      cloudApi: null,
    };
    for (const name of names) {
      log(`--- ${name} (embedded)`);
      try {
        const r = await scenarios[name]!(env);
        // The database is inside the server process: its CPU is in the server's, and any PostgreSQL on the
        // machine is someone else's.
        if (r.load) r.load = { ...r.load, usage: { ...r.load.usage, dbCpu: Number.NaN } };
        run.results.push({ ...r, ceiling: null });
      } catch (err) {
        run.results.push({ name, title: name, state: 'failed', ceiling: null, note: (err as Error).message });
        log((err as Error).stack ?? String(err));
      }
    }
  } catch (err) {
    run.notes.push(`the embedded run failed: ${(err as Error).message.split('\n')[0]}`);
    log((err as Error).stack ?? String(err));
  } finally {
    await server?.stop().catch(() => {});
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return run;
}
