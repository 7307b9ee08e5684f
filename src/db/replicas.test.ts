import { afterEach, describe, expect, it } from 'vitest';
import { type Db, type QueryResult, serverKeyOf } from './db.js';
import { ReplicaSet } from './replicas.js';

/** A fake server: answers the health check, the probe and the primary's position; any other read with its name. */
function fakeServer(name: string, state: { replayLsn: string | null; down?: boolean; currentLsn?: string }) {
  const seen: string[] = [];
  const db = {
    kind: 'postgres',
    async query<T>(sql: string): Promise<QueryResult<T>> {
      if (state.down) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      seen.push(sql);
      const row = sql.includes('pg_current_wal_lsn')
        ? { lsn: state.currentLsn ?? null }
        : sql.includes('pg_last_wal_replay_lsn')
          ? { lsn: state.replayLsn, lag_seconds: 0 }
          : { server: name };
      return { rows: [row as T], rowCount: 1 };
    },
    close: async () => {},
  } as unknown as Db;
  return { db, seen, state };
}

const read = async (q: { query: Db['query'] }) =>
  ((await q.query<{ server: string }>('SELECT name FROM products')).rows[0] as { server: string }).server;

let set: ReplicaSet | undefined;
afterEach(async () => {
  await set?.close();
  set = undefined;
});

function replicaSet(primary: Db, replicas: Db[], changes: string[] = []): ReplicaSet {
  const byUrl = new Map(replicas.map((db, i) => [`postgres://r${i}/dukaan`, db]));
  set = new ReplicaSet(primary, [...byUrl.keys()], {
    open: (url) => byUrl.get(url)!,
    checkMs: 60_000,
    onChange: (name, healthy) => changes.push(`${name} ${healthy ? 'up' : 'down'}`),
  });
  return set;
}

describe('ReplicaSet', () => {
  it('round robin over healthy replicas for clients without a position; lag from the last check', async () => {
    const primary = fakeServer('primary', { replayLsn: null, currentLsn: '0/3000' });
    const r0 = fakeServer('r0', { replayLsn: '0/1000' });
    const r1 = fakeServer('r1', { replayLsn: '0/3000' });
    const s = replicaSet(primary.db, [r0.db, r1.db]);
    await s.start();
    const targets = [];
    for (let i = 0; i < 4; i++) targets.push(await read((await s.readFor(null)).q));
    expect(targets).toEqual(['r0', 'r1', 'r0', 'r1']);
    expect(s.status()).toEqual([
      { name: 'r0:5432/dukaan', healthy: true, lagBytes: 0x2000, lagSeconds: 0 },
      { name: 'r1:5432/dukaan', healthy: true, lagBytes: 0, lagSeconds: 0 },
    ]);
  });

  it('a client ahead of every replica reads the primary (after one probe); caught up, a replica', async () => {
    const primary = fakeServer('primary', { replayLsn: null });
    const r0 = fakeServer('r0', { replayLsn: '0/1000' });
    const s = replicaSet(primary.db, [r0.db]);
    await s.start();
    await new Promise((r) => setTimeout(r, 10)); // the check's position is no longer fresh
    const before = r0.seen.length;
    const behind = await s.readFor(0x2000n);
    expect(behind.target).toBe('primary');
    expect(behind.q).toBe(primary.db); // the primary itself: its reads are shared with every primary reader
    expect(r0.seen.length).toBe(before + 1); // one probe
    r0.state.replayLsn = '0/2000';
    await new Promise((r) => setTimeout(r, 10));
    expect((await s.readFor(0x2000n)).target).toBe('replica');
  });

  it('a replica failing mid-request: that read and all handles pinned before read the primary', async () => {
    const changes: string[] = [];
    const primary = fakeServer('primary', { replayLsn: null });
    const r0 = fakeServer('r0', { replayLsn: '0/1000' });
    const s = replicaSet(primary.db, [r0.db], changes);
    await s.start();
    const a = (await s.readFor(null)).q;
    const b = (await s.readFor(null)).q;
    expect(serverKeyOf(a)).toBe(serverKeyOf(b)); // one replica: its reads may be shared
    expect(serverKeyOf(a)).not.toBe(serverKeyOf(primary.db));
    expect(await read(a)).toBe('r0');
    r0.state.down = true;
    expect(await read(a)).toBe('primary');
    expect(changes).toEqual(['r0:5432/dukaan up', 'r0:5432/dukaan down']);
    // b never failed, but a read shared with a may have come from the primary: b reads the primary too, even with
    // the replica back.
    r0.state.down = false;
    expect(await read(b)).toBe('primary');
    // New requests: the primary while the replica is out of rotation.
    expect((await s.readFor(null)).target).toBe('primary');
    // Back at the next check; new handles share reads under a new key, not with a and b.
    await (s as unknown as { checkAll(): Promise<void> }).checkAll();
    expect(changes.slice(1)).toEqual(['r0:5432/dukaan down', 'r0:5432/dukaan up']);
    const c = (await s.readFor(null)).q;
    expect(await read(c)).toBe('r0');
    expect(serverKeyOf(c)).not.toBe(serverKeyOf(a));
  });

  it('a server not in recovery is never a replica', async () => {
    const primary = fakeServer('primary', { replayLsn: null });
    const notStandby = fakeServer('r0', { replayLsn: null });
    const s = replicaSet(primary.db, [notStandby.db]);
    await s.start();
    expect(s.status()[0]!.healthy).toBe(false);
    expect((await s.readFor(null)).target).toBe('primary');
  });
});
