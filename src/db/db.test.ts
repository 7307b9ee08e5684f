import { describe, expect, it } from 'vitest';
import { inTx, isDbUnavailableError, isUniqueViolation, type Db, type Tx } from './db.js';

describe('inTx', () => {
  it('opens a transaction on a pool and reuses a given transaction', async () => {
    const tx: Tx = { query: async () => ({ rows: [], rowCount: 0 }), exec: async () => {} };
    let opened = 0;
    const db = {
      tx: async <T>(fn: (t: Tx) => Promise<T>) => {
        opened++;
        return fn(tx);
      },
    } as unknown as Db;
    expect(await inTx(db, async (t) => t === tx)).toBe(true);
    expect(opened).toBe(1);
    expect(await inTx(tx, async (t) => t === tx)).toBe(true);
    expect(opened).toBe(1);
  });
});

describe('isUniqueViolation', () => {
  it('is true for SQLSTATE 23505 only', () => {
    expect(isUniqueViolation({ code: '23505' })).toBe(true);
    expect(isUniqueViolation({ code: '23503' })).toBe(false);
    expect(isUniqueViolation(new Error('23505'))).toBe(false);
    expect(isUniqueViolation(null)).toBe(false);
  });
});

describe('isDbUnavailableError', () => {
  it('knows a server that is down or read-only, over TCP and over a Unix socket, from other failures', () => {
    expect(isDbUnavailableError({ code: 'ECONNREFUSED', syscall: 'connect' })).toBe(true);
    expect(isDbUnavailableError({ code: '57P01' })).toBe(true);
    expect(isDbUnavailableError(new Error('Connection terminated unexpectedly'))).toBe(true);
    // node-postgres on `?host=/dir` when the server is stopped: `connect ENOENT /dir/.s.PGSQL.5432`.
    expect(
      isDbUnavailableError({ code: 'ENOENT', syscall: 'connect', message: 'connect ENOENT /x/.s.PGSQL.5432' }),
    ).toBe(true);
    // A write sent to a server still in recovery (a failover's new leader before its promotion ends).
    expect(isDbUnavailableError({ code: '25006', message: 'cannot execute INSERT in a read-only transaction' })).toBe(
      true,
    );
    // A file that is not there (an upload, a template) is not the database.
    expect(isDbUnavailableError({ code: 'ENOENT', syscall: 'open' })).toBe(false);
    expect(isDbUnavailableError({ code: '23505' })).toBe(false);
    expect(isDbUnavailableError(null)).toBe(false);
  });
});
