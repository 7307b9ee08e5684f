/**
 * Read replicas (DATABASE_REPLICA_URLS): one pool per streaming replica, a health check every `checkMs`, and the
 * chooser of read-routing.ts wired to them. `readFor(need)` hands one request a Queryable pinned to one server (so
 * the catalog version and the data it keys are read on the same server); if that replica fails mid-request, its
 * reads move to the primary (never the other way) and the replica leaves rotation until a check finds it again.
 */
import { type Db, isDbUnavailableError, type QueryResult, type Queryable } from './db.js';
import { createPgDb } from './pg.js';
import type { PlanCacheMode } from '../config.js';
import { chooseRead, lagBytes, parseLsn, replicaName, type ReplicaView } from './read-routing.js';

export interface ReplicaStatus {
  name: string;
  healthy: boolean;
  /** WAL bytes between the primary's position and this replica's replay position at the last check. */
  lagBytes: number | null;
  /** Seconds since the last transaction it replayed, 0 when it has replayed all it received. */
  lagSeconds: number | null;
}

export interface ReplicaSetOptions {
  poolMax?: number;
  preparedStatements?: boolean;
  planCacheMode?: PlanCacheMode;
  /** Health and lag check interval (ms). */
  checkMs?: number;
  /** How long a replay position is trusted before a client with a newer write makes us ask again (ms). */
  freshMs?: number;
  /** A read on a replica without an answer this long is taken as the replica being down (ms). */
  queryTimeoutMs?: number;
  /** Opens a replica's pool (tests pass a fake). Default: node-postgres, see below. */
  open?: (url: string) => Db;
  /** Up/down changes, for the log. */
  onChange?: (name: string, healthy: boolean, detail: string) => void;
}

/** One request's reads: the primary itself, or a handle pinned to one replica. */
export interface ReadChoiceResult {
  q: Queryable;
  target: 'primary' | 'replica';
}

interface Replica extends ReplicaView {
  name: string;
  db: Db;
  /**
   * Names this replica to CoalescedReads (Queryable.serverKey), shared by the handles pinned to it, and replaced
   * whenever a read on it fell back to the primary. A handle pinned under an older key reads the primary from then
   * on, and shares reads only with handles of its own key: a shared read may have come from the primary, and data a
   * request reads after it must never be older than it (the catalog cache keys data by the version it read first).
   */
  key: object;
  lagBytes: number | null;
  lagSeconds: number | null;
  probing: Promise<void> | null;
}

/**
 * The replay position of a standby; null on a server not in recovery — a primary, or a standby promoted since (its
 * last replay position stays frozen, so it would look like a replica forever behind or, worse, one fully caught up).
 */
const REPLAY_LSN = 'CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text END';

/** Hot-standby errors a read on a replica may meet that the primary would not: read it there instead. */
const REPLICA_ONLY_ERRORS = new Set(['40001', '25006']);

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error('replica check timeout')), ms).unref()),
  ]);

export class ReplicaSet {
  private readonly replicas: Replica[];
  private readonly checkMs: number;
  private readonly freshMs: number;
  private timer: NodeJS.Timeout | null = null;
  private turn = 0;
  private checking: Promise<void> | null = null;

  constructor(
    private readonly primary: Db,
    urls: readonly string[],
    private readonly opts: ReplicaSetOptions = {},
  ) {
    this.checkMs = opts.checkMs ?? 1000;
    this.freshMs = opts.freshMs ?? 5;
    const pgOptions = {
      max: opts.poolMax,
      preparedStatements: opts.preparedStatements,
      planCacheMode: opts.planCacheMode,
      connectionTimeoutMillis: 1000,
      // A replica that stops answering (host gone, network cut) must not hold a shopper's request: its reads are
      // catalog reads of a few ms, so after this long they are repeated on the primary.
      queryTimeoutMillis: opts.queryTimeoutMs ?? 2000,
    };
    this.replicas = urls.map((url) => ({
      name: replicaName(url),
      db: (opts.open ?? ((u: string) => createPgDb(u, pgOptions)))(url),
      healthy: false,
      replayLsn: null,
      checkedAt: 0,
      lagBytes: null,
      lagSeconds: null,
      probing: null,
      key: {},
    }));
  }

  /** Checks every replica once (awaited), then every checkMs in the background. */
  async start(): Promise<void> {
    await this.checkAll();
    this.timer = setInterval(() => void this.checkAll(), this.checkMs);
    this.timer.unref();
  }

  status(): ReplicaStatus[] {
    return this.replicas.map((r) => ({
      name: r.name,
      healthy: r.healthy,
      lagBytes: r.lagBytes,
      lagSeconds: r.lagSeconds,
    }));
  }

  /** The server for one request's reads, given the client's last write position (null: none sent). */
  async readFor(need: bigint | null): Promise<ReadChoiceResult> {
    const start = this.turn++;
    let choice = chooseRead(this.replicas, need, Date.now(), { start, freshMs: this.freshMs, mayProbe: true });
    if (choice.kind === 'probe') {
      await Promise.all(choice.indexes.map((i) => this.probe(this.replicas[i]!)));
      choice = chooseRead(this.replicas, need, Date.now(), { start, freshMs: this.freshMs, mayProbe: false });
    }
    return choice.kind === 'replica'
      ? { q: this.pinned(this.replicas[choice.index]!), target: 'replica' }
      : { q: this.primary, target: 'primary' };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.checking?.catch(() => {});
    await Promise.all(this.replicas.map((r) => r.db.close().catch(() => {})));
  }

  /**
   * One request's handle on a replica. Its reads go to the primary from the moment any read on this replica (of any
   * request) has fallen back to the primary since the handle was made — newer data, never older.
   */
  private pinned(replica: Replica): Queryable {
    const key = replica.key;
    const primary = this.primary;
    const set = this;
    return {
      serverKey: key,
      async query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
        if (replica.key !== key) return primary.query<T>(sql, params);
        try {
          return await replica.db.query<T>(sql, params);
        } catch (err) {
          const code = (err as { code?: string }).code;
          const down = isDbUnavailableError(err) || /Query read timeout/.test((err as Error).message ?? '');
          if (!down && !(code && REPLICA_ONLY_ERRORS.has(code))) throw err;
          if (down) set.markDown(replica, (err as Error).message);
          if (replica.key === key) replica.key = {};
          return primary.query<T>(sql, params);
        }
      },
    };
  }

  private markDown(replica: Replica, detail: string): void {
    if (replica.healthy) this.opts.onChange?.(replica.name, false, detail);
    replica.healthy = false;
    replica.lagBytes = null;
    replica.lagSeconds = null;
  }

  private markUp(replica: Replica): void {
    if (!replica.healthy) this.opts.onChange?.(replica.name, true, 'answering as a standby');
    replica.healthy = true;
  }

  /** Reads one replica's replay position now (one probe at a time per replica). */
  private probe(replica: Replica): Promise<void> {
    replica.probing ??= (async () => {
      try {
        const { rows } = await withTimeout(
          replica.db.query<{ lsn: string | null }>(`SELECT ${REPLAY_LSN} AS lsn`),
          Math.max(this.checkMs, 250),
        );
        const lsn = parseLsn(rows[0]?.lsn);
        if (lsn === null) throw new Error('not a standby (not in recovery)');
        replica.replayLsn = lsn;
        replica.checkedAt = Date.now();
      } catch (err) {
        this.markDown(replica, (err as Error).message);
      } finally {
        replica.probing = null;
      }
    })();
    return replica.probing;
  }

  private checkAll(): Promise<void> {
    this.checking ??= (async () => {
      try {
        const primaryLsn = await withTimeout(
          this.primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn'),
          this.checkMs,
        ).then(
          (r) => parseLsn(r.rows[0]?.lsn),
          () => null,
        );
        await Promise.all(this.replicas.map((r) => this.check(r, primaryLsn)));
      } finally {
        this.checking = null;
      }
    })();
    return this.checking;
  }

  private async check(replica: Replica, primaryLsn: bigint | null): Promise<void> {
    try {
      const { rows } = await withTimeout(
        replica.db.query<{ lsn: string | null; lag_seconds: number | null }>(
          `SELECT ${REPLAY_LSN} AS lsn,
                  CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
                       ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END AS lag_seconds`,
        ),
        Math.max(this.checkMs, 250),
      );
      const lsn = parseLsn(rows[0]?.lsn);
      if (lsn === null) throw new Error('not a standby (not in recovery)');
      replica.replayLsn = lsn;
      replica.checkedAt = Date.now();
      replica.lagBytes = lagBytes(primaryLsn, lsn);
      replica.lagSeconds = rows[0]?.lag_seconds === null ? null : Math.max(0, Number(rows[0]?.lag_seconds));
      this.markUp(replica);
    } catch (err) {
      this.markDown(replica, (err as Error).message);
    }
  }
}
