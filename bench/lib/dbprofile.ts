/**
 * Where the database's time went during a measured run, beside the counters of dbcounters.ts (how much work):
 *
 * - per statement: `pg_stat_statements` read before and after the run (execution time and calls of each statement
 *   of the bench database), so the report names the statements that cost a flow its milliseconds;
 * - per wait: `pg_stat_activity` sampled every `WAIT_SAMPLE_MS` while the load runs. Each sample counts every client
 *   backend of the bench database that is running a statement, by what it waits for (`Lock:transactionid`,
 *   `IO:WALSync`, …; `CPU` when it waits for nothing: running, or runnable and waiting for a core), and those
 *   `idle in transaction` (a transaction waiting for its client's next statement).
 *
 * The arithmetic is pure and unit-tested (dbprofile.test.ts); the two readers are the only SQL.
 */
import pg from 'pg';
import { withDatabase } from './args.js';

/** One statement's cumulative figures (`pg_stat_statements`), keyed by its query id. */
export interface StatementTime {
  id: string;
  /** A label for the report: the text's start and the tables it writes (`statementLabel`). */
  query: string;
  calls: number;
  /** Execution time, ms (planning excluded: `track_planning` is off by default). */
  execMs: number;
}

/** What a run's profile holds: statements' deltas over the run and the wait samples taken during it. */
export interface DbProfile {
  statements: StatementTime[];
  /** Backend samples by what they waited for (see the top of this file). */
  waits: Record<string, number>;
  /** How many times pg_stat_activity was read. */
  samples: number;
}

/** One line of the report's table: a statement's share of a flow. */
export interface StatementPerFlow {
  query: string;
  callsPerFlow: number;
  msPerFlow: number;
  meanMs: number;
  /** Of all statement execution time in the run, 0..1. */
  share: number;
}

export interface ProfilePerFlow {
  /** All statements' execution time per flow, ms. */
  execMsPerFlow: number;
  top: StatementPerFlow[];
  /** Share of the active-backend samples per wait, largest first, 0..1. */
  waits: { what: string; share: number }[];
  /** Backends running a statement, on average per sample. */
  activeBackends: number;
  samples: number;
}

/** How much of a statement's start its label keeps, and how many of the tables it writes it names. */
export const QUERY_CHARS = 60;
const MAX_WRITES_NAMED = 4;
export const WAIT_SAMPLE_MS = 50;
/** The bench's own reads of the statistics views: not the server's work. */
const OWN_READS = /\bpg_stat_(statements|activity|database|wal)\b/;

/**
 * A statement's label: its first `QUERY_CHARS` characters (whitespace collapsed) and, when it writes, the tables it
 * writes — the hot statements of a flow all start with the same store CTE, and their writes tell them apart.
 */
export function statementLabel(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const start = flat.length > QUERY_CHARS ? `${flat.slice(0, QUERY_CHARS)}…` : flat;
  const writes = new Set<string>();
  // Not `FOR [NO KEY] UPDATE OF …` (a lock) nor `ON CONFLICT … DO UPDATE SET` (the insert's own table).
  for (const m of flat.matchAll(/\b(INSERT INTO|(?<!FOR |KEY |DO )UPDATE|DELETE FROM)\s+([a-z_][a-z0-9_.]*)/gi)) {
    const verb = m[1]!.toUpperCase().split(' ')[0]!;
    writes.add(`${verb} ${m[2]!.toLowerCase()}`);
  }
  const named = [...writes].slice(0, MAX_WRITES_NAMED);
  const more = writes.size > named.length ? ` +${writes.size - named.length}` : '';
  return writes.size ? `${start} [${named.join(', ')}${more}]` : start;
}

/** after − before per statement; statements the run did not execute are left out, the bench's own reads too. */
export function statementDelta(before: readonly StatementTime[], after: readonly StatementTime[]): StatementTime[] {
  const was = new Map(before.map((s) => [s.id, s]));
  const out: StatementTime[] = [];
  for (const s of after) {
    if (OWN_READS.test(s.query)) continue;
    const b = was.get(s.id);
    const calls = s.calls - (b?.calls ?? 0);
    // Fewer calls than before: the entry was evicted and came back (pg_stat_statements.max); count it from zero.
    const delta = calls >= 0 ? { calls, execMs: s.execMs - (b?.execMs ?? 0) } : { calls: s.calls, execMs: s.execMs };
    if (delta.calls > 0) out.push({ id: s.id, query: s.query, ...delta });
  }
  return out;
}

/** One profile of several runs (the flash sale's rounds): statements summed by id, waits and samples added. */
export function mergeProfiles(profiles: readonly DbProfile[]): DbProfile {
  const byId = new Map<string, StatementTime>();
  const waits: Record<string, number> = {};
  let samples = 0;
  for (const p of profiles) {
    for (const s of p.statements) {
      const had = byId.get(s.id);
      byId.set(s.id, had ? { ...had, calls: had.calls + s.calls, execMs: had.execMs + s.execMs } : { ...s });
    }
    for (const [what, n] of Object.entries(p.waits)) waits[what] = (waits[what] ?? 0) + n;
    samples += p.samples;
  }
  return { statements: [...byId.values()], waits, samples };
}

/** Counts one pg_stat_activity sample into `waits`. */
export function tallyWaits(
  waits: Record<string, number>,
  backends: readonly { state: string | null; waitType: string | null; wait: string | null }[],
): void {
  for (const b of backends) {
    let what: string | null = null;
    if (b.state === 'active') what = b.waitType ? `${b.waitType}:${b.wait ?? '?'}` : 'CPU';
    else if (b.state === 'idle in transaction') what = 'idle in transaction';
    if (what) waits[what] = (waits[what] ?? 0) + 1;
  }
}

/** The profile per flow: the `topN` statements by time, and the waits' shares. */
export function profilePerFlow(p: DbProfile, flows: number, topN = 6): ProfilePerFlow {
  const per = (v: number) => (flows > 0 ? v / flows : Number.NaN);
  const totalMs = p.statements.reduce((acc, s) => acc + s.execMs, 0);
  const top = [...p.statements]
    .sort((a, b) => b.execMs - a.execMs)
    .slice(0, topN)
    .map((s) => ({
      query: s.query,
      callsPerFlow: per(s.calls),
      msPerFlow: per(s.execMs),
      meanMs: s.calls ? s.execMs / s.calls : Number.NaN,
      share: totalMs > 0 ? s.execMs / totalMs : Number.NaN,
    }));
  const counted = Object.values(p.waits).reduce((acc, n) => acc + n, 0);
  const waits = Object.entries(p.waits)
    .sort((a, b) => b[1] - a[1])
    .map(([what, n]) => ({ what, share: n / counted }));
  const active = Object.entries(p.waits)
    .filter(([what]) => what !== 'idle in transaction')
    .reduce((acc, [, n]) => acc + n, 0);
  return {
    execMsPerFlow: per(totalMs),
    top,
    waits,
    activeBackends: p.samples ? active / p.samples : Number.NaN,
    samples: p.samples,
  };
}

/** Every statement of this database in `pg_stat_statements` (the extension must be readable). */
export async function readStatementTimes(pool: pg.Pool): Promise<StatementTime[]> {
  const { rows } = await pool.query<{ id: string; query: string; calls: string; exec_ms: number }>(
    `SELECT queryid::text AS id, query, calls, total_exec_time AS exec_ms
       FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND queryid IS NOT NULL`,
  );
  // The bench's own reads are left out here, where the whole text is still there to tell them by.
  return rows
    .filter((r) => !OWN_READS.test(r.query))
    .map((r) => ({
      id: r.id,
      // Two statements may share a label (the same start, the same tables): the query id's end tells them apart.
      query: `${statementLabel(r.query)} #${r.id.slice(-4)}`,
      calls: Number(r.calls),
      execMs: Number(r.exec_ms),
    }));
}

/**
 * Samples pg_stat_activity every `WAIT_SAMPLE_MS` until `stop()` resolves with the tally. The sampler connects to
 * the cluster's `postgres` database, so its statements and commits never count as the bench database's work (the
 * counters of dbcounters.ts). A failed sample is skipped: it never fails the run.
 */
export async function sampleWaits(
  databaseUrl: string,
  database: string,
): Promise<{ stop: () => Promise<Pick<DbProfile, 'waits' | 'samples'>> }> {
  const client = new pg.Client({ connectionString: withDatabase(databaseUrl, 'postgres') });
  client.on('error', () => {});
  await client.connect();
  const waits: Record<string, number> = {};
  let samples = 0;
  let running: Promise<void> = Promise.resolve();
  const sample = async () => {
    try {
      const { rows } = await client.query<{ state: string | null; wait_type: string | null; wait: string | null }>(
        `SELECT state, wait_event_type AS wait_type, wait_event AS wait
           FROM pg_stat_activity
          WHERE datname = $1 AND backend_type = 'client backend'`,
        [database],
      );
      tallyWaits(
        waits,
        rows.map((r) => ({ state: r.state, waitType: r.wait_type, wait: r.wait })),
      );
      samples++;
    } catch {
      // A lost sample only makes the tally smaller.
    }
  };
  let busy = false;
  // A tick that finds the last sample still running is skipped: samples never queue up behind a slow database.
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    running = sample().finally(() => {
      busy = false;
    });
  }, WAIT_SAMPLE_MS);
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
      await client.end().catch(() => {});
      return { waits, samples };
    },
  };
}
