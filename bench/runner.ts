/**
 * The bench run behind `npm run bench` (bench/run.ts) and a scenario run alone (bench/run-alone.ts): seeds each
 * scale, starts dukaan's worker pool on it, runs the given scenarios, explains the hot queries, measures the
 * ceilings, and writes bench/results/<date>-<machine>.md (+ .explain.md, .json). Options: bench/README.md, or
 * bench/lib/args.ts. The scenarios come in as a registry, so nothing here imports them: they import this.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  ArgError,
  CURVE_SCENARIOS,
  databaseName,
  defaultStores,
  formatCount,
  parseBenchArgs,
  withDatabase,
  type BenchOptions,
  type ScenarioName,
} from './lib/args.js';
import { loadBenchStore } from './lib/data.js';
import { describeWork } from './lib/dbcounters.js';
import type { Scenario, ScenarioEnv, ScenarioResult } from './lib/scenario.js';
import { startDukaan, type ServerHandle } from './lib/server.js';
import { startCloudApiSink, type CloudApiSink } from './lib/cloud-api.js';
import { fmtMb, fmtMs, fmtRate } from './lib/stats.js';
import { readSeedInfo, seedDatabase, SEED_VERSION } from './seed.js';
import { staleReason } from '../scripts/build-files.mjs';
import { createPgCluster, stopClusterNow, type PgCluster } from '../deploy/lib/pg-cluster.js';
import { freePortRange } from '../deploy/lib/proc.js';
import { explainHotQueries } from './explain.js';
import { runEmbedded } from './lib/embedded.js';
import { describeLoggedErrors, loggedErrors } from './lib/pglog.js';
import { measureBare, measurePgbench } from './ceilings.js';
import {
  isQuiet,
  renderExplain,
  renderMarkdown,
  serverCpuCell,
  toJson,
  type MachineInfo,
  type RunResult,
  type ScaleRun,
} from './report.js';

const READS: readonly ScenarioName[] = ['list', 'list-deep', 'detail', 'home', 'search'];
const WRITES: readonly ScenarioName[] = ['cart', 'checkout', 'checkout-lines', 'checkout-stores', 'flash'];

function log(line: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** The same choice bin/dukaan.js makes: the build when it is fresh (as in production), else the sources. */
function serverRuntime(): string {
  if (process.env.DUKAAN_RUNTIME === 'tsx') return 'the TypeScript sources through tsx (DUKAAN_RUNTIME=tsx)';
  const stale = staleReason();
  return stale
    ? `the TypeScript sources through tsx (no fresh build: ${stale}; ` +
        'run `npm run build` first to measure what production runs)'
    : 'the build (dist/, `npm run build`)';
}

async function machineInfo(opts: BenchOptions, pool: pg.Pool): Promise<MachineInfo> {
  const version = await pool.query<{ v: string }>(`SELECT split_part(version(), ' on ', 1) AS v`);
  return {
    name: (opts.machine ?? os.hostname()).replace(/[^A-Za-z0-9._-]+/g, '-'),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: os.availableParallelism(),
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    kernel: os.release(),
    node: process.version,
    postgres: version.rows[0]?.v ?? 'PostgreSQL',
    loadBefore: os.loadavg(),
    loadAfter: [],
    runtime: serverRuntime(),
  };
}

function summaryLine(r: ScenarioResult): string {
  if (r.state !== 'ok') return `${r.title}: ${r.state.toUpperCase()} — ${r.note}`;
  const lat = (r.focus ?? r.load)!.latency;
  const u = r.load!.usage;
  return (
    `${r.title}: ${fmtRate(r.headline!.value)} ${r.headline!.label}, ` +
    `p50 ${fmtMs(lat.p50)} / p90 ${fmtMs(lat.p90)} / p99 ${fmtMs(lat.p99)} ms, ` +
    `errors ${r.load!.errors + r.load!.socketErrors + r.load!.timeouts}` +
    `${r.load!.expected ? ` (+${r.load!.expected} expected)` : ''}, ` +
    `server CPU ${serverCpuCell(u)}, DB CPU ${u.dbCpu.toFixed(0)} %, load gen ${u.loadCpu.toFixed(0)} %, ` +
    `peak RSS/worker ${fmtMb(u.peakRssPerWorker)}` +
    (r.note ? ` — ${r.note}` : '')
  );
}

/**
 * One database per scale (`dukaan_bench_10k`, `dukaan_bench_1m`, …), kept between runs and reused while its seed
 * record matches: the second run of the day does not spend minutes seeding again. With --url, the database given.
 */
export function scaleDatabaseUrl(opts: BenchOptions, scale: number): string {
  if (opts.url) return opts.databaseUrl;
  return withDatabase(opts.databaseUrl, `${databaseName(opts.databaseUrl)}_${formatCount(scale).toLowerCase()}`);
}

async function ensureSeeded(
  opts: BenchOptions,
  databaseUrl: string,
  scale: number,
): Promise<{ stores: number; variants: number; seeded: number | null }> {
  const stores = opts.stores ?? defaultStores(scale);
  const info = await readSeedInfo(databaseUrl);
  const fits =
    info &&
    info.version === SEED_VERSION &&
    info.products === scale &&
    info.stores === stores &&
    info.benchProducts === opts.benchProducts;
  if (fits && !opts.reseed) {
    log(`reusing the seeded database (${formatCount(scale)} products, ${stores} stores)`);
    return { stores, variants: info.variants, seeded: null };
  }
  log(`seeding ${formatCount(scale)} products in ${stores} stores (${databaseName(databaseUrl)})`);
  const result = await seedDatabase(
    { databaseUrl, stores, products: scale, benchProducts: opts.benchProducts, seed: 42, force: false },
    (l) => log(`  ${l}`),
  );
  return { stores, variants: result.variants, seeded: result.seconds };
}

/** With --url the data is whatever the given database holds: its seed record if the generator made it. */
async function describeGiven(databaseUrl: string): Promise<{ stores: number; variants: number; seeded: null }> {
  const info = await readSeedInfo(databaseUrl);
  return { stores: info?.stores ?? NaN, variants: info?.variants ?? NaN, seeded: null };
}

/** The list answer's bytes: the bare route answers exactly these. */
async function listBody(baseUrl: string): Promise<{ body: string; contentType: string } | null> {
  try {
    const res = await fetch(`${baseUrl}/api/v1/storefront/bench/products`);
    if (res.status !== 200) return null;
    return {
      body: await res.text(),
      contentType: res.headers.get('content-type') ?? 'application/json; charset=utf-8',
    };
  } catch {
    return null;
  }
}

export async function runBench(
  opts: BenchOptions,
  scenarios: Partial<Record<ScenarioName, Scenario>>,
): Promise<RunResult> {
  const admin = new pg.Pool({ connectionString: withDatabase(opts.databaseUrl, 'postgres'), max: 1 });
  const machine = await machineInfo(opts, admin).finally(() => admin.end());
  if (!isQuiet(machine))
    log(
      `NOTE: load average ${machine.loadBefore.map((l) => l.toFixed(2)).join(' ')} on ${machine.cores} cores: ` +
        'the machine is busy, figures will be noisy',
    );
  const run: RunResult = {
    opts,
    machine,
    started: new Date(),
    finished: new Date(),
    scales: [],
    bare: null,
    pgbench: null,
    problems: [],
  };
  let body: { body: string; contentType: string } | null = null;
  const selected = opts.scenarios.filter((name) => scenarios[name]);

  for (const [i, scale] of opts.scales.entries()) {
    const isLast = i === opts.scales.length - 1;
    const here = selected.filter((name) => isLast || CURVE_SCENARIOS.includes(name));
    if (!here.length) continue;
    log(`=== ${formatCount(scale)} products: ${here.join(', ')}`);
    const databaseUrl = scaleDatabaseUrl(opts, scale);
    const seeded = opts.url ? await describeGiven(databaseUrl) : await ensureSeeded(opts, databaseUrl, scale);
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
    let server: ServerHandle | null = null;
    let cloudApi: CloudApiSink | null = null;
    const scaleRun: ScaleRun = {
      scale,
      stores: seeded.stores,
      variants: seeded.variants,
      seedSeconds: seeded.seeded,
      workers: 0,
      results: [],
      plans: [],
      notes: [],
    };
    run.scales.push(scaleRun);
    try {
      const store = await loadBenchStore(pool);
      // The chat scenario needs the server's replies: a Cloud API stand-in here, the server pointed at it.
      cloudApi = !opts.url && here.includes('whatsapp') ? await startCloudApiSink() : null;
      if (!opts.url) {
        server = await startDukaan({
          databaseUrl,
          workers: opts.workers,
          port: opts.port,
          env: cloudApi ? cloudApi.serverEnv() : {},
        });
        scaleRun.workers = server.workerPids().length;
        log(`dukaan serve: primary ${server.pid}, ${scaleRun.workers} worker(s)`);
        if (scaleRun.workers < opts.workers)
          scaleRun.notes.push(`asked for ${opts.workers} workers, the pool showed ${scaleRun.workers}`);
      }
      const baseUrl = opts.url ?? server!.url;
      const env: ScenarioEnv = { opts, baseUrl, serverPid: server?.pid ?? null, pool, store, scale, log, cloudApi };
      for (const name of here) {
        log(`--- ${name}`);
        await settleTables(pool);
        let result: ScenarioResult;
        try {
          result = await scenarios[name]!(env);
        } catch (err) {
          result = { name, title: name, state: 'failed', ceiling: null, note: (err as Error).message.split('\n')[0] };
          log((err as Error).stack ?? String(err));
        }
        scaleRun.results.push(result);
        log(summaryLine(result));
        if (result.db) log(`database work ${describeWork(result.db)}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
      if (isLast) body = await listBody(baseUrl);
      log('explaining the hot queries');
      try {
        scaleRun.plans = await explainHotQueries(pool, store, baseUrl);
        for (const p of scaleRun.plans)
          for (const f of p.flags)
            if (f.severity === 'problem') log(`PLAN PROBLEM (${p.labels.join(', ')}): ${f.text}`);
      } catch (err) {
        scaleRun.notes.push(`EXPLAIN failed: ${(err as Error).message}`);
        log(`EXPLAIN failed: ${(err as Error).stack}`);
      }
    } catch (err) {
      run.problems.push(`at ${formatCount(scale)}: ${(err as Error).message.split('\n').slice(0, 5).join(' / ')}`);
      log((err as Error).stack ?? String(err));
    } finally {
      if (server) {
        const tail = server
          .logTail()
          .split('\n')
          .filter((l) => /"level":(50|60)|error/i.test(l));
        if (tail.length)
          scaleRun.notes.push(
            `server logged ${tail.length} error lines; last: ${tail[tail.length - 1]!.slice(0, 300)}`,
          );
        await server.stop();
      }
      await cloudApi?.close();
      await pool.end();
    }
  }

  if (opts.embedded) {
    log('=== embedded database (PGlite, one process)');
    run.embedded = await runEmbedded(opts, scenarios, log);
  }

  // Ceilings last, with dukaan stopped, so nothing else competes for the two cores.
  if (selected.some((n) => READS.includes(n))) {
    if (body) {
      log('--- ceiling: bare route');
      try {
        run.bare = await measureBare(opts, body.body, body.contentType, log);
        log(
          `bare route: ${fmtRate(run.bare.rps)} req/s, ` +
            `p50 ${fmtMs(run.bare.latency.p50)} / p99 ${fmtMs(run.bare.latency.p99)} ms`,
        );
      } catch (err) {
        run.problems.push(`bare-route ceiling: ${(err as Error).message.split('\n')[0]}`);
      }
    } else {
      run.problems.push('bare-route ceiling not measured: the product list did not answer, so its size is unknown');
    }
  }
  if (selected.some((n) => WRITES.includes(n))) {
    log('--- ceiling: pgbench');
    try {
      run.pgbench = await measurePgbench(opts, log);
      for (const p of run.pgbench) log(`pgbench ${p.script}: ${fmtRate(p.tps)} tps, avg ${fmtMs(p.latencyMs)} ms`);
    } catch (err) {
      run.problems.push(`pgbench ceiling: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  run.finished = new Date();
  run.machine.loadAfter = os.loadavg();
  return run;
}

export function writeResults(run: RunResult): string {
  fs.mkdirSync(run.opts.outDir, { recursive: true });
  const base = path.join(
    run.opts.outDir,
    `${run.started.toISOString().slice(0, 10)}-${run.machine.name}${run.opts.quick ? '-quick' : ''}`,
  );
  fs.writeFileSync(`${base}.md`, renderMarkdown(run) + '\n');
  fs.writeFileSync(`${base}.explain.md`, renderExplain(run) + '\n');
  fs.writeFileSync(`${base}.json`, JSON.stringify(toJson(run), null, 2) + '\n');
  return `${base}.md`;
}

/**
 * What a long-running server's autovacuum has done by the time anyone measures it: statistics for every table at
 * its present size and dead rows gone. Without it a scenario's cached generic plans would be made for the tables as
 * the seed or an earlier scenario left them (the outbox's per-number count at 2.3 ms a call, 0.1 ms after one
 * ANALYZE in the same run). Run before each scenario, so its warm-up, not its measured window, replans.
 */
async function settleTables(pool: pg.Pool): Promise<void> {
  await pool.query('VACUUM (ANALYZE)');
}

/**
 * `--private-pg`: a PostgreSQL cluster of the bench's own, with the server's durable defaults and
 * pg_stat_statements preloaded, deleted after the run. Its WAL counters count the bench alone.
 */
async function startPrivateCluster(): Promise<PgCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dukaan-bench-pg-'));
  fs.chmodSync(dir, 0o755);
  const cluster = await createPgCluster({
    dataDir: path.join(dir, 'data'),
    port: await freePortRange(1, 40000, 50000),
    logFile: path.join(dir, 'postgres.log'),
    maxConnections: 300,
    settings: {
      shared_preload_libraries: 'pg_stat_statements',
      'pg_stat_statements.track_utility': 'on',
      // autovacuum_naptime stays at its default (1 min): every scenario starts with VACUUM (ANALYZE) instead
      // (`settleTables`). At 1 s, autovacuum's statistics on the tables a checkout writes invalidated every
      // connection's cached plans about once a second, and each replanned its statements (the batch statement
      // ~4 ms, the checkout read ~1 ms): ~1,000 plans per 15 s window instead of ~250, and 16–25 % fewer
      // checkouts/s than the same tree at the default (2026-12-01, session 9 notes).
    },
  });
  const stop = () => stopClusterNow(cluster.dataDir);
  process.once('exit', stop);
  await cluster.start();
  return {
    ...cluster,
    async destroy() {
      process.off('exit', stop);
      await cluster.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function runFromCli(argv: string[], registry: Partial<Record<ScenarioName, Scenario>>): Promise<void> {
  let opts: BenchOptions;
  try {
    opts = parseBenchArgs(argv, process.env);
  } catch (err) {
    if (err instanceof ArgError) {
      process.stderr.write(`bench: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
  const cluster = opts.privatePg ? await startPrivateCluster() : null;
  if (cluster) {
    opts = { ...opts, databaseUrl: opts.pgSocket ? cluster.socketUrl('dukaan_bench') : cluster.url('dukaan_bench') };
    log(`private PostgreSQL cluster on port ${cluster.port} (pg_stat_statements loaded), data in ${cluster.dataDir}`);
  }
  let run: RunResult;
  try {
    run = await runBench(opts, registry);
    if (cluster) {
      // A log that cannot be read costs the report one line, never the run's figures.
      try {
        run.databaseErrors = loggedErrors(fs.readFileSync(cluster.logFile, 'utf8'));
        log(describeLoggedErrors(run.databaseErrors));
      } catch (err) {
        run.problems.push(`PostgreSQL's log could not be read: ${(err as Error).message}`);
      }
    }
  } finally {
    if (cluster) await cluster.destroy().catch(() => {});
  }
  const file = writeResults(run);
  process.stdout.write('\n' + renderMarkdown(run) + '\n\n');
  log(`written ${file}`);
}
