/** What every scenario receives and returns, and the helpers they share. */
import type pg from 'pg';
import type { BenchOptions, ScenarioName } from './args.js';
import type { BenchStore } from './data.js';
import type { CloudApiSink } from './cloud-api.js';
import { runLoad, type LoadResult, type Step, type StepStats } from './load.js';
import {
  counterDelta,
  perFlow,
  readCounters,
  SETTLE_MS,
  statementsAvailable,
  withoutOwnReads,
  type DbCounters,
  type DbWork,
} from './dbcounters.js';
import { profilePerFlow, readStatementTimes, sampleWaits, statementDelta, type DbProfile } from './dbprofile.js';

/**
 * Stock of the bench store through the merchant API: how the embedded run (`--embedded`, one process owns the
 * database) sets and reads the flash sale's stock, where the PostgreSQL run uses its own connection.
 */
export interface StockApi {
  setStock(variantId: string, stock: number): Promise<void>;
  stockOf(variantId: string): Promise<number | null>;
}

export interface ScenarioEnv {
  opts: BenchOptions;
  baseUrl: string;
  serverPid: number | null;
  /** null: the embedded database (PGlite) inside the server, out of the bench's reach; see `stockApi`. */
  pool: pg.Pool | null;
  stockApi?: StockApi;
  store: BenchStore;
  /** Total products of the platform the server is running on. */
  scale: number;
  log: (line: string) => void;
  /** The WhatsApp Cloud API stand-in the server sends its chat replies to (null with --url). */
  cloudApi: CloudApiSink | null;
}

/** The bench's own connection; the scenarios that run only on PostgreSQL (not `--embedded`) take it here. */
export function poolOf(env: ScenarioEnv): pg.Pool {
  if (!env.pool) throw new Error('this scenario needs PostgreSQL: it does not run against the embedded database');
  return env.pool;
}

/** What a scenario's headline figure is compared with. */
export type CeilingKind = 'bare' | 'tpcb' | null;

export interface FlashRound {
  customers: number;
  sold: number;
  okAnswers: number;
  refused: number;
  errors: number;
  stockLeft: number | null;
  burstSeconds: number;
  sellOutSeconds: number;
  /** `201×100, 409×400` */
  statuses: string;
}

export interface ScenarioResult {
  name: ScenarioName;
  title: string;
  state: 'ok' | 'missing' | 'failed';
  /** Why it is missing or failed, or what to know about the figures. */
  note?: string;
  /** The figure compared with the ceiling: requests/s, checkouts/s, orders/s. */
  headline?: { label: string; value: number };
  ceiling: CeilingKind;
  load?: LoadResult;
  /** The step whose latency is reported (the checkout POST in the checkout flow); the whole load otherwise. */
  focus?: StepStats;
  flash?: FlashRound[];
  /** flash only: the same burst with no work per request (GET /healthz), best of the rounds */
  flashCeiling?: { seconds: number; ordersPerSecond: number };
  details?: string[];
  /** What the database did per flow during the measured run (commits, WAL, statements). */
  db?: DbWork;
}

export type Scenario = (env: ScenarioEnv) => Promise<ScenarioResult>;

export interface Probe {
  status: number;
  contentType: string;
  text: string;
}

export async function probe(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Probe> {
  const res = await fetch(baseUrl + path, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** The framework's answer for a path no route serves (as opposed to a 404 for an unknown store or product). */
export function isMissingRoute(p: Probe): boolean {
  return p.status === 404 && /No route/i.test(p.text);
}

/** A scenario that could not run: the endpoint is not there yet, or did not answer as the contract says. */
export function notRunnable(
  name: ScenarioName,
  title: string,
  ceiling: CeilingKind,
  what: string,
  p: Probe,
): ScenarioResult {
  const missing = isMissingRoute(p);
  const excerpt = p.text.replace(/\s+/g, ' ').slice(0, 200);
  return {
    name,
    title,
    ceiling,
    state: missing ? 'missing' : 'failed',
    note: missing ? `${what}: no such route yet (404 ${excerpt})` : `${what} answered ${p.status} ${excerpt}`,
  };
}

/** Warm-up (dropped), then the measured run. */
export async function measure(
  env: ScenarioEnv,
  steps: Step[],
  connections = env.opts.connections,
): Promise<LoadResult> {
  await warmUp(env, steps, connections);
  return runLoad({ url: env.baseUrl, connections, duration: env.opts.duration, steps, serverPid: env.serverPid });
}

/**
 * The warm-up (dropped), then statistics for the tables as it left them. A long-running server's autovacuum
 * analyses a table once 50 rows and 10 % of it have changed, within a minute (its naptime); a write scenario compresses
 * that: from a near-empty `orders` or `idempotency_keys` to thousands of rows in seconds. Without this ANALYZE the
 * window ran on the plans made for the empty tables — the connections' cached generic plans and the foreign keys'
 * checks on `orders` — each a sequential scan of every row so far, once per order or more (2026-12-01: 19,540 scans
 * reading 97 million rows of `orders` in one run of the lines flow; bench/results/2026-12-01-vm-session11.notes.md).
 * An ANALYZE invalidates those plans; the window's first requests make them again for tables of the present size.
 */
async function warmUp(env: ScenarioEnv, steps: Step[], connections: number): Promise<void> {
  if (env.opts.warmup <= 0) return;
  await runLoad({ url: env.baseUrl, connections, duration: env.opts.warmup, steps, serverPid: null });
  if (env.pool) await env.pool.query('ANALYZE');
}

/** What the database did during a run, before it is divided by the flows the run completed. */
export interface DbTotal {
  total: DbCounters;
  statementsNote?: string;
  /** Where its time went (dbprofile.ts); absent without pg_stat_statements. */
  profile?: DbProfile;
}

/**
 * Reads the database's counters around `run`, letting the backends' statistics settle before each read, and with
 * pg_stat_statements, its statements' times around them and its backends' waits during `run`. Those extra reads
 * stay out of the counted window (statements before the first counter read and after the last; the wait sampler
 * on another database), so the counters per flow mean what they meant before.
 */
export async function countDbWork<R>(
  env: ScenarioEnv,
  run: () => Promise<R>,
): Promise<{ result: R; db: DbTotal | null }> {
  if (!env.pool) return { result: await run(), db: null };
  const pool = env.pool;
  const statements = await statementsAvailable(pool);
  const database = statements.ok
    ? (await pool.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db
    : null;
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const timesBefore = database ? await readStatementTimes(pool) : null;
  const before = await readCounters(pool, statements.ok);
  const sampler = database ? await sampleWaits(pool.options.connectionString!, database) : null;
  let result: R;
  try {
    result = await run();
  } catch (err) {
    await sampler?.stop();
    throw err;
  }
  const waits = await sampler?.stop();
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const after = await readCounters(pool, statements.ok);
  const timesAfter = timesBefore ? await readStatementTimes(pool) : null;
  return {
    result,
    db: {
      total: withoutOwnReads(counterDelta(before, after)),
      statementsNote: statements.ok ? undefined : statements.why,
      ...(timesBefore && timesAfter && waits
        ? { profile: { statements: statementDelta(timesBefore, timesAfter), ...waits } }
        : {}),
    },
  };
}

/** The run's database work per completed flow. */
export function workPerFlow(db: DbTotal | null, flows: number, flowLabel: string): DbWork | undefined {
  if (!db) return undefined;
  return {
    flows,
    flowLabel,
    total: db.total,
    perFlow: perFlow(db.total, flows),
    ...(db.statementsNote ? { statementsNote: db.statementsNote } : {}),
    ...(db.profile ? { profile: profilePerFlow(db.profile, flows) } : {}),
  };
}

/** Warm-up (dropped), then the measured run with the database's counters read around it. */
export async function measureCounted(
  env: ScenarioEnv,
  steps: Step[],
  connections = env.opts.connections,
): Promise<{ load: LoadResult; db: DbTotal | null }> {
  await warmUp(env, steps, connections);
  const { result: load, db } = await countDbWork(env, () =>
    runLoad({ url: env.baseUrl, connections, duration: env.opts.duration, steps, serverPid: env.serverPid }),
  );
  return { load, db };
}

/** The result of a load of one step kind: requests/s over every answer, compared with the bare route. */
export function readResult(name: ScenarioName, title: string, load: LoadResult): ScenarioResult {
  const bad = load.errors + load.socketErrors + load.timeouts;
  return {
    name,
    title,
    state: 'ok',
    ceiling: 'bare',
    headline: { label: 'req/s', value: load.ok / load.seconds },
    load,
    note: bad
      ? `${bad} failed answers (${load.statuses.toString()}; ` +
        `${load.socketErrors} socket errors, ${load.timeouts} timeouts)`
      : undefined,
  };
}

/**
 * The result of a checkout flow (steps ending in one named `checkout`): checkouts/s against pgbench TPC-B, the
 * database's work per placed order, and each step's rate and latency after `before` in the details.
 */
export function checkoutFlowResult(
  name: ScenarioName,
  title: string,
  measured: { load: LoadResult; db: DbTotal | null },
  flowLabel: string,
  before: string[] = [],
): ScenarioResult {
  const { load, db } = measured;
  const done = load.steps.get('checkout')!;
  const bad = load.errors + load.socketErrors + load.timeouts;
  return {
    name,
    title,
    state: 'ok',
    ceiling: 'tpcb',
    headline: { label: 'checkouts/s', value: done.ok / load.seconds },
    load,
    focus: done,
    db: workPerFlow(db, done.ok, flowLabel),
    note: bad
      ? `${bad} failed answers (${[...load.steps].map(([n, s]) => `${n}: ${s.statuses.toString()}`).join('; ')})`
      : undefined,
    details: [
      ...before,
      ...[...load.steps].map(
        ([n, s]) =>
          `${n}: ${s.rate.toFixed(0)}/s, p50 ${s.latency.p50.toFixed(2)} ms, ` +
          `p90 ${s.latency.p90.toFixed(2)} ms, p99 ${s.latency.p99.toFixed(2)} ms`,
      ),
    ],
  };
}

/** Cycles through a list: every request takes the next item (a different product, a different search word). */
export function cycler<T>(items: readonly T[]): () => T {
  if (!items.length) throw new Error('nothing to cycle through');
  let i = 0;
  return () => items[i++ % items.length]!;
}

/** A random Indian mobile number in E.164. */
export function randomPhone(): string {
  return `+9198${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
}

/** Creates `n` carts, `parallel` at a time, each with `lines` put in; answers their ids. */
export async function prepareCarts(
  env: ScenarioEnv,
  n: number,
  lines: (i: number) => { variantId: string; quantity: number }[],
  parallel = 16,
): Promise<string[]> {
  const ids: string[] = new Array(n);
  let next = 0;
  const slug = env.store.slug;
  await Promise.all(
    Array.from({ length: Math.min(parallel, n) }, async () => {
      for (let i = next++; i < n; i = next++) {
        const created = await probe(env.baseUrl, 'POST', `/api/v1/storefront/${slug}/carts`);
        if (created.status !== 201)
          throw new Error(`creating a cart answered ${created.status}: ${created.text.slice(0, 200)}`);
        const id = (JSON.parse(created.text) as { id: string }).id;
        for (const line of lines(i)) {
          const put = await probe(
            env.baseUrl,
            'PUT',
            `/api/v1/storefront/${slug}/carts/${id}/lines/${line.variantId}`,
            { quantity: line.quantity },
          );
          if (put.status !== 200)
            throw new Error(`putting a cart line answered ${put.status}: ${put.text.slice(0, 200)}`);
        }
        ids[i] = id;
      }
    }),
  );
  return ids;
}
