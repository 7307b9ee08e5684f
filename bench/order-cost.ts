/**
 * What placing one order costs inside PostgreSQL, in steady state (docs/write-path.md, "What one order costs inside
 * PostgreSQL"). Creates a fresh database, runs the migrations, seeds two stores (one with a Web Push subscription
 * of its owner, one without) and places orders with the app's own `placeOrder` on ONE connection, so plpgsql is
 * compiled and the statement's plan cached before anything is counted:
 *
 *   1. warm-up orders, not counted;
 *   2. plain: the statement's time as the client sees it (no instrumentation; `synchronous_commit = off` so the
 *      WAL flush, the same for every variant of the schema, does not drown what is measured);
 *   3. `pg_stat_user_functions` (`track_functions = 'pl'`): time per call of each plpgsql trigger function;
 *   4. `auto_explain` (log_analyze, log_triggers, log_buffers, log_wal, sent to the client as notices): every
 *      trigger's time per order, FK checks included, the statement's time, and what the INSERT INTO orders node
 *      (the row and its index entries) took: time, buffers, WAL.
 *
 *   npx tsx bench/order-cost.ts [--database-url postgres://postgres@127.0.0.1:5432] [--orders 300] [--warmup 100]
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Queryable } from '../src/db/db.js';
import { placeOrder } from '../src/orders/orders.repo.js';
import { newId } from '../src/shared/ids.js';
import { summarize } from './lib/stats.js';
import { freshDatabase, readyCheckout, seedStore, sessionQueryable, type SeededStore } from './lib/order-db.js';

const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432' },
    database: { type: 'string', default: 'dukaan_order_cost' },
    orders: { type: 'string', default: '300' },
    warmup: { type: 'string', default: '100' },
  },
});
const ORDERS = Number(args.orders);
const WARMUP = Number(args.warmup);
const serverUrl = args['database-url'];

async function placeOne(c: pg.Client, q: Queryable, store: SeededStore): Promise<number> {
  const { order, cartStamp, lines, moves, messages, record } = await readyCheckout(c, store, store.lines);
  const started = process.hrtime.bigint();
  const result = await placeOrder(
    q,
    order,
    cartStamp,
    lines,
    moves,
    messages[0]!.message,
    messages[1]!.message,
    record,
  );
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (!result.placed) throw new Error(`order refused: ${JSON.stringify(result)}`);
  return ms;
}

const ms = (x: number) => x.toFixed(3);
const mean = (xs: readonly number[]) => summarize(xs).mean;
/** "mean (median p50)" of these times, in ms. */
const meanAndMedian = (xs: readonly number[]) => {
  const { mean, p50 } = summarize(xs);
  return `${ms(mean)} (median ${ms(p50)})`;
};

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Total Time'?: number;
  'Shared Hit Blocks'?: number;
  'WAL Records'?: number;
  'WAL Bytes'?: number;
  Plans?: PlanNode[];
}

interface ExplainJson {
  Plan: PlanNode;
  /** from auto_explain's "duration: … ms" */
  duration: number;
  Triggers?: { 'Trigger Name': string; 'Constraint Name'?: string; Relation: string; Time: number; Calls: number }[];
}

/**
 * A figure of the plan's INSERT INTO `table` minus the same figure of its input: what writing the row and every index
 * entry took (time, buffers touched, WAL written).
 */
function insertSelf(
  node: PlanNode,
  table: string,
  key: 'Actual Total Time' | 'Shared Hit Blocks' | 'WAL Records' | 'WAL Bytes',
): number {
  if (node['Node Type'] === 'ModifyTable' && node['Relation Name'] === table)
    return (node[key] ?? 0) - (node.Plans ?? []).reduce((a, c) => a + (c[key] ?? 0), 0);
  return (node.Plans ?? []).reduce((a, c) => a + insertSelf(c, table, key), 0);
}

/** auto_explain on this session, its plans sent as notices and collected into the returned array. */
async function explainEveryStatement(c: pg.Client): Promise<ExplainJson[]> {
  const plans: ExplainJson[] = [];
  c.on('notice', (n) => {
    const text = n.message ?? '';
    const at = text.indexOf('{');
    if (!text.startsWith('duration:') || at < 0) return;
    try {
      const plan = JSON.parse(text.slice(at)) as ExplainJson;
      plan.duration = Number(/^duration: ([\d.]+) ms/.exec(text)?.[1] ?? 0);
      plans.push(plan);
    } catch {
      // a nested statement's plan in another shape: not needed
    }
  });
  await c.query(`LOAD 'auto_explain'`);
  for (const set of [
    'auto_explain.log_min_duration = 0',
    'auto_explain.log_analyze = on',
    'auto_explain.log_triggers = on',
    'auto_explain.log_timing = on',
    'auto_explain.log_buffers = on',
    'auto_explain.log_wal = on',
    'auto_explain.log_nested_statements = off',
    "auto_explain.log_format = 'json'",
    "auto_explain.log_level = 'notice'",
  ])
    await c.query(`SET ${set}`);
  return plans;
}

async function main(): Promise<void> {
  const dbUrl = await freshDatabase(serverUrl, args.database);
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  const merchantId = newId();
  await c.query(`INSERT INTO merchants (id, phone) VALUES ($1, '+919000000000')`, [merchantId]);
  const stores = [
    await seedStore(c, merchantId, 'push', { push: true, variants: 3 }),
    await seedStore(c, merchantId, 'nopush', { push: false, variants: 3 }),
  ];
  const q = sessionQueryable(c);
  await c.query(`SET synchronous_commit = off`);

  const { rows: indexes } = await c.query<{ indexname: string; indexdef: string }>(
    `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'orders' ORDER BY indexname`,
  );
  console.log(`orders has ${indexes.length} indexes: ${indexes.map((i) => i.indexname).join(', ')}`);

  for (const s of stores) for (let i = 0; i < WARMUP; i++) await placeOne(c, q, s);

  console.log(`\n${ORDERS} orders per store after ${WARMUP} warm-up orders each, one session, steady state\n`);
  console.log('| store | statement, client-side, mean / median (ms) |');
  console.log('| --- | --- |');
  for (const s of stores) {
    const times: number[] = [];
    for (let i = 0; i < ORDERS; i++) times.push(await placeOne(c, q, s));
    const t = summarize(times);
    console.log(`| ${s.label} | ${ms(t.mean)} / ${ms(t.p50)} |`);
  }

  await c.query(`SET track_functions = 'pl'`);
  console.log('\npg_stat_user_functions, per order (ms): total_time / self_time');
  for (const s of stores) {
    await c.query(`SELECT pg_stat_reset()`);
    for (let i = 0; i < ORDERS; i++) await placeOne(c, q, s);
    await c.query(`SELECT pg_stat_force_next_flush()`);
    await c.query('SELECT 1');
    const { rows } = await c.query<{ funcname: string; calls: string; total_time: number; self_time: number }>(
      `SELECT funcname, calls, total_time, self_time FROM pg_stat_user_functions ORDER BY funcname`,
    );
    for (const r of rows)
      console.log(
        `  ${s.label}: ${r.funcname} calls=${r.calls} ${ms(r.total_time / ORDERS)} / ${ms(r.self_time / ORDERS)}`,
      );
  }
  await c.query(`SET track_functions = 'none'`);

  const plans = await explainEveryStatement(c);
  console.log('\nauto_explain (log_analyze, log_triggers), per order (ms): the statement and its triggers');
  for (const s of stores) {
    plans.length = 0;
    for (let i = 0; i < ORDERS; i++) await placeOne(c, q, s);
    const placements = plans.filter((p) => (p.Triggers ?? []).some((t) => t.Relation === 'orders'));
    const byTrigger = new Map<string, number[]>();
    for (const p of placements)
      for (const t of p.Triggers ?? []) {
        const key = `${t.Relation}: ${t['Constraint Name'] ?? t['Trigger Name']}`;
        byTrigger.set(key, [...(byTrigger.get(key) ?? []), t.Time]);
      }
    const exec = placements.map((p) => p.duration);
    const insert = placements.map((p) => insertSelf(p.Plan, 'orders', 'Actual Total Time'));
    const perOrder = (key: 'Shared Hit Blocks' | 'WAL Records' | 'WAL Bytes') =>
      mean(placements.map((p) => insertSelf(p.Plan, 'orders', key))).toFixed(1);
    const triggerSum = [...byTrigger.values()].reduce((a, t) => a + mean(t), 0);
    console.log(`  ${s.label}: ${placements.length} orders, statement ${meanAndMedian(exec)}`);
    console.log(`    INSERT INTO orders node (row + its indexes): ${meanAndMedian(insert)}`);
    console.log(
      `      buffers hit ${perOrder('Shared Hit Blocks')}, WAL records ${perOrder('WAL Records')}, ` +
        `WAL bytes ${perOrder('WAL Bytes')}`,
    );
    for (const [name, times] of byTrigger) console.log(`    ${name}: ${meanAndMedian(times)}`);
    console.log(`    all triggers (sum of means): ${ms(triggerSum)}`);
  }
  await c.end();

  // What the bench report's EXPLAIN showed: the first order of a new connection, where each plpgsql function is
  // compiled and each statement planned for the first time.
  console.log('\nthe first order on a new connection (auto_explain), ms');
  for (const s of stores) {
    const fresh = new pg.Client({ connectionString: dbUrl });
    await fresh.connect();
    await fresh.query(`SET synchronous_commit = off`);
    const freshPlans = await explainEveryStatement(fresh);
    await placeOne(fresh, sessionQueryable(fresh), s);
    const placed = freshPlans.find((p) => (p.Triggers ?? []).some((t) => t.Relation === 'orders'));
    const triggers = (placed?.Triggers ?? []).filter((t) => !t['Constraint Name']);
    console.log(
      `  ${s.label}: statement ${ms(placed?.duration ?? 0)}; ` +
        triggers.map((t) => `${t['Trigger Name']} ${ms(t.Time)}`).join(', '),
    );
    await fresh.end();
  }
}

await main();
