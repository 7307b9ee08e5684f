/**
 * What the batch placement statement (`placeOrderBatch`, src/orders/place-batch.repo.ts) costs per order as batches
 * grow (docs/write-path.md, "A batch's work grows with the batch"). Creates a fresh database, seeds one store of 300
 * products and, on ONE connection that plans as the app does (`plan_cache_mode = force_generic_plan`, named
 * statements), places batches of each size: 5 warm-up batches, then `--rounds` measured. `synchronous_commit = off`
 * so the WAL flush, one per batch whatever its size, does not drown what is measured.
 *
 * Three shapes: orders of 3 lines over the store's products, of 1 line, and a flash sale's (1 line, all the same
 * variant). `--explain` prints, for the largest batch of each shape, every plan node that ran 20 times or more
 * (a step repeated per order, or per order per order).
 *
 *   npx tsx bench/batch-cost.ts [--database-url postgres://postgres@127.0.0.1:5432] [--sizes 1,4,16,64] [--explain]
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { placeOrderBatch } from '../src/orders/place-batch.repo.js';
import { newId } from '../src/shared/ids.js';
import { summarize } from './lib/stats.js';
import { freshDatabase, readyCheckout, seedStore, sessionQueryable, type SeededStore } from './lib/order-db.js';

const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432' },
    database: { type: 'string', default: 'dukaan_batch_cost' },
    sizes: { type: 'string', default: '1,4,16,64' },
    rounds: { type: 'string', default: '15' },
    explain: { type: 'boolean', default: false },
  },
});
const SIZES = args.sizes.split(',').map(Number);
const ROUNDS = Number(args.rounds);
const WARMUP = 5;

const SHAPES = [
  { label: '3 lines', lines: 3, sameVariant: false },
  { label: '1 line', lines: 1, sameVariant: false },
  { label: '1 line, one variant (flash sale)', lines: 1, sameVariant: true },
] as const;

let pick = 0;
function linesOf(store: SeededStore, shape: (typeof SHAPES)[number]) {
  if (shape.sameVariant) return store.lines.slice(0, 1);
  // Different variants from order to order, distinct within one.
  return Array.from({ length: shape.lines }, (_, i) => store.lines[(pick++ * 7 + i * 13) % store.lines.length]!);
}

async function main(): Promise<void> {
  const dbUrl = await freshDatabase(args['database-url'], args.database);
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  const merchantId = newId();
  await c.query(`INSERT INTO merchants (id, phone) VALUES ($1, '+919000000000')`, [merchantId]);
  const store = await seedStore(c, merchantId, 'batch', { push: false, variants: 300 });
  await c.query(`SET plan_cache_mode = force_generic_plan`);
  await c.query(`SET synchronous_commit = off`);
  const q = sessionQueryable(c);

  const placeBatch = async (shape: (typeof SHAPES)[number], size: number) => {
    const batch = [];
    for (let i = 0; i < size; i++) batch.push(await readyCheckout(c, store, linesOf(store, shape)));
    const started = process.hrtime.bigint();
    const out = await placeOrderBatch(q, batch);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (out.some((o) => typeof o === 'string' || !o.placed))
      throw new Error(`not all placed: ${JSON.stringify(out[0])}`);
    return ms;
  };

  console.log(`batch placement, one session, generic plan; median of ${ROUNDS} batches after ${WARMUP} warm-up\n`);
  console.log('| orders | lines each | statement (ms) | per order (ms) |');
  console.log('| --- | --- | --- | --- |');
  for (const shape of SHAPES)
    for (const size of SIZES) {
      const times: number[] = [];
      for (let r = 0; r < WARMUP + ROUNDS; r++) {
        const ms = await placeBatch(shape, size);
        if (r >= WARMUP) times.push(ms);
      }
      const m = summarize(times).p50;
      console.log(`| ${size} | ${shape.label} | ${m.toFixed(2)} | ${(m / size).toFixed(3)} |`);
    }

  if (args.explain) {
    await c.query(`LOAD 'auto_explain'`);
    for (const set of [
      'auto_explain.log_min_duration = 0',
      'auto_explain.log_analyze = on',
      "auto_explain.log_level = 'notice'",
    ])
      await c.query(`SET ${set}`);
    const notices: string[] = [];
    c.on('notice', (n) => notices.push(n.message ?? ''));
    const size = Math.max(...SIZES);
    for (const shape of SHAPES) {
      notices.length = 0;
      await placeBatch(shape, size);
      const plan = notices.find((n) => n.includes('WITH o AS')) ?? '';
      console.log(`\nplan nodes run 20 times or more, ${size} orders of ${shape.label}:`);
      for (const line of plan.split('\n')) {
        const loops = Number(/loops=(\d+)\)/.exec(line)?.[1] ?? 0);
        if (loops >= 20) console.log(line.trimEnd());
      }
    }
  }
  await c.end();
}

await main();
