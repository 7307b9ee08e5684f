/**
 * Where a storefront read goes, as pure functions (the I/O is in replicas.ts). A read may go to a streaming replica
 * unless the client has written something the replica has not replayed yet: every write answers with the primary's
 * WAL position (LSN), the client sends it back, and only a replica whose `pg_last_wal_replay_lsn()` has reached it
 * may serve that client. Otherwise the primary does.
 */

/** A PostgreSQL LSN (`16/B374D848`: two 32-bit hex halves) as one number, or null when it is not one. */
export function parseLsn(text: unknown): bigint | null {
  if (typeof text !== 'string') return null;
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
  if (!m) return null;
  return (BigInt(`0x${m[1]}`) << 32n) + BigInt(`0x${m[2]}`);
}

/** The LSN's usual text, upper-case hex: `formatLsn(parseLsn(x))` gives x back. */
export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** The newest of the positions a client sent (header and cookie); null when it sent none that parse. */
export function clientLsn(...sent: unknown[]): bigint | null {
  let best: bigint | null = null;
  for (const s of sent) {
    const lsn = parseLsn(s);
    if (lsn !== null && (best === null || lsn > best)) best = lsn;
  }
  return best;
}

/** What the process knows of one replica: from its last health check, or a probe made for a request. */
export interface ReplicaView {
  /** Answered its last check and is a standby in recovery. */
  healthy: boolean;
  /** Its `pg_last_wal_replay_lsn()` at `checkedAt`; null before the first answer. */
  replayLsn: bigint | null;
  /** When replayLsn was read (ms, the caller's clock). */
  checkedAt: number;
}

export type ReadChoice =
  /** Read on this replica. */
  | { kind: 'replica'; index: number }
  /** Ask these replicas (healthy, not fresh enough to say no) for their replay position, then choose again. */
  | { kind: 'probe'; indexes: number[] }
  /** Read on the primary: no healthy replica, or none has replayed the client's last write. */
  | { kind: 'primary'; reason: 'none' | 'behind' };

export interface ChooseOptions {
  /** Where round robin starts (a counter the caller increments per request). */
  start: number;
  /** A replay position read less than this many ms ago is trusted; an older one may be probed. */
  freshMs: number;
  /** false on the second choice, after a probe: decide with what is known. */
  mayProbe: boolean;
}

/**
 * Chooses the server of one request's reads. `need` is the client's last write position (null: it sent none, any
 * healthy replica will do). Healthy replicas are tried round robin from `start`; one serves if its replay position
 * has reached `need`. If none has, those whose position is stale are probed (once), else the primary serves.
 */
export function chooseRead(
  replicas: readonly ReplicaView[],
  need: bigint | null,
  now: number,
  opts: ChooseOptions,
): ReadChoice {
  const n = replicas.length;
  const stale: number[] = [];
  let anyHealthy = false;
  for (let k = 0; k < n; k++) {
    const index = (((opts.start + k) % n) + n) % n;
    const r = replicas[index]!;
    if (!r.healthy) continue;
    anyHealthy = true;
    if (need === null || (r.replayLsn !== null && r.replayLsn >= need)) return { kind: 'replica', index };
    if (now - r.checkedAt >= opts.freshMs) stale.push(index);
  }
  if (!anyHealthy) return { kind: 'primary', reason: 'none' };
  if (opts.mayProbe && stale.length > 0) return { kind: 'probe', indexes: stale };
  return { kind: 'primary', reason: 'behind' };
}

/** Bytes of WAL the replica still has to replay: the primary's position minus its replay position (never < 0). */
export function lagBytes(primaryLsn: bigint | null, replayLsn: bigint | null): number | null {
  if (primaryLsn === null || replayLsn === null) return null;
  return primaryLsn > replayLsn ? Number(primaryLsn - replayLsn) : 0;
}

/** `postgres://user:secret@host:5432/db?x` → `host:5432/db`: a metric label and log name without credentials. */
export function replicaName(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'replica';
  }
}
