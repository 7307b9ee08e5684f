/**
 * What the database did during a measured run: commits and rollbacks of the bench database (`pg_stat_database`),
 * WAL records, bytes, writes and flushes (`pg_stat_wal`, the whole cluster) and statements (`pg_stat_statements`,
 * this database, when the extension is loaded). Read before and after the run; the delta divided by the flows
 * completed gives the work one customer costs, so every change to the write path shows its effect.
 */
import type pg from 'pg';
import type { ProfilePerFlow } from './dbprofile.js';

export interface DbCounters {
  commits: number;
  rollbacks: number;
  walRecords: number;
  walBytes: number;
  /** WAL written to the kernel (`pg_stat_wal.wal_write`). */
  walWrites: number;
  /** WAL flushed to disk (`pg_stat_wal.wal_sync`): the fsyncs a durable commit waits for. */
  walFlushes: number;
  /** Statements executed in this database (sum of `pg_stat_statements.calls`); null without the extension. */
  statements: number | null;
}

export interface DbWork {
  /** What the delta is divided by: checkouts, line puts, flash-sale customers. */
  flows: number;
  flowLabel: string;
  total: DbCounters;
  perFlow: DbCounters;
  /** Why statements are not counted, when they are not. */
  statementsNote?: string;
  /** Where the database's time went per flow (dbprofile.ts), with pg_stat_statements. */
  profile?: ProfilePerFlow;
}

const NUMERIC_KEYS = ['commits', 'rollbacks', 'walRecords', 'walBytes', 'walWrites', 'walFlushes'] as const;

/** after − before, per counter. A counter that went backwards (stats reset mid-run) is reported as NaN. */
export function counterDelta(before: DbCounters, after: DbCounters): DbCounters {
  const out = {} as DbCounters;
  for (const k of NUMERIC_KEYS) {
    const d = after[k] - before[k];
    out[k] = d >= 0 ? d : Number.NaN;
  }
  if (before.statements === null || after.statements === null) out.statements = null;
  else {
    const d = after.statements - before.statements;
    out.statements = d >= 0 ? d : Number.NaN;
  }
  return out;
}

/** The delta per flow; every figure NaN when no flow completed (nothing to divide by). */
export function perFlow(delta: DbCounters, flows: number): DbCounters {
  const div = (v: number) => (flows > 0 ? v / flows : Number.NaN);
  const out = {} as DbCounters;
  for (const k of NUMERIC_KEYS) out[k] = div(delta[k]);
  out.statements = delta.statements === null ? null : div(delta.statements);
  return out;
}

/**
 * The bench's own reads of the statistics views are statements too: `readCounters` sends exactly one statement,
 * and the counters of the "after" read include the "before" read's statement (and its commit).
 * `withoutOwnReads` takes those out.
 */
export function withoutOwnReads(delta: DbCounters): DbCounters {
  return {
    ...delta,
    commits: Math.max(0, delta.commits - 1),
    statements: delta.statements === null ? null : Math.max(0, delta.statements - 1),
  };
}

const fmt = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : '–');

/** `2.0 commits, 5.1 statements, 3,412 WAL bytes, 2.0 WAL flushes per checkout` */
export function describeWork(w: DbWork): string {
  const p = w.perFlow;
  const statements =
    p.statements === null
      ? `statements not counted${w.statementsNote ? ` (${w.statementsNote})` : ''}`
      : `${fmt(p.statements, 1)} statements`;
  const bytes = Number.isFinite(p.walBytes) ? Math.round(p.walBytes).toLocaleString('en-US') : '–';
  return (
    `per ${w.flowLabel} (${w.flows.toLocaleString('en-US')} in the measured run): ${fmt(p.commits, 2)} commits, ` +
    `${statements}, ${fmt(p.walRecords, 1)} WAL records, ${bytes} WAL bytes, ` +
    `${fmt(p.walFlushes, 2)} WAL flushes, ${fmt(p.rollbacks, 2)} rollbacks`
  );
}

/** Whether pg_stat_statements can be read in this database (created if the server preloads the library). */
export async function statementsAvailable(pool: pg.Pool): Promise<{ ok: true } | { ok: false; why: string }> {
  try {
    await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await pool.query('SELECT 1 FROM pg_stat_statements LIMIT 1');
    return { ok: true };
  } catch (err) {
    const msg = (err as Error).message;
    return {
      ok: false,
      why: /shared_preload_libraries/.test(msg)
        ? 'pg_stat_statements is not in shared_preload_libraries; --private-pg runs a cluster that loads it'
        : msg.split('\n')[0]!,
    };
  }
}

const STATEMENTS_SQL = '(SELECT sum(calls) FROM pg_stat_statements s WHERE s.dbid = d.datid)';

/**
 * One statement reading every counter. The statistics a backend collects reach the shared views when it goes idle
 * (at most once a second in PostgreSQL 15), so callers wait `settleMs` after the load before the "after" read.
 */
export async function readCounters(pool: pg.Pool, withStatements: boolean): Promise<DbCounters> {
  const { rows } = await pool.query<{
    commits: string;
    rollbacks: string;
    wal_records: string;
    wal_bytes: string;
    wal_write: string;
    wal_sync: string;
    statements: string | null;
  }>(
    `SELECT d.xact_commit AS commits, d.xact_rollback AS rollbacks, w.wal_records, w.wal_bytes, w.wal_write, w.wal_sync,
            ${withStatements ? STATEMENTS_SQL : 'NULL'} AS statements
       FROM pg_stat_database d, pg_stat_wal w
      WHERE d.datname = current_database()`,
  );
  const r = rows[0]!;
  return {
    commits: Number(r.commits),
    rollbacks: Number(r.rollbacks),
    walRecords: Number(r.wal_records),
    walBytes: Number(r.wal_bytes),
    walWrites: Number(r.wal_write),
    walFlushes: Number(r.wal_sync),
    statements: r.statements === null ? null : Number(r.statements),
  };
}

export const SETTLE_MS = 1500;
