/**
 * Command-line options of `npm run bench` and `npm run bench:seed`. Pure: no I/O, so the rules are easy to check.
 * Sizes accept `10k`, `1m`, `1_000_000`; lists are comma-separated.
 */

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/dukaan_bench';

/** Every scenario `npm run bench` knows, in the order they run (reads first, then writes that change stock). */
export const SCENARIOS = [
  'list',
  'list-deep',
  'detail',
  'home',
  'search',
  'cart',
  'checkout',
  'checkout-lines',
  'checkout-stores',
  'flash',
  'whatsapp',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
/** The scenarios measured at every scale of the curve; the others run at the largest scale only. */
export const CURVE_SCENARIOS: readonly ScenarioName[] = ['list', 'search'];

export interface BenchOptions {
  databaseUrl: string;
  quick: boolean;
  /** Seconds of measured load per scenario. */
  duration: number;
  /** Seconds of discarded load before each measurement (JIT, caches, pools). */
  warmup: number;
  connections: number;
  scenarios: ScenarioName[];
  /** Total products of the platform at each step of the scale curve, ascending. */
  scales: number[];
  /** Stores of the platform, per scale; null: one store per 200 products (a long tail). */
  stores: number | null;
  benchProducts: number;
  workers: number;
  port: number;
  barePort: number;
  flashCustomers: number;
  flashStock: number;
  flashRounds: number;
  pgbenchClients: number;
  reseed: boolean;
  /**
   * Run PostgreSQL as a private cluster of the bench's own (initdb in a temp dir, durable settings, pg_stat_statements
   * preloaded): the WAL counters then count the bench alone, and statements per flow are counted.
   */
  privatePg: boolean;
  /**
   * With `privatePg`: the server, the bench and pgbench reach that cluster over its Unix socket instead of TCP on
   * 127.0.0.1 (what a single box with PostgreSQL beside the app can do).
   */
  pgSocket: boolean;
  /** Also run the checkout and flash scenarios against the embedded database (PGlite, one process). */
  embedded: boolean;
  /** An already running server to measure instead of starting one (no CPU/RSS figures then). */
  url: string | null;
  outDir: string;
  machine: string | null;
}

export interface SeedOptions {
  databaseUrl: string;
  stores: number;
  products: number;
  benchProducts: number;
  /** Seed of the random generator: the same seed gives the same shapes (ids differ: they carry the time). */
  seed: number;
  force: boolean;
}

export class ArgError extends Error {}

/** `10k` → 10000, `1m` / `1M` → 1000000, `2_000` → 2000. */
export function parseCount(raw: string, name: string): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(raw.trim().replace(/_/g, ''));
  if (!m) throw new ArgError(`${name}: expected a count like 2000, 10k or 1m, got "${raw}"`);
  const unit = m[2]!.toLowerCase();
  const value = Number(m[1]) * (unit === 'k' ? 1_000 : unit === 'm' ? 1_000_000 : 1);
  if (!Number.isInteger(value) || value <= 0)
    throw new ArgError(`${name}: expected a positive whole count, got "${raw}"`);
  return value;
}

/** 10000 → `10k`, 1000000 → `1M`, 2500 → `2.5k`. */
export function formatCount(n: number): string {
  if (n >= 1_000_000 && n % 100_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1_000 && n % 100 === 0) return `${n / 1_000}k`;
  return String(n);
}

type Flags = Map<string, string | true>;

/** `--a 1 --b=2 --c` → {a: '1', b: '2', c: true}. Positional arguments are refused: every option is named. */
export function readFlags(argv: readonly string[]): Flags {
  const flags: Flags = new Map();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new ArgError(`unexpected argument "${arg}" (options look like --name value)`);
    const eq = arg.indexOf('=');
    if (eq > 0) {
      flags.set(arg.slice(2, eq), arg.slice(eq + 1));
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      flags.set(arg.slice(2), next);
      i++;
    } else {
      flags.set(arg.slice(2), true);
    }
  }
  return flags;
}

function take(flags: Flags, known: Set<string>, name: string): string | true | undefined {
  known.add(name);
  return flags.get(name);
}

function str(flags: Flags, known: Set<string>, name: string): string | undefined {
  const v = take(flags, known, name);
  if (v === true) throw new ArgError(`--${name} needs a value`);
  return v;
}

function bool(flags: Flags, known: Set<string>, name: string): boolean {
  const v = take(flags, known, name);
  if (v === undefined) return false;
  if (v === true || v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new ArgError(`--${name} is a switch (true/false), got "${v}"`);
}

function num(
  flags: Flags,
  known: Set<string>,
  name: string,
  fallback: number,
  opts: { min?: number; integer?: boolean } = {},
): number {
  const raw = str(flags, known, name);
  if (raw === undefined) return fallback;
  const value = opts.integer === false ? Number(raw) : parseCount(raw, `--${name}`);
  if (!Number.isFinite(value) || value < (opts.min ?? 0))
    throw new ArgError(`--${name}: expected a number ≥ ${opts.min ?? 0}, got "${raw}"`);
  return value;
}

function refuseUnknown(flags: Flags, known: Set<string>): void {
  const unknown = [...flags.keys()].filter((k) => !known.has(k));
  if (unknown.length)
    throw new ArgError(`unknown option${unknown.length > 1 ? 's' : ''}: ${unknown.map((k) => `--${k}`).join(', ')}`);
}

export function parseScenarioList(raw: string): ScenarioName[] {
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n));
  if (bad.length) throw new ArgError(`--scenarios: unknown ${bad.join(', ')} (known: ${SCENARIOS.join(', ')})`);
  if (!names.length) throw new ArgError('--scenarios: name at least one');
  // Keep the canonical order whatever order they were given in: writes must come after reads.
  return SCENARIOS.filter((s) => names.includes(s));
}

export function parseBenchArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): BenchOptions {
  const flags = readFlags(argv);
  const known = new Set<string>();
  const quick = bool(flags, known, 'quick');
  const scenariosRaw = str(flags, known, 'scenarios');
  const scalesRaw = str(flags, known, 'scales');
  const scales = scalesRaw
    ? [...new Set(scalesRaw.split(',').map((s) => parseCount(s, '--scales')))].sort((a, b) => a - b)
    : quick
      ? [10_000]
      : [10_000, 100_000, 1_000_000];
  const workers = num(flags, known, 'workers', 2, { min: 1 });
  const benchProducts = num(flags, known, 'bench-products', 2_000, { min: 100 });
  if (scales.some((s) => s < benchProducts + 100))
    throw new ArgError(`--scales: every scale must exceed --bench-products (${benchProducts}) by at least 100`);
  const storesRaw = str(flags, known, 'stores');
  const options: BenchOptions = {
    databaseUrl: str(flags, known, 'database-url') ?? env.BENCH_DATABASE_URL ?? DEFAULT_DATABASE_URL,
    quick,
    duration: num(flags, known, 'duration', quick ? 3 : 15, { min: 1 }),
    warmup: num(flags, known, 'warmup', quick ? 1 : 3, { min: 0, integer: false }),
    connections: num(flags, known, 'connections', 64, { min: 1 }),
    scenarios: scenariosRaw ? parseScenarioList(scenariosRaw) : [...SCENARIOS],
    scales,
    stores: storesRaw === undefined ? null : parseCount(storesRaw, '--stores'),
    benchProducts,
    workers,
    port: num(flags, known, 'port', 3190, { min: 1 }),
    barePort: num(flags, known, 'bare-port', 3191, { min: 1 }),
    flashCustomers: num(flags, known, 'flash-customers', 500, { min: 1 }),
    flashStock: num(flags, known, 'flash-stock', 100, { min: 1 }),
    flashRounds: num(flags, known, 'flash-rounds', quick ? 1 : 3, { min: 1 }),
    pgbenchClients: num(flags, known, 'pgbench-clients', workers * 10, { min: 1 }),
    reseed: bool(flags, known, 'reseed'),
    privatePg: bool(flags, known, 'private-pg'),
    pgSocket: bool(flags, known, 'pg-socket'),
    embedded: bool(flags, known, 'embedded'),
    url: str(flags, known, 'url') ?? null,
    outDir: str(flags, known, 'out') ?? 'bench/results',
    machine: str(flags, known, 'machine') ?? null,
  };
  if (options.flashStock > options.flashCustomers)
    throw new ArgError('--flash-stock must not exceed --flash-customers: the sale must sell out');
  if (options.url && options.privatePg)
    throw new ArgError('--private-pg starts its own PostgreSQL: it cannot measure a server given with --url');
  if (options.pgSocket && !options.privatePg)
    throw new ArgError('--pg-socket needs --private-pg (the socket of the cluster the bench starts)');
  if (options.url && options.embedded)
    throw new ArgError('--embedded starts its own server on the embedded database: it cannot be given --url');
  if (options.url && scales.length > 1)
    throw new ArgError('--url measures a server you started yourself: give one --scales value (the data it has)');
  refuseUnknown(flags, known);
  return options;
}

export function parseSeedArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): SeedOptions {
  const flags = readFlags(argv);
  const known = new Set<string>();
  const products = num(flags, known, 'products', 200_000, { min: 1 });
  const benchProducts = num(flags, known, 'bench-products', 2_000, { min: 100 });
  if (products > 5_000_000) throw new ArgError('--products: at most 5m');
  if (products < benchProducts + 100)
    throw new ArgError(`--products must exceed --bench-products (${benchProducts}) by at least 100`);
  const options: SeedOptions = {
    databaseUrl: str(flags, known, 'database-url') ?? env.BENCH_DATABASE_URL ?? DEFAULT_DATABASE_URL,
    stores: num(flags, known, 'stores', defaultStores(products), { min: 2 }),
    products,
    benchProducts,
    seed: num(flags, known, 'seed', 42, { min: 0 }),
    force: bool(flags, known, 'force'),
  };
  refuseUnknown(flags, known);
  return options;
}

/** One store per 200 products, at least 10: 10k → 50 stores, 1M → 5000. */
export function defaultStores(products: number): number {
  return Math.max(10, Math.round(products / 200));
}

/** The database name of a connection URL, for the guard that refuses to drop anything not made for benchmarks. */
export function databaseName(url: string): string {
  const parsed = new URL(url);
  return decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'postgres';
}

/** The same server, another database (pgbench's own, or `postgres` to create databases from). */
export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(name)}`;
  return parsed.toString();
}
