import { describe, expect, it } from 'vitest';
import {
  ArgError,
  databaseName,
  defaultStores,
  formatCount,
  parseBenchArgs,
  parseCount,
  parseSeedArgs,
  withDatabase,
} from './args.js';
import { longTail, Rng, uuidv7At } from './random.js';
import { percentileSorted, summarize } from './stats.js';
import { describeLoggedErrors, loggedErrors } from './pglog.js';

describe('percentiles', () => {
  it('nearest rank, no interpolation: a reported p99 is a latency some request had', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    expect(percentileSorted(sorted, 50)).toBe(50);
    expect(percentileSorted(sorted, 99)).toBe(99);
    expect(percentileSorted(sorted, 100)).toBe(100);
    expect(percentileSorted([7, 9], 50)).toBe(7);
    expect(percentileSorted([7, 9], 51)).toBe(9);
    expect(percentileSorted([], 50)).toBeNaN();
  });

  it('summarize sorts, and reports count, mean, p50/p90/p99 and max', () => {
    const s = summarize([5, 1, 4, 2, 3, 10, 9, 8, 7, 6]);
    expect(s).toEqual({ count: 10, mean: 5.5, p50: 5, p90: 9, p99: 10, max: 10 });
  });
});

describe('options', () => {
  it('counts read as written: 10k, 1m, 2_000', () => {
    expect(parseCount('10k', 'x')).toBe(10_000);
    expect(parseCount('1M', 'x')).toBe(1_000_000);
    expect(parseCount('2_000', 'x')).toBe(2_000);
    expect(parseCount('2.5k', 'x')).toBe(2_500);
    expect(() => parseCount('lots', 'x')).toThrow(ArgError);
    expect(() => parseCount('0', 'x')).toThrow(ArgError);
    expect(formatCount(1_000_000)).toBe('1M');
    expect(formatCount(10_000)).toBe('10k');
    expect(formatCount(2_500)).toBe('2.5k');
    expect(formatCount(123)).toBe('123');
  });

  it('the whole run by default; --quick is one small scale with short scenarios', () => {
    const full = parseBenchArgs([]);
    expect(full.scales).toEqual([10_000, 100_000, 1_000_000]);
    expect(full).toMatchObject({
      duration: 15,
      warmup: 3,
      connections: 64,
      workers: 2,
      flashCustomers: 500,
      flashStock: 100,
      flashRounds: 3,
      pgbenchClients: 20,
    });
    const quick = parseBenchArgs(['--quick']);
    expect(quick).toMatchObject({ scales: [10_000], duration: 3, flashRounds: 1 });
    expect(parseBenchArgs(['--scales', '1m,10k,10k', '--scenarios', 'list,flash']).scales).toEqual([10_000, 1_000_000]);
  });

  it('refuses what it cannot mean, with a sentence', () => {
    expect(() => parseBenchArgs(['--no-such-option'])).toThrow(ArgError);
    expect(() => parseBenchArgs(['--scenarios', 'list,teleport'])).toThrow(ArgError);
    expect(() => parseBenchArgs(['--flash-stock', '600'])).toThrow(/sell out/);
    expect(() => parseBenchArgs(['--scales', '1k'])).toThrow(/exceed --bench-products/);
    expect(() => parseBenchArgs(['--url', 'http://127.0.0.1:3000'])).toThrow(/one --scales/);
    expect(() => parseSeedArgs(['--products', '6m'])).toThrow(/at most 5m/);
    expect(() => parseBenchArgs(['--pg-socket'])).toThrow(/needs --private-pg/);
    expect(parseBenchArgs(['--private-pg', '--pg-socket'])).toMatchObject({ privatePg: true, pgSocket: true });
  });

  it('stores default to one per 200 products (at least 10); database names swap inside a URL', () => {
    expect(defaultStores(1_000_000)).toBe(5_000);
    expect(defaultStores(500)).toBe(10);
    expect(parseSeedArgs(['--products', '1m']).stores).toBe(5_000);
    const url = 'postgres://postgres@127.0.0.1:5432/dukaan_bench';
    expect(databaseName(url)).toBe('dukaan_bench');
    expect(withDatabase(url, 'dukaan_bench_1m')).toBe('postgres://postgres@127.0.0.1:5432/dukaan_bench_1m');
    // Over a Unix socket (--pg-socket) the directory stays a parameter of every database's URL.
    const socket = 'postgres://postgres@localhost:5432/dukaan_bench?host=%2Ftmp%2Fpg%2Fdata';
    expect(databaseName(socket)).toBe('dukaan_bench');
    expect(new URL(withDatabase(socket, 'dukaan_bench_10k')).searchParams.get('host')).toBe('/tmp/pg/data');
  });
});

describe('data shapes', () => {
  it('a long tail: every store gets at least the minimum, sizes only shrink, and they add up to the total', () => {
    const sizes = longTail(1_000_000, 5_000, 0.9, 30);
    expect(sizes).toHaveLength(5_000);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(1_000_000);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(30);
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]!).toBeLessThanOrEqual(sizes[i - 1]! + 1);
    expect(sizes[0]! / sizes[4_999]!).toBeGreaterThan(100); // a few big stores, many small ones
    expect(() => longTail(10, 5, 0.9, 3)).toThrow();
  });

  it('UUIDv7 ids at a given time: valid version and variant, ordered like their times', () => {
    const rng = new Rng(42);
    const a = uuidv7At(Date.UTC(2026, 0, 1), 1, rng);
    const b = uuidv7At(Date.UTC(2026, 5, 1), 1, rng);
    const v7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(a).toMatch(v7);
    expect(b).toMatch(v7);
    expect(a < b).toBe(true);
    expect(parseInt(a.replace(/-/g, '').slice(0, 12), 16)).toBe(Date.UTC(2026, 0, 1));
  });

  it('the same seed gives the same numbers', () => {
    const x = new Rng(7);
    const y = new Rng(7);
    expect(Array.from({ length: 5 }, () => x.u32())).toEqual(Array.from({ length: 5 }, () => y.u32()));
  });
});

describe("PostgreSQL's log", () => {
  const log = [
    '2026-11-30 20:06:26.636 UTC [7619] LOG:  database system is ready to accept connections',
    '2026-11-30 20:06:39.656 UTC [7799] FATAL:  database "dukaan_bench_10k" does not exist',
    '2026-11-30 20:06:51.237 UTC [7892] ERROR:  deadlock detected',
    '2026-11-30 20:06:51.237 UTC [7892] DETAIL:  Process 7892 waits for ShareLock on transaction 4783.',
    '\tProcess 7904: WITH o AS MATERIALIZED (SELECT 1)',
    '2026-11-30 20:07:02.001 UTC [7893] ERROR:  deadlock detected',
    '2026-11-30 20:07:03.5 UTC [7894] FATAL:  database "shop" does not exist',
    '2026-11-30 20:07:04.000 UTC [7895] ERROR:  relation "x" does not exist',
  ].join('\n');

  it('counts errors by message, most frequent first, without the bench probing for its own databases', () => {
    expect(loggedErrors(log)).toEqual([
      { severity: 'ERROR', message: 'deadlock detected', count: 2 },
      { severity: 'FATAL', message: 'database "shop" does not exist', count: 1 },
      { severity: 'ERROR', message: 'relation "x" does not exist', count: 1 },
    ]);
  });

  it('says so in one line, or that there were none', () => {
    expect(describeLoggedErrors(loggedErrors(log))).toMatch(/^PostgreSQL logged 2 × ERROR "deadlock detected", 1 × /);
    expect(describeLoggedErrors(loggedErrors(log.split('\n').slice(0, 2).join('\n')))).toMatch(/no ERROR/);
  });
});
