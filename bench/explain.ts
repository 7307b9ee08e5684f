/**
 * `EXPLAIN (ANALYZE, BUFFERS)` of the hot queries, taken from the app's own service code rather than copied: the
 * storefront, cart and checkout functions run against a database handle that, before each statement really
 * runs, explains it with the same parameters inside a savepoint it rolls back. Whatever SQL the services send
 * today is what gets explained. Each flow runs twice and the second (warm) run's plans are kept.
 *
 * Each plan is checked for what must not happen on a hot path: a sequential scan of a big table, a sort of many
 * rows, a filter that throws away many rows the index handed over.
 */
import type pg from 'pg';
import { beginSql, type Db, type Queryable, type Tx, type TxOptions } from '../src/db/db.js';
import { getPublicStore, getStorefrontProduct, listStorefrontProducts } from '../src/catalog/storefront.service.js';
import { createCart, getCart, setCartLine } from '../src/cart/cart.service.js';
import { checkout } from '../src/checkout/checkout.service.js';
import type { BenchStore } from './lib/data.js';
import { randomPhone } from './lib/scenario.js';

export interface PlanFlag {
  severity: 'problem' | 'note';
  text: string;
}

export interface CapturedPlan {
  /** The flows that sent this statement (the store lookup is in all of them). */
  labels: string[];
  sql: string;
  params: unknown[];
  text: string;
  executionMs: number;
  planningMs: number;
  flags: PlanFlag[];
  error?: string;
}

/** A table scan or sort over more rows than this is a problem on a hot path; below, a note. */
const ROW_LIMIT = 1000;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Sort Key'?: string[];
  'Sort Method'?: string;
  Plans?: PlanNode[];
}

/** What in a plan tree breaks the rule "no table scan or sort without an index" (pure: takes EXPLAIN's JSON). */
export function planFlags(root: PlanNode): PlanFlag[] {
  const flags: PlanFlag[] = [];
  const walk = (node: PlanNode) => {
    const loops = node['Actual Loops'] ?? 1;
    const rows = (node['Actual Rows'] ?? 0) * loops;
    const removed = (node['Rows Removed by Filter'] ?? 0) * loops;
    if (node['Node Type'] === 'Seq Scan') {
      const scanned = rows + removed;
      flags.push({
        severity: scanned > ROW_LIMIT ? 'problem' : 'note',
        text: `Seq Scan on ${node['Relation Name']} (${scanned} rows read, ${rows} kept)`,
      });
    }
    if (node['Node Type'] === 'Sort' || node['Node Type'] === 'Incremental Sort') {
      flags.push({
        severity: rows > ROW_LIMIT ? 'problem' : 'note',
        text: `${node['Node Type']} of ${rows} rows by ${(node['Sort Key'] ?? []).join(', ')} (${node['Sort Method'] ?? '?'})`,
      });
    }
    if (/Index Scan/.test(node['Node Type']) && rows > 5 * ROW_LIMIT) {
      flags.push({
        severity: 'problem',
        text: `${node['Node Type']} on ${node['Index Name'] ?? '?'} hands over ${rows} entries (grows with the data, not the page)`,
      });
    }
    if (node['Node Type'] !== 'Seq Scan' && removed > ROW_LIMIT) {
      flags.push({
        severity: 'problem',
        text: `${node['Node Type']}${node['Index Name'] ? ` using ${node['Index Name']}` : ''} on ${node['Relation Name'] ?? '?'} throws away ${removed} rows by filter`,
      });
    }
    const recheck = (node['Rows Removed by Index Recheck'] ?? 0) * loops;
    if (recheck > ROW_LIMIT)
      flags.push({
        severity: 'problem',
        text: `${node['Node Type']} on ${node['Relation Name'] ?? '?'} rechecks away ${recheck} rows`,
      });
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(root);
  return flags;
}

class PlanRecorder {
  label = '';
  keep = false;
  readonly plans = new Map<string, CapturedPlan>();

  /** Flows whose statements are kept apart even when another flow sent the same SQL (other parameters, other plan). */
  distinct = false;

  async explain(client: pg.PoolClient, sql: string, params: readonly unknown[] | undefined): Promise<void> {
    if (!this.keep || !/^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i.test(sql)) return;
    const key = this.distinct ? `${this.label}\u0000${sql}` : sql;
    const known = this.plans.get(key);
    if (known) {
      if (!known.labels.includes(this.label)) known.labels.push(this.label);
      return;
    }
    const captured: CapturedPlan = {
      labels: [this.label],
      sql: sql.trim(),
      params: [...(params ?? [])],
      text: '',
      executionMs: NaN,
      planningMs: NaN,
      flags: [],
    };
    this.plans.set(key, captured);
    await client.query('SAVEPOINT bench_explain');
    try {
      const json = await client.query<{
        'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number; 'Planning Time': number }];
      }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params as unknown[] | undefined);
      const top = json.rows[0]!['QUERY PLAN'][0];
      captured.flags = planFlags(top.Plan);
      await client.query('ROLLBACK TO SAVEPOINT bench_explain');
      const text = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, BUFFERS) ${sql}`,
        params as unknown[] | undefined,
      );
      captured.text = text.rows.map((r) => r['QUERY PLAN']).join('\n');
      const exec = /Execution Time: ([\d.]+) ms/.exec(captured.text);
      const plan = /Planning Time: ([\d.]+) ms/.exec(captured.text);
      captured.executionMs = exec ? Number(exec[1]) : top['Execution Time'];
      captured.planningMs = plan ? Number(plan[1]) : top['Planning Time'];
    } catch (err) {
      captured.error = (err as Error).message;
    } finally {
      await client.query('ROLLBACK TO SAVEPOINT bench_explain');
    }
  }
}

/** A Db for the services that explains every statement before running it for real. */
function explainingDb(pool: pg.Pool, recorder: PlanRecorder): Db {
  const onClient = (client: pg.PoolClient): Tx => ({
    async query<R>(sql: string, params?: readonly unknown[]) {
      await recorder.explain(client, sql, params);
      const r = await client.query(sql, params as unknown[] | undefined);
      return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  });
  return {
    kind: 'postgres',
    async query<R>(sql: string, params?: readonly unknown[]) {
      const client = await pool.connect();
      try {
        // Outside a transaction the savepoint needs one: explain inside it, then run the statement on its own.
        await client.query('BEGIN');
        await recorder.explain(client, sql, params);
        await client.query('ROLLBACK');
        const r = await client.query(sql, params as unknown[] | undefined);
        return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
      } finally {
        client.release();
      }
    },
    async tx<T>(fn: (tx: Tx) => Promise<T>, opts?: TxOptions): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query(beginSql(opts));
        const result = await fn(onClient(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      } finally {
        client.release();
      }
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    ping: async () => true,
    stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: async () => {},
  };
}

/** Runs each hot flow twice through the services (the second run's plans are kept) and answers the plans. */
export async function explainHotQueries(pool: pg.Pool, store: BenchStore, publicUrl: string): Promise<CapturedPlan[]> {
  const recorder = new PlanRecorder();
  const db = explainingDb(pool, recorder);
  const q: Queryable = db;
  // [label, flow, distinct]: a distinct flow keeps its own plans for SQL another flow sent too (a search for a
  // rare word may be planned unlike a common one).
  const flows: [string, () => Promise<unknown>, boolean?][] = [
    ['store by slug', () => getPublicStore(q, store.slug)],
    ['list first page', () => listStorefrontProducts(q, store.storeId, {})],
    [
      'list deep page',
      async () => {
        const keep = recorder.keep;
        recorder.keep = false;
        let cursor: string | undefined;
        for (let i = 0; i < 10; i++)
          cursor = (await listStorefrontProducts(q, store.storeId, { limit: 100, cursor })).nextCursor ?? undefined;
        recorder.keep = keep;
        return listStorefrontProducts(q, store.storeId, { cursor });
      },
    ],
    ['search (common word)', () => listStorefrontProducts(q, store.storeId, { q: 'rice' }), true],
    ['search (rare word)', () => listStorefrontProducts(q, store.storeId, { q: 'kolhapuri' }), true],
    [
      'product detail',
      () => getStorefrontProduct(q, store.storeId, store.productSlugs[Math.floor(store.productSlugs.length / 2)]!),
    ],
    [
      'cart: put line + bill',
      async () => {
        const cart = await createCart(db, store.slug);
        await setCartLine(db, store.slug, cart.id, store.variantIds[0]!, 1);
        await setCartLine(db, store.slug, cart.id, store.variantIds[1]!, 2);
        return getCart(db, store.slug, cart.id);
      },
    ],
    [
      'checkout',
      async () => {
        const keep = recorder.keep;
        recorder.keep = false;
        const cart = await createCart(db, store.slug);
        for (const v of store.variantIds.slice(2, 5)) await setCartLine(db, store.slug, cart.id, v, 1);
        recorder.keep = keep;
        return checkout(
          db,
          { publicUrl },
          store.slug,
          cart.id,
          { customer: { name: 'Bench Customer', phone: randomPhone() }, fulfillment: 'pickup', paymentMethod: 'cod' },
          null,
        );
      },
    ],
  ];
  for (const [label, flow, distinct] of flows) {
    recorder.keep = false;
    await flow();
    recorder.label = label;
    recorder.distinct = distinct ?? false;
    recorder.keep = true;
    await flow();
  }
  return [...recorder.plans.values()];
}
