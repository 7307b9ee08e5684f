import { describe, expect, it, vi } from 'vitest';
import { loadConfig, loadConfigOrExit } from './config.js';

describe('DATABASE_REPLICA_URLS', () => {
  it('is a comma-separated list of postgres URLs beside DATABASE_URL', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://app@db1/dukaan',
      DATABASE_REPLICA_URLS: ' postgres://app@db2/dukaan, postgresql://app@db3:6432/dukaan ,',
    });
    expect(config.databaseReplicaUrls).toEqual(['postgres://app@db2/dukaan', 'postgresql://app@db3:6432/dukaan']);
    expect(loadConfig({ DATABASE_URL: 'postgres://app@db1/dukaan' }).databaseReplicaUrls).toEqual([]);
  });
  it('is refused with the embedded database, which has no replicas, and when an entry is not a URL', () => {
    expect(() => loadConfig({ DATABASE_REPLICA_URLS: 'postgres://app@db2/dukaan' })).toThrow(
      /DATABASE_URL is not: the embedded database \(PGlite\) has no replicas/,
    );
    expect(() => loadConfig({ DATABASE_URL: 'postgres://app@db1/dukaan', DATABASE_REPLICA_URLS: 'db2:5432' })).toThrow(
      /postgres:\/\/ URL/,
    );
  });
});

describe('DB_PLAN_CACHE_MODE', () => {
  it("is one of PostgreSQL's plan_cache_mode values; unset or empty: force_generic_plan", () => {
    expect(loadConfig({}).dbPlanCacheMode).toBe('force_generic_plan');
    expect(loadConfig({ DB_PLAN_CACHE_MODE: ' ' }).dbPlanCacheMode).toBe('force_generic_plan');
    for (const mode of ['auto', 'force_custom_plan', 'force_generic_plan'])
      expect(loadConfig({ DB_PLAN_CACHE_MODE: mode }).dbPlanCacheMode).toBe(mode);
  });
  it('refuses anything else, naming the values it takes', () => {
    expect(() => loadConfig({ DB_PLAN_CACHE_MODE: 'generic' })).toThrow(
      /DB_PLAN_CACHE_MODE must be one of force_generic_plan, auto, force_custom_plan, got "generic"/,
    );
  });
});

describe('loadConfigOrExit', () => {
  it('stops the command with one line and exit code 1', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation(() => {
      throw new Error('exited');
    });
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => loadConfigOrExit('dukaan serve', { DATABASE_REPLICA_URLS: 'postgres://db2/dukaan' })).toThrow(
        'exited',
      );
      expect(exit).toHaveBeenCalledWith(1);
      expect(String(stderr.mock.calls[0]?.[0])).toMatch(/^dukaan serve: refusing to start\. DATABASE_REPLICA_URLS/);
      expect(loadConfigOrExit('dukaan serve', { DATABASE_URL: 'postgres://db1/dukaan' }).databaseReplicaUrls).toEqual(
        [],
      );
    } finally {
      exit.mockRestore();
      stderr.mockRestore();
    }
  });
});

describe('DUKAAN_CHECKOUT_BATCH', () => {
  it('is on unless set to 0', () => {
    expect(loadConfig({}).checkoutBatch).toBe(true);
    expect(loadConfig({ DUKAAN_CHECKOUT_BATCH: '1' }).checkoutBatch).toBe(true);
    expect(loadConfig({ DUKAAN_CHECKOUT_BATCH: '0' }).checkoutBatch).toBe(false);
  });
});
