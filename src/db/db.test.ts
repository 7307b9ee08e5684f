import { describe, expect, it } from 'vitest';
import {
  againOnDeadlock,
  inTx,
  isDbUnavailableError,
  isUndoneByDatabase,
  isUniqueViolation,
  type Db,
  type Tx,
} from './db.js';

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

describe('againOnDeadlock', () => {
  const failing = (codes: string[]) => {
    let calls = 0;
    const statement = async () => {
      const code = codes[calls++];
      if (code) throw Object.assign(new Error(`failed with ${code}`), { code });
      return calls;
    };
    return { statement, calls: () => calls };
  };

  it('runs a deadlock victim again and answers what the next run answers', async () => {
    const s = failing(['40P01']);
    expect(await againOnDeadlock(s.statement)).toBe(2);
    expect(s.calls()).toBe(2);
  });

  it('gives up after the attempts and throws the deadlock', async () => {
    const s = failing(['40P01', '40P01', '40P01', '40P01']);
    await expect(againOnDeadlock(s.statement)).rejects.toMatchObject({ code: '40P01' });
    expect(s.calls()).toBe(3);
  });

  it('never runs a statement again for any other failure', async () => {
    const s = failing(['23505']);
    await expect(againOnDeadlock(s.statement)).rejects.toMatchObject({ code: '23505' });
    expect(s.calls()).toBe(1);
  });
});

describe('isUndoneByDatabase', () => {
  it('is a deadlock or a serialization failure, nothing else', () => {
    expect(isUndoneByDatabase({ code: '40P01' })).toBe(true);
    expect(isUndoneByDatabase({ code: '40001' })).toBe(true);
    expect(isUndoneByDatabase({ code: '23505' })).toBe(false);
    expect(isUndoneByDatabase(null)).toBe(false);
    expect(isUndoneByDatabase('40P01')).toBe(false);
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
