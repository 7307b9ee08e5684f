import { describe, expect, it } from 'vitest';
import {
  mergeProfiles,
  profilePerFlow,
  statementDelta,
  statementLabel,
  tallyWaits,
  type StatementTime,
} from './dbprofile.js';

const st = (id: string, calls: number, execMs: number, query = `SELECT ${id}`): StatementTime => ({
  id,
  query,
  calls,
  execMs,
});

describe('statement times over a run', () => {
  it('takes each statement’s calls and time since the first read, and leaves out what did not run', () => {
    const before = [st('a', 10, 5), st('b', 4, 2), st('idle', 7, 1)];
    const after = [st('a', 30, 17), st('b', 4, 2), st('idle', 7, 1), st('new', 3, 0.9)];
    expect(statementDelta(before, after)).toEqual([st('a', 20, 12), st('new', 3, 0.9)]);
  });

  it('counts an entry that was evicted and came back from zero, never negative', () => {
    expect(statementDelta([st('a', 50, 40)], [st('a', 6, 3)])).toEqual([st('a', 6, 3)]);
  });

  it('leaves out the bench’s own reads of the statistics views', () => {
    const own = st('own', 2, 1, 'SELECT d.xact_commit AS commits FROM pg_stat_database d, pg_stat_wal w');
    expect(statementDelta([], [own, st('a', 1, 1)]).map((s) => s.id)).toEqual(['a']);
  });
});

describe('a statement’s label', () => {
  it('keeps the start of the text and names the tables it writes, once each', () => {
    const put =
      'WITH s AS (SELECT id, slug, name, currency, whatsapp, is_open, delivery_fee, free_above\n  FROM stores), ' +
      'put AS (INSERT INTO cart_lines (cart_id) SELECT $1 ON CONFLICT (cart_id) DO UPDATE SET q = 1 RETURNING 1), ' +
      'c AS (UPDATE carts SET v = v + 1), l AS (SELECT 1 FROM variants FOR UPDATE OF variants), ' +
      'k AS (SELECT 1 FROM stores FOR NO KEY UPDATE OF stores), ' +
      'd AS (insert into cart_lines (cart_id) SELECT $2) SELECT 1';
    expect(statementLabel(put)).toBe(
      'WITH s AS (SELECT id, slug, name, currency, whatsapp, is_ope… [INSERT cart_lines, UPDATE carts]',
    );
  });

  it('names at most four tables and counts the rest', () => {
    const place = ['orders', 'order_lines', 'outbox', 'carts', 'variants'].map((t) => `INSERT INTO ${t} VALUES (1)`);
    expect(statementLabel(place.join('; '))).toMatch(
      /\[INSERT orders, INSERT order_lines, INSERT outbox, INSERT carts \+1\]$/,
    );
  });

  it('leaves a short read as it is', () => {
    expect(statementLabel('SELECT  1\n')).toBe('SELECT 1');
  });
});

describe('wait samples', () => {
  it('counts running backends by their wait, CPU when they wait for nothing, and idle-in-transaction apart', () => {
    const waits: Record<string, number> = {};
    tallyWaits(waits, [
      { state: 'active', waitType: null, wait: null },
      { state: 'active', waitType: 'Lock', wait: 'transactionid' },
      { state: 'active', waitType: 'IO', wait: 'WALSync' },
      { state: 'idle', waitType: 'Client', wait: 'ClientRead' },
      { state: 'idle in transaction', waitType: 'Client', wait: 'ClientRead' },
    ]);
    tallyWaits(waits, [{ state: 'active', waitType: null, wait: null }]);
    expect(waits).toEqual({ CPU: 2, 'Lock:transactionid': 1, 'IO:WALSync': 1, 'idle in transaction': 1 });
  });
});

describe('a profile per flow', () => {
  const profile = {
    statements: [st('read', 300, 60), st('place', 100, 120), st('put', 300, 15), st('tiny', 1, 0.01)],
    waits: { CPU: 60, 'Lock:transactionid': 30, 'idle in transaction': 10 },
    samples: 45,
  };

  it('ranks the statements by time and divides by the flows', () => {
    const p = profilePerFlow(profile, 100, 2);
    expect(p.execMsPerFlow).toBeCloseTo(1.9501, 4);
    expect(p.top.map((t) => t.query)).toEqual(['SELECT place', 'SELECT read']);
    expect(p.top[0]).toMatchObject({ callsPerFlow: 1, msPerFlow: 1.2, meanMs: 1.2 });
    expect(p.top[0]!.share).toBeCloseTo(120 / 195.01, 6);
    expect(p.top[1]).toMatchObject({ callsPerFlow: 3, msPerFlow: 0.6, meanMs: 0.2 });
  });

  it('gives the waits’ shares, largest first, and the running backends per sample', () => {
    const p = profilePerFlow(profile, 100);
    expect(p.waits).toEqual([
      { what: 'CPU', share: 0.6 },
      { what: 'Lock:transactionid', share: 0.3 },
      { what: 'idle in transaction', share: 0.1 },
    ]);
    expect(p.activeBackends).toBe(2);
  });

  it('says nothing per flow when no flow completed', () => {
    const p = profilePerFlow(profile, 0);
    expect(p.execMsPerFlow).toBeNaN();
    expect(p.top[0]!.msPerFlow).toBeNaN();
  });

  it('merges rounds: statements summed by id, waits and samples added', () => {
    const merged = mergeProfiles([
      { statements: [st('a', 1, 2)], waits: { CPU: 3 }, samples: 4 },
      { statements: [st('a', 2, 1), st('b', 5, 5)], waits: { CPU: 1, 'IO:WALSync': 2 }, samples: 6 },
    ]);
    expect(merged).toEqual({
      statements: [st('a', 3, 3), st('b', 5, 5)],
      waits: { CPU: 4, 'IO:WALSync': 2 },
      samples: 10,
    });
  });
});
