import { describe, expect, it } from 'vitest';
import { inTx, isUniqueViolation, type Db, type Tx } from './db.js';

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
