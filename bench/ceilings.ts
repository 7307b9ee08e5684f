/**
 * The ceilings every figure is read against, measured on the same machine in the same run:
 * - HTTP: bench/bare-server.ts, the same framework and worker count, answering the product list's exact bytes;
 * - database: pgbench's built-in select-only (-S) and TPC-B-like scripts on the same PostgreSQL, in a database of
 *   its own (`<bench database>_pgbench`, made with `pgbench -i` once per scale factor and kept).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import pg from 'pg';
import { databaseName, withDatabase, type BenchOptions } from './lib/args.js';
import { runLoad } from './lib/load.js';
import { UsageMeter, type UsageReport } from './lib/proc.js';
import { startBare } from './lib/server.js';
import type { LatencySummary } from './lib/stats.js';

export interface BareCeiling {
  rps: number;
  latency: LatencySummary;
  bodyBytes: number;
  usage: UsageReport;
  errors: number;
}

export interface PgbenchRun {
  script: 'select-only' | 'tpcb-like';
  tps: number;
  latencyMs: number;
  clients: number;
  scale: number;
  seconds: number;
  dbCpu: number;
}

export async function measureBare(
  opts: BenchOptions,
  body: string,
  contentType: string,
  log: (l: string) => void,
): Promise<BareCeiling> {
  const server = await startBare({ workers: opts.workers, port: opts.barePort, body, contentType });
  try {
    log(
      `bare route: ${Buffer.byteLength(body).toLocaleString('en-US')} bytes, ${server.workerPids().length || 1} worker(s), ${opts.connections} connections`,
    );
    const steps = [{ name: 'bare', method: 'GET' as const, path: () => '/bare' }];
    if (opts.warmup > 0)
      await runLoad({ url: server.url, connections: opts.connections, duration: opts.warmup, steps, serverPid: null });
    const load = await runLoad({
      url: server.url,
      connections: opts.connections,
      duration: opts.duration,
      steps,
      serverPid: server.pid,
    });
    return {
      rps: load.ok / load.seconds,
      latency: load.latency,
      bodyBytes: Buffer.byteLength(body),
      usage: load.usage,
      errors: load.errors + load.socketErrors + load.timeouts,
    };
  } finally {
    await server.stop();
  }
}

/** pgbench from PATH, else from the PostgreSQL installation (Debian keeps it under /usr/lib/postgresql/N/bin). */
export function findPgbench(): string | null {
  if (spawnSync('pgbench', ['--version']).status === 0) return 'pgbench';
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return null;
  for (const version of fs.readdirSync(root).sort().reverse()) {
    const candidate = `${root}/${version}/bin/pgbench`;
    if (fs.existsSync(candidate)) return candidate;
  }
  return null;
}

/** Connection settings for libpq tools, from the URL. */
function pgEnv(url: string): NodeJS.ProcessEnv {
  const u = new URL(url);
  return {
    ...process.env,
    PGHOST: u.searchParams.get('host') || u.hostname || '127.0.0.1',
    PGPORT: u.port || '5432',
    PGUSER: decodeURIComponent(u.username) || 'postgres',
    ...(u.password ? { PGPASSWORD: decodeURIComponent(u.password) } : {}),
    PGDATABASE: databaseName(url),
  };
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

/** `tps = 1234.5 (without initial connection time)` and `latency average = 12.3 ms` from pgbench's summary. */
export function parsePgbench(out: string): { tps: number; latencyMs: number } {
  const tps = /tps = ([\d.]+) \((?:without initial connection time|excluding connections establishing)\)/.exec(out);
  const latency = /latency average = ([\d.]+) ms/.exec(out);
  if (!tps) throw new Error(`could not read pgbench's tps from:\n${out.slice(-1500)}`);
  return { tps: Number(tps[1]), latencyMs: latency ? Number(latency[1]) : NaN };
}

export async function measurePgbench(opts: BenchOptions, log: (l: string) => void): Promise<PgbenchRun[]> {
  const pgbench = findPgbench();
  if (!pgbench)
    throw new Error('pgbench not found (Debian: apt-get install postgresql-contrib, or the postgresql-client package)');
  const clients = opts.pgbenchClients;
  // A scale factor at least the client count keeps TPC-B's branch rows from being one queue (its documented advice).
  const scale = opts.quick ? 2 : Math.max(10, clients);
  const name = `${databaseName(opts.databaseUrl)}_pgbench`;
  const url = withDatabase(opts.databaseUrl, name);
  const env = pgEnv(url);

  const admin = new pg.Client({ connectionString: withDatabase(opts.databaseUrl, 'postgres') });
  await admin.connect();
  try {
    const exists = await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name]);
    if (!exists.rows.length) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  } finally {
    await admin.end();
  }
  const check = new pg.Client({ connectionString: url });
  await check.connect();
  let current = 0;
  try {
    const exists = await check.query<{ ok: boolean }>(`SELECT to_regclass('pgbench_branches') IS NOT NULL AS ok`);
    if (exists.rows[0]?.ok)
      current = (await check.query<{ n: number }>(`SELECT count(*)::int AS n FROM pgbench_branches`)).rows[0]?.n ?? 0;
  } finally {
    await check.end();
  }
  if (current !== scale) {
    log(`pgbench -i -s ${scale} (database ${name})`);
    const init = await run(pgbench, ['-i', '-s', String(scale), '-q'], env);
    if (init.code !== 0) throw new Error(`pgbench -i failed:\n${init.out.slice(-1500)}`);
  }

  const results: PgbenchRun[] = [];
  const threads = String(Math.min(2, clients));
  for (const script of ['select-only', 'tpcb-like'] as const) {
    const args = [
      '-c',
      String(clients),
      '-j',
      threads,
      '-T',
      String(opts.duration),
      ...(script === 'select-only' ? ['-S', '-n'] : []),
    ];
    log(`pgbench ${args.join(' ')}`);
    const meter = new UsageMeter(null);
    meter.start();
    const out = await run(pgbench, args, env);
    const usage = meter.stop();
    if (out.code !== 0) throw new Error(`pgbench ${args.join(' ')} failed:\n${out.out.slice(-1500)}`);
    const parsed = parsePgbench(out.out);
    results.push({
      script,
      tps: parsed.tps,
      latencyMs: parsed.latencyMs,
      clients,
      scale,
      seconds: opts.duration,
      dbCpu: usage.dbCpu,
    });
  }
  return results;
}
