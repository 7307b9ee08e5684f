import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

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
